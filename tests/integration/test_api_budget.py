"""The cloud-call budget: what a home costs per day, per restart, per update, per refresh.

A home of twenty devices of one product (Wi-Fi ones and Zigbee ones, so two groups of
installed versions), driven over simulated days by moving the frozen clock from one
scheduled timer to the next (one-second steps would take too long for a day).
"""

from __future__ import annotations

from collections import Counter, defaultdict
import itertools
from itertools import pairwise
import math
import time

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.const import (
    DEFAULT_FIRMWARE_CHECK_HOURS,
    DEFAULT_SCAN_INTERVAL_MINUTES,
    DOMAIN,
    FIRMWARE_READ_SPACING,
)
from custom_components.tuya_ota.progress_schedule import FIRST_INTERVAL
from custom_components.tuya_ota.tuya_cloud.client import TOKEN_REFRESH_MARGIN_S
from tests.conftest import StartSimulator
from tests.timetravel import DAY_S, Clock
from tests.update_events import FinishedUpdates
from tuya_sim import SimCall, SimDevice, SimFirmware, TuyaCloudSimulator

from .home import HOME_ID, simulator_with_owner_home

WEEK_S = 7 * DAY_S
PERIOD_S = DEFAULT_FIRMWARE_CHECK_HOURS * 3600.0
SCAN_S = DEFAULT_SCAN_INTERVAL_MINUTES * 60.0
SPACING_S = FIRMWARE_READ_SPACING.total_seconds()
UPDATE_SECONDS = 60.0
DEVICES = [f"bf0000000000budget{index:02d}" for index in range(20)]
SUBS = {DEVICES[9], DEVICES[19]}
WITH_UPDATE = {DEVICES[3], DEVICES[9], DEVICES[14]}


@pytest.fixture
async def sim(start_simulator: StartSimulator) -> TuyaCloudSimulator:
    """Twenty devices, two of them sub-devices, three with an update to offer."""
    simulator = simulator_with_owner_home()
    for device_id in DEVICES:
        simulator.add_device(
            HOME_ID,
            SimDevice(
                device_id=device_id,
                name=f"Device {device_id[-2:]}",
                sub=device_id in SUBS,
                firmware=[
                    SimFirmware(
                        channel=3 if device_id in SUBS else 0,
                        current_version="1.0.0",
                        version="1.1.0" if device_id in WITH_UPDATE else "1.0.0",
                        update_seconds=UPDATE_SECONDS,
                    )
                ],
            ),
        )
    return await start_simulator(simulator)


