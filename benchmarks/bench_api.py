"""``bench api``: what a home of N devices costs in cloud calls, time, memory and loop stalls.

For each size (``build_large``'s home, every device up to date at first), one run:

1. set up the entry (wall time, longest loop stall, RSS growth) and let the first sweep read
   every device;
2. one simulated day in steady state: every cloud call counted (token calls included), and
   each product (a few at most) gets new firmware right after a read of one of its devices,
   the worst moment, to measure how long every device of it takes to show it;
3. a restart (unload + setup) just after a device-list refresh: the calls of the following
   ten minutes, minus what the schedule would have spent in them anyway;
4. new firmware for every device at one moment, and the time until every entity shows it;
5. ``tuya_ota.update_all`` over every device, with the longest loop stall.

A second, separate setup per size runs under ``tracemalloc`` (which slows everything down,
so it gets its own run) for the extra memory of a setup.

Then a month (``month``) of homes that look like real ones (``benchmarks.homes``: devices of
one product repeat), 50 devices of 12 products and 200 of 30: the calls of 30 days, the
time until a release for a whole product shows on every device of it, the time until a
release reaching one device of a product (a staged rollout) shows on it, and a restart's
calls. And a calendar month (``budget``) of the 200-device home under a 3,000-call budget,
with the update of its largest product in the middle: the month never passes the budget.
"""

# ruff: noqa: S101 - pytest modules: assertions check each run is sound before it counts

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
import math
from pathlib import Path
import time
import tracemalloc
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest

from custom_components.tuya_ota.const import (
    CONF_MONTHLY_CALL_BUDGET,
    DEFAULT_FIRMWARE_CHECK_HOURS,
    DOMAIN,
)
from custom_components.tuya_ota.tuya_cloud.client import TOKEN_REFRESH_MARGIN_S
from tests.timetravel import DAY_S, Clock, Highest
from tests.update_events import FinishedUpdates
from tuya_sim import TuyaCloudSimulator

from .conftest import (
    StallMeter,
    large_home_entry,
    record,
    start_large_home,
    start_realistic_home,
    wall_clock,
)

SIZES = (10, 200, 1000)
MONTH_S = 30 * DAY_S
RESTART_WINDOW_S = 600.0
NOTICE_SAMPLES = 5
OLD, NEW, NEWER = "1.0.0", "1.0.1", "1.0.2"
# (devices, products) of the month's homes; the last, every device its own product, is the
# worst mix: each device is then a group and is read every firmware period.
MONTH_HOMES = ((50, 12), (200, 30), (50, 50))
BUDGET_HOME = (200, 30)
BUDGET = 3000


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


def _groups(sim: TuyaCloudSimulator) -> list[list[str]]:
    """The devices of one product with the same installed versions, largest group first."""
    groups: dict[tuple[str, tuple[tuple[int, str], ...]], list[str]] = defaultdict(list)
    for device in sim.devices:
        versions = tuple((fw.channel, fw.current_version) for fw in device.firmware)
        groups[(device.product_id, versions)].append(device.device_id)
    return sorted(groups.values(), key=len, reverse=True)


@dataclass
class Release:
    """New firmware for ``targets``, published right after a read of one of ``trigger``."""

    trigger: set[str]
    targets: set[str]
    version: str
    at: float | None = None
    delays: dict[str, float] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        """Whether every target's entity shows it."""
        return len(self.delays) == len(self.targets)

    @property
    def worst_s(self) -> float:
        """The longest wait of a target."""
        return max(self.delays.values())


class ReleaseProbe:
    """Publishes new firmware and measures when each entity shows it.

    A release waits for a read of one of its trigger devices and is published right after
    it, the worst moment (the integration then waits for the following read); ``publish``
    does it at once. Only the reads since the last check are looked at, so a check is cheap.
    """

    def __init__(self, hass: HomeAssistant, sim: TuyaCloudSimulator) -> None:
        self.hass = hass
        self.sim = sim
        registry = er.async_get(hass)
        self.entity_ids = {
            device.device_id: registry.async_get_entity_id("update", DOMAIN, device.device_id)
            for device in sim.devices
        }
        self.releases: list[Release] = []
        self._seen = 0

    def after_read(self, trigger: set[str], targets: set[str], version: str) -> Release:
        """A release published right after the next read of a trigger device."""
        release = Release(trigger, targets, version)
        self.releases.append(release)
        return release

    def publish(self, release: Release, at: float) -> None:
        """Offer the release's firmware on each target's first channel now."""
        for device_id in release.targets:
            channel = self.sim.get_device(device_id).firmware[0].channel
            self.sim.publish_firmware(device_id, channel, release.version, "Maintenance.")
        release.at = at
        if release not in self.releases:
            self.releases.append(release)

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
            for release in self.releases:
                if release.at is None:
                    if device_id in release.trigger:
                        self.publish(release, call.time)
                elif device_id in release.targets and device_id not in release.delays:
                    state = self.hass.states.get(self.entity_ids[device_id] or "")
                    latest = state.attributes.get("latest_version") if state else None
                    if latest is not None and release.version in latest:
                        release.delays[device_id] = call.time - release.at
        self._seen = len(calls)
        return False


