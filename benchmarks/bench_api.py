"""``bench api``: what a home of N devices costs in cloud calls, time, memory and loop stalls.

For each size (``build_large``'s home, every device up to date at first), one run:

1. set up the entry (wall time, longest loop stall, RSS growth) and let the first sweep read
   every device;
2. one simulated day in steady state: every cloud call counted (token calls included), and
   a few sample devices get new firmware right after one of their scheduled reads, the worst
   moment, to measure how long the entity takes to show it;
3. a restart (unload + setup) just after a device-list refresh: the calls of the following
   ten minutes, minus what the schedule would have spent in them anyway;
4. new firmware for every device at one moment, and the time until every entity shows it;
5. ``tuya_ota.update_all`` over every device, with the longest loop stall.

A second, separate setup per size runs under ``tracemalloc`` (which slows everything down,
so it gets its own run) for the extra memory of a setup.
"""

# ruff: noqa: S101 - pytest modules: assertions check each run is sound before it counts

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
import copy
from itertools import pairwise
import math
from pathlib import Path
import time
import tracemalloc
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    async_capture_events,
)

from custom_components.tuya_ota.const import (
    DEFAULT_FIRMWARE_CHECK_HOURS,
    DOMAIN,
    EVENT_UPDATE_FINISHED,
)
from custom_components.tuya_ota.tuya_cloud.client import TOKEN_REFRESH_MARGIN_S
from tests.timetravel import Clock
from tuya_sim import TuyaCloudSimulator

from .conftest import StallMeter, large_home_entry, record, start_large_home, wall_clock

SIZES = (10, 200, 1000)
DAY_S = 86400.0
RESTART_WINDOW_S = 600.0
NOTICE_SAMPLES = 5
OLD, NEW = "1.0.0", "1.0.1"


def _read_device(path: str, method: str) -> str | None:
    """The device whose firmware information this call reads, if it is such a read."""
    if method == "GET" and path.endswith("/firmware"):
        return path.rsplit("/", 2)[-2]
    return None


def _rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    except (OSError, IndexError, ValueError):
        return math.nan
    return pages * 4096 / 2**20


def _all_up_to_date(sim: TuyaCloudSimulator) -> None:
    for device in sim.devices:
        for firmware in device.firmware:
            firmware.version = firmware.current_version = OLD
            firmware.upgrade_status = 0


class NoticeProbe:
    """Publishes new firmware and measures when each entity shows it.

    Devices in ``after_read`` get their new firmware right after their next firmware read,
    the worst moment (the integration then waits for the following read); ``publish`` does
    it at once. Only devices read since the last check are looked at, so a check is cheap.
    """

    def __init__(self, hass: HomeAssistant, sim: TuyaCloudSimulator) -> None:
        self.hass = hass
        self.sim = sim
        registry = er.async_get(hass)
        self.entity_ids = {
            device.device_id: registry.async_get_entity_id("update", DOMAIN, device.device_id)
            for device in sim.devices
        }
        self.after_read: set[str] = set()
        self.published: dict[str, float] = {}
        self.delays: dict[str, float] = {}
        self._seen = 0

    def publish(self, device_id: str, at: float) -> None:
        """Offer the new firmware on the device's channel now."""
        channel = self.sim.get_device(device_id).firmware[0].channel
        self.sim.publish_firmware(device_id, channel, NEW, "Maintenance release.")
        self.published[device_id] = at

    def calls_reset(self) -> None:
        """Follow ``sim.reset_calls()``."""
        self._seen = 0

    def check(self) -> bool:
        """Look at the reads since the last check; False, so it can serve as ``until``."""
        calls = self.sim.calls
        for call in calls[self._seen :]:
            device_id = _read_device(call.path, call.method)
            if device_id is None:
                continue
            if device_id in self.published and device_id not in self.delays:
                state = self.hass.states.get(self.entity_ids[device_id] or "")
                if state is not None and state.attributes.get("latest_version") == NEW:
                    self.delays[device_id] = call.time - self.published[device_id]
            elif device_id in self.after_read:
                self.after_read.discard(device_id)
                self.publish(device_id, call.time)
        self._seen = len(calls)
        return False