@pytest.fixture
async def steady(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> MockConfigEntry:
    """The entry set up, past its first sweep and the reads whose slot passed during it."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    store = config_entry.runtime_data.store
    assert await clock.advance(600, until=lambda: len(store.firmware_device_ids()) == len(DEVICES))
    await clock.advance(600)
    return config_entry


def device_of(call: SimCall) -> str:
    """The device a firmware call is about."""
    return call.path.split("/")[4]


def entity_of(hass: HomeAssistant, device_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("update", DOMAIN, device_id)
    assert entity_id is not None
    return entity_id


def reads_by_group(calls: list[SimCall]) -> dict[str, list[float]]:
    """Firmware read times of the Wi-Fi devices and of the Zigbee sub-devices."""
    reads: dict[str, list[float]] = defaultdict(list)
    for call in calls:
        if call.kind == "firmware":
            reads["zigbee" if device_of(call) in SUBS else "wifi"].append(call.time)
    return reads


def reads_by_device(calls: list[SimCall]) -> dict[str, list[float]]:
    reads: dict[str, list[float]] = defaultdict(list)
    for call in calls:
        if call.kind == "firmware":
            reads[device_of(call)].append(call.time)
    return reads


async def test_first_sweep_is_spaced(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """A new entry reads every device once, spaced, within minutes, then waits for slots."""
    config_entry.add_to_hass(hass)
    started = time.time()
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    store = config_entry.runtime_data.store
    assert await clock.advance(600, until=lambda: len(store.firmware_device_ids()) == len(DEVICES))
    times = sorted(call.time for call in sim.calls if call.kind == "firmware")
    assert len(times) == len(DEVICES)
    assert all(later - earlier >= SPACING_S for earlier, later in pairwise(times))
    assert times[-1] - started <= len(DEVICES) * SPACING_S + 1
    assert Counter(call.kind for call in sim.calls) == {
        "token": 1,
        "members": 1,
        "devices": 1,
        "firmware": len(DEVICES),
    }


async def test_a_day_costs_what_the_schedule_promises(
    hass: HomeAssistant, steady: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """A read per group and period, a few own reads, members and devices per scan, tokens.

    The twenty devices are two groups (one product, Wi-Fi and Zigbee versions): a day costs
    a few dozen calls, not the 150 of a read per device every period.
    """
    firmware = steady.runtime_data.firmware
    sim.reset_calls()
    start = time.time()
    await clock.advance(DAY_S)
    calls = [call for call in sim.calls if call.time < start + DAY_S]
    kinds = Counter(call.kind for call in calls)

    group_reads = reads_by_group(calls)
    assert set(group_reads) == {"wifi", "zigbee"}
    for times in group_reads.values():
        gaps = [b - a for a, b in pairwise([start, *times, start + DAY_S])]
        assert max(gaps) <= PERIOD_S + len(DEVICES) * SPACING_S
    own_reads = len(DEVICES) * DAY_S / firmware.slow_period_s
    assert kinds["firmware"] <= len(group_reads) * math.ceil(DAY_S / PERIOD_S) + own_reads + 1
    assert kinds["members"] == kinds["devices"] == DAY_S / SCAN_S
    # A token serves a refresh and the reads of a burst: never more than one per each.
    bursts = {call.time // firmware.burst_s for call in calls if call.kind == "firmware"}
    assert kinds["token"] <= kinds["members"] + len(bursts)
    assert set(kinds) == {"firmware", "members", "devices", "token"}
    assert len(calls) <= 30


async def test_scheduled_reads_come_in_bursts(
    hass: HomeAssistant, steady: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """Over a week: reads land on the burst grid, spaced, one token a burst; each device read.

    Every device is read at least once a week whatever its group does (staged rollouts).
    """
    firmware = steady.runtime_data.firmware
    sim.reset_calls()
    start = time.time()
    await clock.advance(WEEK_S)
    reads = sorted(call.time for call in sim.calls if call.kind == "firmware")
    assert all(later - earlier >= SPACING_S for earlier, later in pairwise(reads))
    assert all(t % firmware.burst_s <= len(DEVICES) * SPACING_S + 1 for t in reads)
    spans: dict[float, float] = {}  # burst -> its last read
    for t in reads:
        spans[t // firmware.burst_s * firmware.burst_s] = t
    for burst, last in spans.items():
        tokens = [c for c in sim.calls if c.kind == "token" and burst <= c.time <= last]
        assert len(tokens) <= 1
    last_read = dict.fromkeys(DEVICES, start - 1200.0)  # steady: read by then
    for call in sim.calls:
        if call.kind == "firmware":
            assert call.time - last_read[device_of(call)] <= WEEK_S
            last_read[device_of(call)] = call.time
    assert all(start + WEEK_S - at <= WEEK_S for at in last_read.values())


async def test_product_release_shows_on_every_device_within_the_period(
    hass: HomeAssistant, steady: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """New firmware for a whole product, published right after a read of it: every device
    of the product shows it within the firmware period, read right after the first."""
    wifi = [device_id for device_id in DEVICES if device_id not in SUBS]
    sim.reset_calls()
    assert await clock.advance(
        DAY_S, until=lambda: any(device_of(c) in wifi for c in sim.calls if c.kind == "firmware")
    )
    published = time.time()
    for device_id in wifi:
        sim.publish_firmware(device_id, 0, "2.0.0")
    entities = [entity_of(hass, device_id) for device_id in wifi]
    assert await clock.advance(
        PERIOD_S + 60,
        until=lambda: all(
            hass.states.get(entity_id).attributes["latest_version"] == "2.0.0"
            for entity_id in entities
        ),
    )
    assert time.time() - published <= PERIOD_S + len(wifi) * SPACING_S + 1


async def test_staged_release_shows_within_a_week(
    hass: HomeAssistant, steady: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """A release reaching one device of a product, right after its read, shows within a week,
    and costs no read of the others beyond their schedule."""
    device_id = DEVICES[5]
    sim.reset_calls()
    assert await clock.advance(
        WEEK_S,
        until=lambda: any(device_of(c) == device_id for c in sim.calls if c.kind == "firmware"),
    )
    published = time.time()
    sim.publish_firmware(device_id, 0, "2.0.0")
    entity_id = entity_of(hass, device_id)
    assert await clock.advance(
        WEEK_S,
        until=lambda: hass.states.get(entity_id).attributes["latest_version"] == "2.0.0",
    )
    assert time.time() - published <= WEEK_S


async def test_restart_spends_at_most_five_calls(
    hass: HomeAssistant, steady: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """Unload and setup: a token, the members, the devices; firmware stays on its slots."""
    members = sim.call_count("/members")
    assert await clock.advance(SCAN_S + 60, until=lambda: sim.call_count("/members") > members)
    await clock.advance(1)  # just after a device-list refresh: none is due in the window
    window_s = 600.0
    restart_at = time.time()
    firmware = steady.runtime_data.firmware
    due = {d for d in DEVICES if restart_at <= firmware.due_at(d) < restart_at + window_s}
    token = steady.runtime_data.client._token
    assert token is not None
    renewal_due = restart_at <= token.expires_at - TOKEN_REFRESH_MARGIN_S < restart_at + window_s
    sim.reset_calls()

    assert await hass.config_entries.async_unload(steady.entry_id)
    assert await hass.config_entries.async_setup(steady.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    for device_id in DEVICES:
        entity_id = registry.async_get_entity_id("update", DOMAIN, device_id)
        assert entity_id is not None
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.attributes["installed_version"] == "1.0.0"  # at once, from the store
    await clock.advance(window_s)

    calls = [call for call in sim.calls if call.time < restart_at + window_s]
    reads = {device_of(call) for call in calls if call.kind == "firmware"}
    assert reads == due
    assert len(calls) - len(due) - int(renewal_due) <= 5
    assert Counter(call.kind for call in calls if call.kind != "firmware") == {
        "token": 1,
        "members": 1,
        "devices": 1,
    }


async def test_progress_is_read_only_for_updating_devices(
    hass: HomeAssistant, steady: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """Progress calls follow running updates, every poll interval, and stop at their end."""
    finished = FinishedUpdates(hass)
    sim.reset_calls()
    await hass.services.async_call(DOMAIN, "update_all", {}, blocking=True)
    queue = steady.runtime_data.queue
    assert await clock.advance(
        3600, until=lambda: queue.active_count == 0 and len(finished.events) == len(WITH_UPDATE)
    )
    assert set(finished.results) == {"success"}
    started = {device_id: at for device_id, _, at in sim.start_calls}
    assert set(started) == WITH_UPDATE
    progress = [call for call in sim.calls if call.kind == "progress"]
    assert {device_of(call) for call in progress} == WITH_UPDATE
    first = FIRST_INTERVAL.total_seconds()
    for device_id, at in started.items():
        times = [call.time for call in progress if device_of(call) == device_id]
        # Often at first, then ever less often; the end seen within a fifth of the length.
        assert len(times) <= 16
        assert all(later - earlier >= first for earlier, later in itertools.pairwise(times))
        assert times[0] == pytest.approx(at + first, abs=1)
        assert at + UPDATE_SECONDS <= times[-1] <= at + UPDATE_SECONDS * 1.2 + 10

    sim.reset_calls()
    await clock.advance(3600)
    assert not [call for call in sim.calls if call.kind in ("progress", "start")]


async def test_update_entity_reads_that_device_now(
    hass: HomeAssistant, steady: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """homeassistant.update_entity: one firmware read of that device, nothing else."""
    assert await async_setup_component(hass, "homeassistant", {})
    device_id = DEVICES[5]
    entity_id = entity_of(hass, device_id)
    sim.publish_firmware(device_id, 0, "1.2.0")
    sim.reset_calls()
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": entity_id}, blocking=True
    )
    assert [(call.kind, device_of(call)) for call in sim.calls] == [("firmware", device_id)]
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["latest_version"] == "1.2.0"