def _max_group_read_gap(reads: dict[str, list[float]], groups: list[list[str]]) -> float:
    """The longest time between two firmware reads of any devices of one group."""
    gaps = []
    for group in groups:
        times = sorted(t for device_id in group for t in reads.get(device_id, []))
        gaps += [later - earlier for earlier, later in pairwise(times)]
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


async def _restart_calls(
    hass: HomeAssistant, clock: Clock, sim: TuyaCloudSimulator, entry: Any
) -> tuple[int, dict[str, Any]]:
    """A restart just after a device-list refresh: its calls beyond the schedule's."""
    coordinator = entry.runtime_data.coordinator
    members = sim.call_count("/members")
    assert await clock.advance(
        coordinator.scan_interval_s + DAY_S, until=lambda: sim.call_count("/members") > members
    )
    await clock.advance(1)
    old = entry.runtime_data
    restart_at = time.time()
    window_end = restart_at + RESTART_WINDOW_S
    due_reads = sum(restart_at <= due < window_end for due in old.firmware.next_reads().values())
    token = old.client._token  # what the running client would renew in the window
    due_token = int(
        token is not None and restart_at <= token.expires_at - TOKEN_REFRESH_MARGIN_S < window_end
    )
    sim.reset_calls()
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await clock.advance(RESTART_WINDOW_S)
    window = Counter(call.kind for call in sim.calls if call.time < window_end)
    return sum(window.values()) - due_reads - due_token, {
        "calls": dict(window),
        "scheduled_reads": due_reads,
        "scheduled_token": due_token,
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
        groups = _groups(sim)

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
        assert await clock.advance(3600, until=lambda: len(store.firmware_device_ids()) == devices)
        figures["first_sweep_s"] = round(time.time() - sweep_start, 1)
        # Slots that passed during the sweep are read right after it: let that backlog clear.
        await clock.advance(600)
        reads: dict[str, list[float]] = defaultdict(list)
        for call in sim.calls:
            if (device_id := _read_device(call.path, call.method)) is not None:
                reads[device_id].append(call.time)

        # 2. One day in steady state, with worst-moment firmware for a few samples' products.
        probe = ReleaseProbe(hass, sim)
        for group in groups[:NOTICE_SAMPLES]:  # right after a read of any device of it
            probe.after_read(set(group), set(group), NEW)
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
        assert all(release.shown for release in probe.releases), "a product never showed it"
        sample_worst = max(release.worst_s for release in probe.releases)
        schedule_worst = _max_group_read_gap(reads, groups)
        figures["notice_sample_worst_h"] = round(sample_worst / 3600, 3)
        figures["notice_schedule_worst_h"] = round(schedule_worst / 3600, 3)

        # 3. A restart just after a device-list refresh, so that none falls in the window.
        probe.calls_reset()
        figures["restart_calls"], figures["restart_window"] = await _restart_calls(
            hass, clock, sim, entry
        )
        probe = ReleaseProbe(hass, sim)

        # 4. New firmware for every device at one moment.
        everything = Release(set(), set(probe.entity_ids), NEWER)
        probe.publish(everything, time.time())
        assert await clock.advance(
            DEFAULT_FIRMWARE_CHECK_HOURS * 3600 + 3600,
            until=lambda: probe.check() or everything.shown,
        )
        all_worst = everything.worst_s
        figures["notice_all_worst_h"] = round(all_worst / 3600, 3)
        worst = max(sample_worst, schedule_worst, all_worst)
        figures["notice_delay_h"] = round(worst / 3600, 4)
        figures["notice_worst_s"] = round(worst, 1)

        # 5. Every device updated through the queue.
        queue = entry.runtime_data.queue
        finished = FinishedUpdates(hass)
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
            until=lambda: queue.active_count == 0 and len(finished.events) == devices,
        )
        figures["bulk_wall_s"] = round(wall_clock() - started, 2)
        stall_meter.active = False
        assert Counter(finished.results) == {"success": devices}
        figures.update(_stall_figures(setup_meter, stall_meter))
    finally:
        await sim.stop()
    figures["wall_s"] = round(wall_clock() - wall_start, 1)
    record("api", "devices", devices, figures)


