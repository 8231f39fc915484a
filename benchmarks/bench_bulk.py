"""``bench bulk``: the makespan of ``tuya_ota.update_all`` against its bound; one update's cost.

``bulk``: every device of ``build_large``'s home has an update of the same simulated length L,
60 s (10, 100 and 500 devices) and 1,200 s (10 and 100); every 10th device is a sub-device.
The cloud's own timeout is 300 s or twice L, whichever is longer (``cloud_timeout_s``). The
makespan is the simulated time from the action call until the queue is empty and every
``tuya_ota_update_finished`` event has fired.

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

The same bound holds for every L. The goal is a ratio of at most 1.10 for 60-s updates and
1.25 for 1,200-s ones (``report.py``).

One device of a product first. Of a product's m > 1 devices one runs alone (the pilot) until
its update succeeded and a read of its details (C = 60 s after the success, the first of
``back_online``'s checks) shows it back online; only then may the other m - 1 run, P at a
time, and its s sub-devices but the pilot one at a time. So no schedule ends before

    pilot bound = max over products of  L + C + L * max(ceil((m - 1) / P), s - 1)

and the bound stated is the larger of the two. ``build_large``'s home is two products (its
plugs and its sensors); ``bulk_products`` runs 100 devices of one product, and of a product
each (no pilot waits: the pilot bound is 0).

The model counts an update from its start call to the end the cloud reports. What the
integration adds on top (the firmware read before each start, the read after each end)
costs no simulated time over loopback; what it does cost is the delay between an update's
end and the progress read that notices it, once per update of the longest track. How long
that delay is depends on how progress is followed: ``update_cost`` measures it for one
update (``end_seen_late_s``).

``update_cost``: what following one update costs in cloud calls, and how late its end is
seen. One device (``build_large``'s home of one plug) has an update of 60, 300, 1,200 or
3,600 s; the cloud's own timeout is set above the length (twice it, at least 300 s:
``cloud_timeout_s``) so that the update succeeds. It is installed with ``update.install`` and
followed until its ``tuya_ota_update_finished`` event. Each row: ``progress_reads`` (progress
GETs), ``calls_total`` (every cloud call from the install call to the event, tokens
included), ``end_seen_late_s`` (the event's time minus the instant the simulated update
ended, to the hundredth: how late the end was noticed), ``calls`` by kind. The goals are at
most 16 / 32 / 40 progress reads for a 60 / 1,200 / 3,600-s update, and the end seen at most
L / 5 + 10 s late. These rows start at one fixed instant of ``tests/timetravel.py``'s, the
same for every row and lane, so that the integration's own schedule (the device list, the
firmware sweeps) falls the same way into every run.
"""

# ruff: noqa: S101 - pytest modules: assertions check each run is sound before it counts

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
import math
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.update import DOMAIN as UPDATE_DOMAIN, SERVICE_INSTALL
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.tuya_ota.back_online import CHECKS_AFTER_S
from custom_components.tuya_ota.const import (
    DEFAULT_MAX_PARALLEL,
    DOMAIN,
)
from tests.timetravel import Clock, start_instant
from tests.update_events import FinishedUpdates

from .conftest import large_home_entry, record, start_large_home, wall_clock

UPDATE_SECONDS = 60.0
SIZES = (10, 100, 500)
# Long updates: 500 devices would follow 500 updates of 20 minutes, minutes of wall time
# while progress is read every 5 s; 10 and 100 show the same schedule.
LONG_UPDATE_SECONDS = 1200.0
LONG_SIZES = (10, 100)
BULK_CASES = [
    *(pytest.param(UPDATE_SECONDS, n, id=f"{n}") for n in SIZES),
    *(pytest.param(LONG_UPDATE_SECONDS, n, id=f"{n}-long") for n in LONG_SIZES),
]
# One device's update, its length in seconds.
UPDATE_COST_LENGTHS = (60, 300, 1200, 3600)
# Where the update_cost rows start: one instant of the tests' own, the same for every row.
UPDATE_COST_START = "benchmarks update_cost"


def lower_bound_s(devices: int, subs: int, parallel: int, length_s: float) -> float:
    """The shortest makespan any schedule can reach (see the module's docstring)."""
    return length_s * max(math.ceil(devices / parallel), subs)


def pilot_bound_s(
    products: Iterable[tuple[int, int]], parallel: int, length_s: float, confirm_s: float
) -> float:
    """The shortest makespan with one device of each product first (see the docstring).

    ``products`` gives each product's number of devices and of sub-devices among them.
    """
    return max(
        (
            length_s + confirm_s + length_s * max(math.ceil((count - 1) / parallel), subs - 1)
            for count, subs in products
            if count > 1
        ),
        default=0.0,
    )


def cloud_timeout_s(length_s: float) -> int:
    """The cloud's own timeout for an update of ``length_s``: well above it, so it succeeds."""
    return max(300, math.ceil(2 * length_s))


