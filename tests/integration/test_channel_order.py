"""Channel order and timeouts: the module first, the MCU once it succeeded; no early timeout.

Tuya's app SDKs update the module and start the "device control module" (MCU, channel 9) only
after the module's update succeeded. The firmware's ``timeout`` has no documented unit (the
documentation's example is 60), so it never makes a job time out while the cloud still says
the update runs.
"""

from __future__ import annotations

import time

import aiohttp
from homeassistant.components.update import (
    ATTR_IN_PROGRESS,
    ATTR_INSTALLED_VERSION,
    ATTR_LATEST_VERSION,
    ATTR_UPDATE_PERCENTAGE,
)
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.const import DEFAULT_UPDATE_TIMEOUT, DOMAIN
from custom_components.tuya_ota.tuya_cloud import TuyaCloudClient
from tests.timetravel import Clock
from tests.update_events import FinishedUpdates
from tuya_sim import SimDevice, SimFirmware, TuyaCloudSimulator

from .actions import (
    every_card_shows_versions,
    install,
    queue_idle,
    refresh,
    shows_progress,
)
from .home import ACCESS_ID, ACCESS_SECRET, DIMMER, DIMMER_ENTITY, HOME_ID, PLUG

MCU = 9


def starts(sim: TuyaCloudSimulator, device_id: str) -> list[tuple[int, float]]:
    return [(channel, at) for device, channel, at in sim.start_calls if device == device_id]


def progress_reads(sim: TuyaCloudSimulator, device_id: str, channel: int) -> list[float]:
    path = f"/v2.0/cloud/thing/{device_id}/firmware/{channel}/progress"
    return [call.time for call in sim.calls if call.path == path]


async def add_device(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
    device_id: str,
    *firmware: SimFirmware,
) -> str:
    """Add a device to the home; its entity id once its firmware was read."""
    sim.add_device(
        HOME_ID, SimDevice(device_id=device_id, name="Test Device", firmware=[*firmware])
    )
    await refresh(hass, entry)
    assert await clock.advance(60, until=every_card_shows_versions(entry))
    return "update.test_device_firmware"


def percentage(hass: HomeAssistant, entity_id: str) -> int | None:
    state = hass.states.get(entity_id)
    assert state is not None
    value = state.attributes[ATTR_UPDATE_PERCENTAGE]
    return None if value is None else int(value)


