"""``bench bulk``: the makespan of one ``tuya_ota.update_all`` over N devices, against its bound.

Every device of ``build_large``'s home has an update of the same simulated length; every 10th
is a sub-device. The makespan is the simulated time from the action call until the queue is
empty and every ``tuya_ota_update_finished`` event has fired.

The bound. With P = max_parallel, L = the update length, n devices of which n_sub are
sub-devices, no schedule can finish before

    bound = L * max(ceil(n / P), n_sub)

* Never more than P updates overlap, so the updates' intervals can be coloured with P colours
  (interval graphs are perfect); each colour is a sequence of disjoint intervals of length L,
  and one colour holds at least ceil(n / P) of them: makespan >= L * ceil(n / P).
* Sub-devices never overlap each other: makespan >= L * n_sub.
* And no tighter bound exists for equal lengths: put every sub-device on one of the P tracks
  (n_sub <= k updates, k = max(ceil(n / P), n_sub)), fill that track and the others up to k
  updates each; P * k >= n, so everything ends at L * k. The sub-devices do overlap the others,
  only never each other, which the max (not a sum) expresses.

The model counts an update from its start call to the end the cloud reports. What the
integration adds on top (the firmware read before each start, the read after each end, the
progress poll that notices the end) costs no simulated time over loopback except the poll's
granularity: an end is noticed at the first poll at or after it, so an L that is a multiple of
PROGRESS_POLL_INTERVAL (60 s and 5 s here) loses nothing, any other L up to one interval per
update of the longest track.
"""

# ruff: noqa: S101 - pytest modules: assertions check each run is sound before it counts

from __future__ import annotations

from collections import Counter
import math
import time
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.tuya_ota.const import (
    DEFAULT_MAX_PARALLEL,
    DOMAIN,
    PROGRESS_POLL_INTERVAL,
)
from tests.timetravel import Clock
from tests.update_events import FinishedUpdates

from .conftest import large_home_entry, record, start_large_home, wall_clock

UPDATE_SECONDS = 60.0
SIZES = (10, 100, 500)


def lower_bound_s(devices: int, subs: int, parallel: int, length_s: float) -> float:
    """The shortest makespan any schedule can reach (see the module's docstring)."""
    return length_s * max(math.ceil(devices / parallel), subs)


@pytest.mark.parametrize("devices", SIZES)
async def test_bulk_makespan(hass: HomeAssistant, clock: Clock, devices: int) -> None:
    """Update every device with one update_all call; report makespan, bound and ratio."""
    record("bulk", "n", devices, await _run_bulk(hass, clock, devices, UPDATE_SECONDS))


@pytest.mark.parametrize("devices", [100, 500])
async def test_bulk_subs_last(hass: HomeAssistant, clock: Clock, devices: int) -> None:
    """Not in the brief's figures: the same sub-devices, but last in the home's device list.

    update_all queues devices in the list's order, so this shows what the queue's order
    costs when the sub-devices, which must run one at a time, come last.
    """
    figures = await _run_bulk(hass, clock, devices, UPDATE_SECONDS, subs_last=True)
    record("bulk_subs_last", "n", devices, figures)


@pytest.mark.parametrize("devices", [100])
async def test_bulk_odd_length(hass: HomeAssistant, clock: Clock, devices: int) -> None:
    """Not in the brief's figures: an update length that is no multiple of the poll interval."""
    record("bulk_odd_length", "n", devices, await _run_bulk(hass, clock, devices, 62.0))


async def _run_bulk(
    hass: HomeAssistant,
    clock: Clock,
    devices: int,
    update_seconds: float,
    *,
    subs_last: bool = False,
) -> dict[str, Any]:
    wall_start = wall_clock()
    sim = await start_large_home(devices, update_seconds)
    if subs_last:
        # The same number of sub-devices (every 10th), moved to the end of the list.
        n_sub = sum(device.sub for device in sim.devices)
        for index, device in enumerate(sim.devices):
            device.sub = index >= devices - n_sub
    try:
        entry = large_home_entry(sim)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        store = entry.runtime_data.store
        queue = entry.runtime_data.queue
        subs = sum(device.sub for device in sim.devices)
        # The first sweep: every device's firmware known, so every update is offered.
        assert await clock.advance(3600, until=lambda: len(store.firmware_device_ids()) == devices)
        finished = FinishedUpdates(hass)
        sim.reset_calls()
        steps_before = clock.steps
        started_at = time.time()
        await hass.services.async_call(DOMAIN, "update_all", {}, blocking=True)
        all_ended = await clock.advance(
            update_seconds * devices * 2 + 3600,
            until=lambda: queue.active_count == 0 and len(finished.events) == devices,
        )
        makespan = time.time() - started_at
        assert all_ended, f"{queue.active_count} updates still queued or running"
        assert Counter(finished.results) == {"success": devices}
        assert sim.max_concurrent_updates() <= DEFAULT_MAX_PARALLEL
        assert sim.max_concurrent_updates(sub_only=True) <= 1
        calls = Counter(_kind(call.path, call.method) for call in sim.calls)
    finally:
        await sim.stop()
    bound = lower_bound_s(devices, subs, DEFAULT_MAX_PARALLEL, update_seconds)
    return {
        "makespan_s": round(makespan, 2),
        "bound_s": bound,
        "ratio": round(makespan / bound, 4),
        "subs": subs,
        "update_s": update_seconds,
        "poll_s": PROGRESS_POLL_INTERVAL.total_seconds(),
        "calls": dict(calls),
        "clock_steps": clock.steps - steps_before,
        "wall_s": round(wall_clock() - wall_start, 2),
    }


def _kind(path: str, method: str) -> str:
    if path.startswith("/v1.0/token"):
        return "token"
    if path.endswith("/progress"):
        return "progress"
    if "/firmware/" in path and method == "POST":
        return "start"
    if path.endswith("/firmware"):
        return "firmware"
    return path.rsplit("/", 1)[-1]
