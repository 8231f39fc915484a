"""Fixtures for the integration's tests: a scripted home in the simulator and a config entry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
import math
from unittest.mock import AsyncMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.update import DOMAIN as UPDATE_DOMAIN, SERVICE_INSTALL
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.tuya_ota.const import (
    CONF_ACCESS_ID,
    CONF_ACCESS_SECRET,
    CONF_ENDPOINT,
    CONF_HOME_ID,
    CONF_UID,
    DOMAIN,
)
from tests.conftest import StartSimulator
from tests.timetravel import Clock
from tuya_sim import SimDevice, SimFirmware, SimHome, SimMember, TuyaCloudSimulator

ACCESS_ID = "testaccessid000001"
ACCESS_SECRET = "testsecret00000000000000000000001"
OWNER_UID = "ay1700000000000owner"
ADMIN_UID = "ay1700000000000admin"
MEMBER_UID = "ay170000000000member"
HOME_ID = 31000001
HOME_NAME = "Test Home"

PLUG = "bf00000000000000plug"
DIMMER = "bf0000000000000dimmer"
ZIGBEE_A = "bf000000000000zigbeea"
ZIGBEE_B = "bf000000000000zigbeeb"
OFFLINE = "bf00000000000offline"
FAILING = "bf00000000000failing"
CURRENT = "bf00000000000current"
SLEEPY = "bf000000000000sleepy"

PLUG_ENTITY = "update.kitchen_plug_firmware"
DIMMER_ENTITY = "update.hall_dimmer_firmware"
ZIGBEE_ENTITY = "update.door_sensor_firmware"
OFFLINE_ENTITY = "update.garden_bulb_firmware"
FAILING_ENTITY = "update.garage_plug_firmware"
CURRENT_ENTITY = "update.desk_lamp_firmware"


def build_test_home(sim: TuyaCloudSimulator) -> None:
    """A small home with one device of every kind the contract names."""
    sim.add_home(
        SimHome(
            home_id=HOME_ID,
            name=HOME_NAME,
            members=[
                SimMember(uid=OWNER_UID, name="Olivia", owner=True),
                SimMember(uid=ADMIN_UID, name="Adam", admin=True),
                SimMember(uid=MEMBER_UID, name="Mia"),
            ],
        )
    )
    devices = [
        SimDevice(
            device_id=PLUG,
            name="Kitchen Plug",
            product_name="Smart Plug",
            local_key="plugsecretlocalkey",
            firmware=[
                SimFirmware(
                    channel=0, current_version="1.0.0", version="1.1.0", desc="Faster pairing."
                )
            ],
        ),
        SimDevice(
            device_id=DIMMER,
            name="Hall Dimmer",
            product_name="Dimmer",
            firmware=[
                SimFirmware(
                    channel=0, current_version="2.0.0", version="2.1.0", desc="Wi-Fi fixes"
                ),
                SimFirmware(
                    channel=9, current_version="1.0.4", version="1.0.5", desc="Smoother dim"
                ),
            ],
        ),
        SimDevice(
            device_id=ZIGBEE_A,
            name="Door Sensor",
            sub=True,
            product_name="Zigbee Door Sensor",
            firmware=[SimFirmware(channel=3, current_version="1.0.0", version="1.0.1")],
        ),
        SimDevice(
            device_id=ZIGBEE_B,
            name="Window Sensor",
            sub=True,
            product_name="Zigbee Window Sensor",
            firmware=[SimFirmware(channel=3, current_version="1.0.0", version="1.0.1")],
        ),
        SimDevice(
            device_id=OFFLINE,
            name="Garden Bulb",
            online=False,
            firmware=[SimFirmware(channel=0, current_version="3.0.0", version="3.1.0")],
        ),
        SimDevice(
            device_id=FAILING,
            name="Garage Plug",
            firmware=[
                SimFirmware(channel=0, current_version="1.0.0", version="1.2.0", fail_at_percent=50)
            ],
        ),
        SimDevice(
            device_id=CURRENT,
            name="Desk Lamp",
            firmware=[SimFirmware(channel=0, current_version="4.0.0", version="4.0.0")],
        ),
        SimDevice(
            device_id=SLEEPY,
            name="Battery Sensor",
            firmware=[
                SimFirmware(
                    channel=0,
                    current_version="1.0.0",
                    version="1.1.0",
                    low_power=True,
                    wake_after_s=30,
                )
            ],
        ),
    ]
    for device in devices:
        sim.add_device(HOME_ID, device)


def simulator_with_owner_home() -> TuyaCloudSimulator:
    """A simulator holding the test home with only its owner, for tests that add devices."""
    simulator = TuyaCloudSimulator(access_id=ACCESS_ID, access_secret=ACCESS_SECRET)
    simulator.add_home(
        SimHome(
            home_id=HOME_ID,
            name=HOME_NAME,
            members=[SimMember(uid=OWNER_UID, name="Olivia", owner=True)],
        )
    )
    return simulator


@pytest.fixture
async def sim(start_simulator: StartSimulator) -> TuyaCloudSimulator:
    """The simulated cloud with the test home, on a loopback port."""
    simulator = TuyaCloudSimulator(access_id=ACCESS_ID, access_secret=ACCESS_SECRET)
    build_test_home(simulator)
    return await start_simulator(simulator)


def owner_entry(sim: TuyaCloudSimulator, options: dict[str, int] | None = None) -> MockConfigEntry:
    """The entry the config flow would create for the owner of the test home served by ``sim``."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=HOME_NAME,
        unique_id=str(HOME_ID),
        data={
            CONF_ENDPOINT: sim.url,
            CONF_ACCESS_ID: ACCESS_ID,
            CONF_ACCESS_SECRET: ACCESS_SECRET,
            CONF_UID: OWNER_UID,
            CONF_HOME_ID: HOME_ID,
        },
        options=options or {},
    )