async def test_module_first_then_mcu(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """The MCU starts once the module succeeded; one percentage runs over both phases."""
    finished = FinishedUpdates(hass)
    started = time.time()
    await install(hass, DIMMER_ENTITY)
    assert [channel for channel, _ in starts(sim, DIMMER)] == [0]

    # The module at about half: a quarter of the whole job.
    assert await clock.advance(60, until=shows_progress(hass, DIMMER_ENTITY, at_least=20))
    assert (percentage(hass, DIMMER_ENTITY) or 0) <= 30
    # The module ended at 60 s; the MCU runs, shown as the second half.
    assert await clock.advance(120, until=shows_progress(hass, DIMMER_ENTITY, at_least=50))
    [(_, module_at), (mcu, mcu_at)] = starts(sim, DIMMER)
    assert mcu == MCU
    assert mcu_at >= module_at + 60
    assert (percentage(hass, DIMMER_ENTITY) or 0) <= 60
    assert await clock.advance(60, until=shows_progress(hass, DIMMER_ENTITY, at_least=65))
    assert (percentage(hass, DIMMER_ENTITY) or 0) <= 85

    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert finished.results == ["success"]
    state = hass.states.get(DIMMER_ENTITY)
    assert state.state == STATE_OFF
    assert state.attributes[ATTR_INSTALLED_VERSION] == "Main 2.1.0 / MCU 1.0.5"
    # The MCU's own progress was read only once it ran.
    assert progress_reads(sim, DIMMER, MCU)
    assert min(progress_reads(sim, DIMMER, MCU)) > mcu_at
    assert max(progress_reads(sim, DIMMER, 0)) <= mcu_at
    assert finished.events[0].data["from_version"] == "Main 2.0.0 / MCU 1.0.4"
    assert time.time() - started < 200


@pytest.mark.parametrize(
    ("module", "result"),
    [
        ({"fail_at_percent": 50}, "failed"),
        ({"update_seconds": None, "timeout_s": 120}, "timeout"),  # the cloud's 7
    ],
)
async def test_failed_module_never_starts_the_mcu(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
    module: dict[str, object],
    result: str,
) -> None:
    """A module that failed (or that the cloud timed out) ends the job; the MCU waits."""
    entity_id = await add_device(
        hass,
        init_integration,
        sim,
        clock,
        "bf0000000000modulefail",
        SimFirmware(channel=0, current_version="1.0.0", version="1.1.0", **module),  # type: ignore[arg-type]
        SimFirmware(channel=MCU, current_version="2.0.0", version="2.1.0"),
    )
    finished = FinishedUpdates(hass)
    await install(hass, entity_id)
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert finished.results == [result]
    assert [channel for channel, _ in starts(sim, "bf0000000000modulefail")] == [0]
    assert progress_reads(sim, "bf0000000000modulefail", MCU) == []
    state = hass.states.get(entity_id)
    assert state.state == STATE_ON  # both updates still offered
    assert state.attributes[ATTR_LATEST_VERSION] == "Main 1.1.0 / MCU 2.1.0"


@pytest.mark.parametrize(
    "channels",
    [
        [SimFirmware(channel=MCU, current_version="2.0.0", version="2.1.0")],
        [
            SimFirmware(channel=0, current_version="1.0.0"),
            SimFirmware(channel=MCU, current_version="2.0.0", version="2.1.0"),
        ],
    ],
    ids=["mcu_only", "module_up_to_date"],
)
async def test_only_the_mcu_starts_at_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
    channels: list[SimFirmware],
) -> None:
    entity_id = await add_device(
        hass, init_integration, sim, clock, "bf00000000000mcuonly", *channels
    )
    finished = FinishedUpdates(hass)
    await install(hass, entity_id)
    assert [channel for channel, _ in starts(sim, "bf00000000000mcuonly")] == [MCU]
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert finished.results == ["success"]


