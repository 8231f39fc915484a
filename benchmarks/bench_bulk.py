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

from __future__ import annotations

import math
import time
from collections import Counter

import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.tuya_ota.const import (
    DEFAULT_MAX_PARALLEL,
    DOMAIN,
    EVENT_UPDATE_FINISHED,
    PROGRESS_POLL_INTERVAL,
)
from homeassistant.core import HomeAssistant

from .conftest import Clock, large_home_entry, record, start_large_home, wall_clock

UPDATE_SECONDS = 60.0
SIZES = (10, 100, 500)


def lower_bound_s(devices: int, subs: int, parallel: int, length_s: float) -> float:
    """The shortest makespan any schedule can reach (see the module's docstring)."""
    return length_s * max(math.ceil(devices / parallel), subs)


@pytest.mark.parametrize("devices", SIZES)
async def test_bulk_makespan(hass: HomeAssistant, clock: Clock, devices: int) -> None:
    """Update every device with one update_all call; report makespan, bound and ratio."""
    wall_start = wall_clock()
    sim = await start_large_home(devices, UPDATE_SECONDS)
    try:
        entry = large_home_entry(sim)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        firmware = entry.runtime_data.firmware
        queue = entry.runtime_data.queue
        device_ids = [device.device_id for device in sim.devices]
        subs = sum(device.sub for device in sim.devices)
        # The first sweep: every device's firmware known, so every update is offered.
        assert await clock.advance(
            3600, until=lambda: all(firmware.get(d) is not None for d in device_ids)
        )
        events = async_capture_events(hass, EVENT_UPDATE_FINISHED)
        sim.reset_calls()
        steps_before = clock.steps
        started_at = time.time()
        await hass.services.async_call(DOMAIN, "update_all", {}, blocking=True)
        finished = await clock.advance(
            UPDATE_SECONDS * devices * 2 + 3600,
            until=lambda: queue.active_count == 0 and len(events) == devices,
        )
        makespan = time.time() - started_at
        assert finished, f"{queue.active_count} updates still queued or running"
        assert Counter(event.data["result"] for event in events) == {"success": devices}
        assert sim.max_concurrent_updates() <= DEFAULT_MAX_PARALLEL
        assert sim.max_concurrent_updates(sub_only=True) <= 1
        calls = Counter(_kind(call.path, call.method) for call in sim.calls)
        import os
        if os.environ.get("BENCH_DEBUG"):
            for call in sim.calls:
                print(round(call.time - started_at, 3), call.method, call.path)
    finally:
        await sim.stop()
    bound = lower_bound_s(devices, subs, DEFAULT_MAX_PARALLEL, UPDATE_SECONDS)
    record(
        "bulk",
        {
            "n": devices,
            "makespan_s": round(makespan, 3),
            "bound_s": bound,
            "ratio": round(makespan / bound, 4),
            "subs": subs,
            "update_s": UPDATE_SECONDS,
            "poll_s": PROGRESS_POLL_INTERVAL.total_seconds(),
            "calls": dict(calls),
            "clock_steps": clock.steps - steps_before,
            "wall_s": round(wall_clock() - wall_start, 2),
        },
    )


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