def _max_read_gap(reads: dict[str, list[float]]) -> float:
    """The longest time between two firmware reads of one device."""
    gaps = [later - earlier for times in reads.values() for earlier, later in pairwise(times)]
    return max(gaps, default=0.0)


def _min_read_spacing(times: list[float]) -> float:
    ordered = sorted(times)
    return min((b - a for a, b in pairwise(ordered)), default=math.inf)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _stall_figures(setup: StallMeter, bulk: StallMeter) -> dict[str, Any]:
    """The stall figures of the setup and the bulk update, and the worst of both."""
    worst = setup if setup.max_s >= bulk.max_s else bulk
    worst_wall = setup if setup.max_wall_s >= bulk.max_wall_s else bulk
    return {
        "stall_setup_ms": _ms(setup.max_s),
        "stall_bulk_ms": _ms(bulk.max_s),
        "max_stall_ms": _ms(worst.max_s),
        "max_stall_wall_ms": _ms(worst_wall.max_wall_s),
        "gc_pause_max_ms": _ms(max(setup.gc_max_s, bulk.gc_max_s)),
        "sim_stall_ms": _ms(max(setup.sim_max_s, bulk.sim_max_s)),
        "worst_callback": worst.worst,
        "worst_wall_callback": worst_wall.worst_wall,
        "slow_callbacks": sorted(setup.slow + bulk.slow, reverse=True)[:8],
    }