async def test_restart_between_the_phases(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """A restart while the module runs: the stored job still starts the MCU after it."""
    finished = FinishedUpdates(hass)
    await install(hass, DIMMER_ENTITY)
    assert await clock.advance(60, until=shows_progress(hass, DIMMER_ENTITY, at_least=10))
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await clock.advance(10)  # the cloud goes on while Home Assistant is down
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(DIMMER_ENTITY).attributes[ATTR_IN_PROGRESS] is True
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert [channel for channel, _ in starts(sim, DIMMER)] == [0, MCU]
    assert finished.results == ["success"]


async def test_mcu_start_refused_keeps_the_module_result(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """The module succeeded; an MCU the cloud then refuses to start stays offered."""
    finished = FinishedUpdates(hass)
    await install(hass, DIMMER_ENTITY)
    assert await clock.advance(60, until=shows_progress(hass, DIMMER_ENTITY, at_least=20))
    sim.fail_next(f"/firmware/{MCU}", code=1109)
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert finished.results == ["success"]
    assert [channel for channel, _ in starts(sim, DIMMER)] == [0]
    assert hass.states.get(DIMMER_ENTITY).attributes[ATTR_LATEST_VERSION] == (
        "Main 2.1.0 / MCU 1.0.5"
    )


async def test_rate_limited_mcu_start_is_retried(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    finished = FinishedUpdates(hass)
    await install(hass, DIMMER_ENTITY)
    assert await clock.advance(60, until=shows_progress(hass, DIMMER_ENTITY, at_least=20))
    sim.fail_next(f"/firmware/{MCU}", code=1110, count=2)
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert [channel for channel, _ in starts(sim, DIMMER)] == [0, MCU]
    assert finished.results == ["success"]


async def test_module_not_started_keeps_the_mcu_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """Of two modules one does not start: the other runs, the MCU is not started."""
    entity_id = await add_device(
        hass,
        init_integration,
        sim,
        clock,
        "bf00000000000twomods",
        SimFirmware(channel=0, current_version="1.0.0", version="1.1.0"),
        SimFirmware(channel=1, current_version="1.0.0", version="1.1.0"),
        SimFirmware(channel=MCU, current_version="2.0.0", version="2.1.0"),
    )
    sim.fail_next("/firmware/1", code=1109)
    finished = FinishedUpdates(hass)
    await install(hass, entity_id)
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert [channel for channel, _ in starts(sim, "bf00000000000twomods")] == [0]
    assert finished.results == ["success"]


# --- timeouts --------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [5, 45])
async def test_timeout_60_on_a_long_update_ends_in_success(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
    minutes: int,
) -> None:
    """`timeout: 60` while the update takes minutes (longer than the default, even)."""
    entity_id = await add_device(
        hass,
        init_integration,
        sim,
        clock,
        "bf0000000000slowplug",
        SimFirmware(
            channel=0,
            current_version="1.0.0",
            version="1.1.0",
            item_timeout=60,
            timeout_s=4 * 3600,
            update_seconds=minutes * 60,
        ),
    )
    record = init_integration.runtime_data.firmware.record("bf0000000000slowplug")
    assert record is not None
    [channel] = record.channels
    assert channel.timeout_s == 60
    finished = FinishedUpdates(hass)
    await install(hass, entity_id)
    job = init_integration.runtime_data.queue.job("bf0000000000slowplug")
    assert job is not None
    assert job.timeout_s >= DEFAULT_UPDATE_TIMEOUT.total_seconds()
    started = time.time()
    assert await clock.advance(2 * minutes * 60, until=finished.any_ended)
    assert finished.results == ["success"]
    assert minutes * 60 <= time.time() - started <= minutes * 60 + 60
    assert hass.states.get(entity_id).attributes[ATTR_INSTALLED_VERSION] == "1.1.0"


async def test_no_answer_times_out_after_the_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """A phase the cloud no longer reports updating (no answer at all) ends at the default."""
    entity_id = await add_device(
        hass,
        init_integration,
        sim,
        clock,
        "bf000000000000mute01",
        SimFirmware(channel=0, current_version="1.0.0", version="1.1.0", item_timeout=60),
    )
    finished = FinishedUpdates(hass)
    sim.fail_next("/progress", http_status=500, count=100_000)
    await install(hass, entity_id)
    started = time.time()
    assert await clock.advance(3600, until=finished.any_ended)
    assert finished.results == ["timeout"]
    default = DEFAULT_UPDATE_TIMEOUT.total_seconds()
    assert default <= time.time() - started <= default + 10


async def test_jobs_stored_by_an_older_version_are_taken_up(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: TuyaCloudSimulator,
    hass_storage: dict[str, object],
    clock: Clock,
) -> None:
    """Stored jobs without the new fields, one running with the firmware's 60 as seconds."""
    async with aiohttp.ClientSession() as session:
        client = TuyaCloudClient(session, sim.url, ACCESS_ID, ACCESS_SECRET)
        await client.start_firmware_update(PLUG, 0)  # started before the restart
    hass_storage[f"{DOMAIN}.{config_entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{config_entry.entry_id}",
        "data": {
            "firmware": {},
            "jobs": {
                DIMMER: {
                    "channels": [],
                    "from_version": "Main 2.0.0 / MCU 1.0.4",
                    "to_version": "Main 2.1.0 / MCU 1.0.5",
                    "started_at": None,
                    "timeout_s": 1200,
                },
                PLUG: {
                    "channels": [0],
                    "from_version": "1.0.0",
                    "to_version": "1.1.0",
                    "started_at": time.time(),
                    "timeout_s": 60,
                },
            },
        },
    }
    finished = FinishedUpdates(hass)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    job = config_entry.runtime_data.queue.job(PLUG)
    assert job is not None
    assert job.timeout_s == DEFAULT_UPDATE_TIMEOUT.total_seconds()
    assert await clock.advance(3600, until=queue_idle(config_entry))
    assert [channel for channel, _ in starts(sim, DIMMER)] == [0, MCU]
    assert sorted(finished.results) == ["success", "success"]
