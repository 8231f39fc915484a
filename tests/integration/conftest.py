"""Fixtures for the integration's tests: a scripted home in the simulator and a config entry."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import AbstractContextManager, nullcontext
import math
from unittest.mock import AsyncMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import __version__ as ha_version
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import StartSimulator
from tests.timetravel import START_INSTANT_VARIABLE, Clock, start_instant
from tuya_sim import TuyaCloudSimulator

from .actions import every_card_shows_versions
from .home import ACCESS_ID, ACCESS_SECRET, build_test_home, owner_entry


@pytest.fixture(autouse=True)
def started_at(freezer: FrozenDateTimeFactory, request: pytest.FixtureRequest) -> None:
    """Every test starts at an instant it chooses, never at the hour the suite runs.

    A test's own ``freeze_time`` mark wins. The instant is in the report of a failed test;
    setting ``TUYA_OTA_START_INSTANT`` to it runs the test there again.
    """
    if request.node.get_closest_marker("freeze_time") is not None:
        return
    instant = start_instant(request.node.nodeid, ha_version)
    freezer.move_to(instant)
    request.node.add_report_section(
        "setup", "start instant", f"{START_INSTANT_VARIABLE}={instant.isoformat()}"
    )


@pytest.fixture
async def sim(start_simulator: StartSimulator) -> TuyaCloudSimulator:
    """The simulated cloud with the test home, on a loopback port."""
    simulator = TuyaCloudSimulator(access_id=ACCESS_ID, access_secret=ACCESS_SECRET)
    build_test_home(simulator)
    return await start_simulator(simulator)


@pytest.fixture
def config_entry(sim: TuyaCloudSimulator, request: pytest.FixtureRequest) -> MockConfigEntry:
    """The entry the config flow would create for the owner, with a test's ``entry_options``.

    Several devices of the test home share a product: a test of something else installs them
    together with ``@pytest.mark.entry_options(pilot_per_product=False)``.
    """
    marker = request.node.get_closest_marker("entry_options")
    return owner_entry(sim, options=dict(marker.kwargs) if marker else None)


@pytest.fixture
def clock(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> Clock:
    """The one way the tests move time: from one timer to the next, up to what they wait for."""
    hass.loop.slow_callback_duration = math.inf  # the frozen clock's jumps are not slow calls
    return Clock(hass, freezer)


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """The entry's setup replaced, for flow tests that need no running integration."""
    with patch("custom_components.tuya_ota.async_setup_entry", return_value=True) as mock_setup:
        yield mock_setup


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    clock: Clock,
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
    assert await clock.advance(60, until=every_card_shows_versions(config_entry))
    return config_entry


def pytest_configure(config: pytest.Config) -> None:
    """Declare the options mark."""
    config.addinivalue_line("markers", "entry_options(**options): the entry's options")