@pytest.mark.parametrize("devices", SIZES)
async def test_api_figures(  # noqa: PLR0915 - one scenario, told in order
    hass: HomeAssistant, clock: Clock, stall_meter: StallMeter, devices: int
) -> None:
    """Calls per device and day, notice delay, restart cost, setup time and loop stalls."""
    wall_start = wall_clock()
    sim = await start_large_home(devices)
    _all_up_to_date(sim)
    figures: dict[str, Any] = {}
    try:
        entry = large_home_entry(sim)
        entry.add_to_hass(hass)

        # 1. Setup and the first sweep.
        rss_before = _rss_mb()
        await stall_meter.start()
        started = wall_clock()
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        figures["setup_wall_s"] = round(wall_clock() - started, 3)
        figures["setup_rss_mb"] = round(_rss_mb() - rss_before, 1)
        stall_meter.active = False
        setup_meter = copy.copy(stall_meter)
        store = entry.runtime_data.store
        sweep_start = time.time()
        assert await clock.advance(3600, until=lambda: len(store.data["firmware"]) == devices)
        figures["first_sweep_s"] = round(time.time() - sweep_start, 1)
        # Slots that passed during the sweep are read right after it: let that backlog clear.
        await clock.advance(600)
        reads: dict[str, list[float]] = defaultdict(list)
        for call in sim.calls:
            if (device_id := _read_device(call.path, call.method)) is not None:
                reads[device_id].append(call.time)

        # 2. One day in steady state, with worst-moment firmware on a few sample devices.
        probe = NoticeProbe(hass, sim)
        ids = [device.device_id for device in sim.devices]
        step = max(len(ids) // NOTICE_SAMPLES, 1)
        probe.after_read = set(ids[::step][:NOTICE_SAMPLES])
        samples = set(probe.after_read)
        sim.reset_calls()
        day_start = time.time()
        await clock.advance(DAY_S, until=probe.check)
        day_calls = [call for call in sim.calls if call.time < day_start + DAY_S]
        by_kind = Counter(call.kind for call in day_calls)
        scheduled_reads: list[float] = []
        for call in day_calls:
            if (device_id := _read_device(call.path, call.method)) is not None:
                reads[device_id].append(call.time)
                scheduled_reads.append(call.time)
        figures["calls_per_device_day"] = round(len(day_calls) / devices, 3)
        figures["day_calls"] = dict(by_kind)
        figures["min_read_spacing_s"] = round(_min_read_spacing(scheduled_reads), 3)
        assert set(probe.delays) == samples, "a sample device never showed its new firmware"
        sample_worst = max(probe.delays.values())
        schedule_worst = _max_read_gap(reads)
        figures["notice_sample_worst_h"] = round(sample_worst / 3600, 3)
        figures["notice_schedule_worst_h"] = round(schedule_worst / 3600, 3)

        # 3. A restart just after a device-list refresh, so that none falls in the window.
        members = sim.call_count("/members")
        assert await clock.advance(3600, until=lambda: sim.call_count("/members") > members)
        await clock.advance(1)
        old = entry.runtime_data
        restart_at = time.time()
        window_end = restart_at + RESTART_WINDOW_S
        due_reads = sum(restart_at <= old.firmware.due_at(d) < window_end for d in ids)
        token = old.client._token  # what the running client would renew in the window
        due_token = int(
            token is not None
            and restart_at <= token.expires_at - TOKEN_REFRESH_MARGIN_S < window_end
        )
        sim.reset_calls()
        probe.calls_reset()
        assert await hass.config_entries.async_unload(entry.entry_id)
        started = wall_clock()
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        figures["restart_setup_wall_s"] = round(wall_clock() - started, 3)
        await clock.advance(RESTART_WINDOW_S)
        window = Counter(call.kind for call in sim.calls if call.time < window_end)
        figures["restart_calls"] = sum(window.values()) - due_reads - due_token
        figures["restart_window"] = {
            "calls": dict(window),
            "scheduled_reads": due_reads,
            "scheduled_token": due_token,
        }

        # 4. New firmware for every device at one moment.
        now = time.time()
        for device_id in ids:
            if device_id not in probe.published:
                probe.publish(device_id, now)
        assert await clock.advance(
            DEFAULT_FIRMWARE_CHECK_HOURS * 3600 + 3600,
            until=lambda: probe.check() or len(probe.delays) == devices,
        )
        all_worst = max(probe.delays[d] for d in ids if d not in samples)
        figures["notice_all_worst_h"] = round(all_worst / 3600, 3)
        worst = max(sample_worst, schedule_worst, all_worst)
        figures["notice_delay_h"] = round(worst / 3600, 4)
        figures["notice_worst_s"] = round(worst, 1)

        # 5. Every device updated through the queue.
        queue = entry.runtime_data.queue
        events = async_capture_events(hass, EVENT_UPDATE_FINISHED)
        stall_meter.reset()
        await stall_meter.start()
        started = wall_clock()
        # In a task of its own, as a call from the frontend or an automation would run.
        await asyncio.get_running_loop().create_task(
            hass.services.async_call(DOMAIN, "update_all", {}, blocking=True),
            name="service call tuya_ota.update_all",
        )
        figures["update_all_call_ms"] = round((wall_clock() - started) * 1000, 1)
        assert await clock.advance(
            60.0 * devices + 3600,
            until=lambda: queue.active_count == 0 and len(events) == devices,
        )
        figures["bulk_wall_s"] = round(wall_clock() - started, 2)
        stall_meter.active = False
        assert Counter(event.data["result"] for event in events) == {"success": devices}
        figures.update(_stall_figures(setup_meter, stall_meter))
    finally:
        await sim.stop()
    figures["wall_s"] = round(wall_clock() - wall_start, 1)
    record("api", "devices", devices, figures)


@pytest.mark.parametrize("devices", SIZES)
async def test_setup_memory(hass: HomeAssistant, devices: int) -> None:
    """Extra memory of a first setup: tracemalloc's peak above what was allocated before."""
    sim = await start_large_home(devices)
    _all_up_to_date(sim)
    try:
        entry = large_home_entry(sim)
        entry.add_to_hass(hass)
        await asyncio.sleep(0)
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        await sim.stop()
    record(
        "api",
        "devices",
        devices,
        {
            "setup_extra_mb": round((peak - before) / 2**20, 2),
            "setup_retained_mb": round((current - before) / 2**20, 2),
        },
    )