@pytest.fixture
def config_entry(sim: TuyaCloudSimulator) -> MockConfigEntry:
    """The entry the config flow would create for the owner."""
    return owner_entry(sim)


type Advance = Callable[[float], Awaitable[None]]


async def refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()


async def install(hass: HomeAssistant, *entity_ids: str) -> None:
    await hass.services.async_call(
        UPDATE_DOMAIN, SERVICE_INSTALL, {ATTR_ENTITY_ID: list(entity_ids)}, blocking=True
    )


async def run_until_idle(hass: HomeAssistant, entry: MockConfigEntry, advance: Advance) -> None:
    for _ in range(3600):
        if entry.runtime_data.queue.active_count == 0:
            return
        await advance(1)
    pytest.fail("the queue never emptied")


@pytest.fixture
def clock(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> Clock:
    """Time moved from one timer to the next, for the long runs."""
    hass.loop.slow_callback_duration = math.inf  # the frozen clock's jumps are not slow calls
    return Clock(hass, freezer)


@pytest.fixture
def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> Advance:
    """Move time forward in one-second steps, letting timers and their calls run."""

    async def _advance(seconds: float) -> None:
        remaining = seconds
        while remaining > 0:
            step = min(1.0, remaining)
            freezer.tick(timedelta(seconds=step))
            async_fire_time_changed(hass)
            await hass.async_block_till_done()
            remaining -= step

    return _advance


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """The entry's setup replaced, for flow tests that need no running integration."""
    with patch("custom_components.tuya_ota.async_setup_entry", return_value=True) as mock_setup:
        yield mock_setup


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    advance: Advance,
    request: pytest.FixtureRequest,
) -> MockConfigEntry:
    """The entry set up, with every device's firmware read once.

    Parametrized indirectly with a platform, only that platform is set up (for snapshots).
    """
    config_entry.add_to_hass(hass)
    context: AbstractContextManager[object] = nullcontext()
    if platform := getattr(request, "param", None):
        context = patch("custom_components.tuya_ota.PLATFORMS", [platform])
    with context:
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    await advance(20)
    return config_entry