@pytest.mark.parametrize(("devices", "products"), MONTH_HOMES)
async def test_month(hass: HomeAssistant, clock: Clock, devices: int, products: int) -> None:
    """A month of a home whose devices share products: calls, notice delays, a restart.

    On the first day, three products (the largest group, a middle one, a single device) get
    a release right after a read of one of their devices; two devices of other products get
    a release of their own right after their own read (a staged rollout).
    """
    wall_start = wall_clock()
    sim = await start_realistic_home(devices, products)
    figures: dict[str, Any] = {"devices": devices, "products": products}
    try:
        entry = large_home_entry(sim)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        store = entry.runtime_data.store
        assert await clock.advance(3600, until=lambda: len(store.firmware_device_ids()) == devices)
        await clock.advance(3600)
        groups = _groups(sim)
        figures["groups"] = len(groups)
        probe = ReleaseProbe(hass, sim)
        singles = [group for group in groups if len(group) == 1]
        whole = [groups[0], groups[len(groups) // 2], *singles[:1]]
        product = [probe.after_read(set(group), set(group), "7.0.0") for group in whole]
        spread = [group for group in groups if len(group) >= 3 and group not in whole]
        staged = [probe.after_read({group[1]}, {group[1]}, "7.5.0") for group in spread[:2]]
        sim.reset_calls()
        start = time.time()
        await clock.advance(MONTH_S, until=probe.check)
        month = [call for call in sim.calls if call.time < start + MONTH_S]
        assert all(release.shown for release in probe.releases), "a release never showed"
        figures["calls_per_month"] = len(month)
        figures["month_calls"] = dict(Counter(call.kind for call in month))
        figures["notice_product_h"] = round(max(r.worst_s for r in product) / 3600, 2)
        # A home where every device is its own product has no staged rollout to measure.
        figures["notice_staged_h"] = (
            round(max(r.worst_s for r in staged) / 3600, 2) if staged else None
        )
        figures["restart_calls"], figures["restart_window"] = await _restart_calls(
            hass, clock, sim, entry
        )
    finally:
        await sim.stop()
    figures["wall_s"] = round(wall_clock() - wall_start, 1)
    record("month", "home", devices * 1000 + products, figures)


async def test_budget_month(
    hass: HomeAssistant, clock: Clock, freezer: FrozenDateTimeFactory
) -> None:
    """A calendar month of the 200-device home under a 3,000-call budget, set up on the 1st.

    On the 10th its largest product gets a release and is updated (``update_all`` on those
    entities): installs always go through, and the scheduled reads slow down to make room.
    """
    wall_start = wall_clock()
    devices, products = BUDGET_HOME
    sim = await start_realistic_home(devices, products)
    today = dt_util.now()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    freezer.move_to(dt_util.as_local(datetime(first.year, first.month, 1)))
    month_end = (dt_util.now() + timedelta(days=32)).replace(day=1).timestamp()
    figures: dict[str, Any] = {"budget": BUDGET, "devices": devices, "products": products}
    try:
        entry = large_home_entry(sim, {CONF_MONTHLY_CALL_BUDGET: BUDGET})
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        budget = entry.runtime_data.budget
        highest = Highest(lambda: budget.calls_this_month)
        await clock.advance(9 * DAY_S, until=highest)
        largest = _groups(sim)[0]
        probe = ReleaseProbe(hass, sim)
        probe.publish(Release(set(), set(largest), "7.0.0"), time.time())
        await clock.advance(DAY_S, until=lambda: highest() or probe.check())
        before = budget.calls_this_month
        finished = FinishedUpdates(hass)
        entity_ids = [probe.entity_ids[device_id] for device_id in largest]
        await hass.services.async_call(DOMAIN, "update_all", {"entity_id": entity_ids})
        queue = entry.runtime_data.queue
        assert await clock.advance(
            DAY_S, until=lambda: highest() or (queue.active_count == 0 and len(finished.events) > 0)
        )
        figures["installed"] = Counter(finished.results)["success"]
        figures["install_calls"] = budget.calls_this_month - before
        await clock.advance(month_end - time.time() - 1, until=highest)
        figures["calls_per_month"] = budget.calls_this_month
        figures["highest"] = highest.value
        figures["firmware_reads"] = sum(call.kind == "firmware" for call in sim.calls)
        assert highest.value <= BUDGET
    finally:
        await sim.stop()
    figures["wall_s"] = round(wall_clock() - wall_start, 1)
    record("budget", "devices", devices, figures)


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