@pytest.mark.parametrize(("update_seconds", "devices"), BULK_CASES)
async def test_bulk_makespan(
    hass: HomeAssistant, clock: Clock, update_seconds: float, devices: int
) -> None:
    """Update every device with one update_all call; report makespan, bound and ratio."""
    figures = await _run_bulk(hass, clock, devices, update_seconds)
    record("bulk", "n", devices, figures, within={"update_s": update_seconds})


@pytest.mark.parametrize("devices", [100, 500])
async def test_bulk_subs_last(hass: HomeAssistant, clock: Clock, devices: int) -> None:
    """Not in the brief's figures: the same sub-devices, but last in the home's device list.

    update_all queues devices in the list's order, so this shows what the queue's order
    costs when the sub-devices, which must run one at a time, come last.
    """
    figures = await _run_bulk(hass, clock, devices, UPDATE_SECONDS, subs_last=True)
    record("bulk_subs_last", "n", devices, figures)


@pytest.mark.parametrize("products", ["one", "many"])
async def test_bulk_products(hass: HomeAssistant, clock: Clock, products: str) -> None:
    """100 devices of one product, and of a product each: what a pilot per product costs."""
    figures = await _run_bulk(hass, clock, 100, UPDATE_SECONDS, products=products)
    record("bulk_products", "n", 100, figures, within={"products": figures["products"]})


@pytest.mark.parametrize("devices", [100])
async def test_bulk_odd_length(hass: HomeAssistant, clock: Clock, devices: int) -> None:
    """Not in the brief's figures: an update length that is no multiple of 5 s."""
    record("bulk_odd_length", "n", devices, await _run_bulk(hass, clock, devices, 62.0))


@pytest.mark.parametrize("length", UPDATE_COST_LENGTHS)
async def test_update_cost(
    hass: HomeAssistant, clock: Clock, freezer: FrozenDateTimeFactory, length: int
) -> None:
    """One device's update of ``length`` seconds: its calls, and how late its end is seen."""
    freezer.move_to(start_instant(UPDATE_COST_START, ""))
    wall_start = wall_clock()
    sim = await start_large_home(1, float(length))
    (device,) = sim.devices
    (firmware,) = device.firmware
    firmware.timeout_s = cloud_timeout_s(length)
    try:
        entry = large_home_entry(sim)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        store = entry.runtime_data.store
        assert await clock.advance(3600, until=lambda: bool(store.firmware_device_ids()))
        (entity_id,) = (
            item.entity_id
            for item in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
            if item.domain == UPDATE_DOMAIN
        )
        finished = FinishedUpdates(hass)
        sim.reset_calls()
        steps_before = clock.steps
        installed_at = time.time()
        await hass.services.async_call(
            UPDATE_DOMAIN, SERVICE_INSTALL, {ATTR_ENTITY_ID: entity_id}, blocking=True
        )
        assert await clock.advance(length * 3 + 3600, until=finished.any_ended)
        seen_at = finished.events[0].time_fired_timestamp
        calls = Counter(_kind(call.path, call.method) for call in sim.calls)
        run = firmware.run
        assert run is not None
        assert run.ended_at is not None, "the event fired before the simulated update ended"
        figures = {
            "progress_reads": calls["progress"],
            "calls_total": len(sim.calls),
            "end_seen_late_s": round(seen_at - run.ended_at, 2),
            "result": finished.results[0],
            "cloud_timeout_s": firmware.timeout_s,
            "start_after_s": round(run.started_at - installed_at, 3),
            "calls": dict(calls),
            "clock_steps": clock.steps - steps_before,
        }
        assert figures["result"] == "success"
        assert run.ended_at - run.started_at == pytest.approx(length)
    finally:
        await sim.stop()
    figures["wall_s"] = round(wall_clock() - wall_start, 2)
    record("update_cost", "update_s", length, figures)


async def _run_bulk(
    hass: HomeAssistant,
    clock: Clock,
    devices: int,
    update_seconds: float,
    *,
    subs_last: bool = False,
    products: str = "two",
) -> dict[str, Any]:
    wall_start = wall_clock()
    sim = await start_large_home(devices, update_seconds)
    if products != "two":  # build_large's: plugs and sensors
        for device in sim.devices:
            device.product_id = "oneproduct" if products == "one" else f"product{device.device_id}"
    for device in sim.devices:
        for firmware in device.firmware:
            firmware.timeout_s = max(firmware.timeout_s or 0, cloud_timeout_s(update_seconds))
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
    sizes = Counter(device.product_id for device in sim.devices)
    subs_of = Counter(device.product_id for device in sim.devices if device.sub)
    bound = max(
        lower_bound_s(devices, subs, DEFAULT_MAX_PARALLEL, update_seconds),
        pilot_bound_s(
            ((count, subs_of[product]) for product, count in sizes.items()),
            DEFAULT_MAX_PARALLEL,
            update_seconds,
            CHECKS_AFTER_S[0],
        ),
    )
    return {
        "makespan_s": round(makespan, 2),
        "bound_s": bound,
        "products": len(sizes),
        "ratio": round(makespan / bound, 4),
        "subs": subs,
        "update_s": update_seconds,
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
