"""The benchmarks' harness: Home Assistant's test instance, a simulated cloud, a driven clock.

Time is frozen (freezegun, through pytest-homeassistant-custom-component's ``freezer``) and
moved by :class:`Clock` from one scheduled timer to the next, so hours of simulated time cost
only the work done in them. Results are collected in :data:`RESULTS` and written, at the end
of the session, to the JSON file named by ``TUYA_OTA_BENCH_OUT`` (``scripts/bench`` reads it).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
from collections.abc import Callable, Generator, Sized
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import api as freezegun_api
from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.const import (
    CONF_ACCESS_ID,
    CONF_ACCESS_SECRET,
    CONF_ENDPOINT,
    CONF_HOME_ID,
    CONF_UID,
    DOMAIN,
)
from homeassistant.core import HomeAssistant
from tuya_sim import TuyaCloudSimulator
from tuya_sim.scenarios import (
    DEMO_ACCESS_ID,
    DEMO_ACCESS_SECRET,
    DEMO_UID,
    LARGE_HOME_ID,
    build_large,
)

pytest_plugins = ["pytest_homeassistant_custom_component"]

RESULTS_ENV = "TUYA_OTA_BENCH_OUT"
RESULTS: dict[str, list[dict[str, Any]]] = {}


def record(kind: str, row: dict[str, Any]) -> None:
    """Keep one result row; rows of a kind are written sorted by their first key."""
    RESULTS.setdefault(kind, []).append(row)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the collected results for ``scripts/bench``."""
    out = os.environ.get(RESULTS_ENV)
    if not out:
        return
    payload = {
        kind: sorted(rows, key=lambda row: next(iter(row.values())))
        for kind, rows in RESULTS.items()
    }
    Path(out).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: Any) -> Generator[None]:
    """Let Home Assistant load custom_components/tuya_ota."""
    yield


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: Any) -> Generator[None]:
    """Let the benchmarks open loopback sockets to the simulated cloud."""
    yield


@pytest.fixture(autouse=True)
def enable_event_loop_debug(event_loop: asyncio.AbstractEventLoop) -> None:
    """Run the loop as Home Assistant runs it, not in asyncio's (slow) debug mode.

    The harness turns debug mode on for tests; it records a traceback for every callback
    scheduled and would distort every wall-clock figure.
    """
    event_loop.set_debug(False)


class StallMeter:
    """The longest single callback (task step, timer, I/O callback) the event loop ran.

    Wraps ``asyncio.events.Handle._run`` and times each outermost run with the real
    ``perf_counter`` (freezegun freezes the patched one, and the loop's own clock too, so
    asyncio's slow-callback warnings are meaningless here).
    """

    def __init__(self) -> None:
        self.active = False
        self.max_s = 0.0
        self.worst = ""
        self._depth = 0
        self._original: Callable[[asyncio.Handle], None] | None = None

    def install(self) -> None:
        """Start wrapping the loop's callbacks (measuring only while ``active``)."""
        original = asyncio.events.Handle._run
        self._original = original
        meter = self

        def _run(handle: asyncio.Handle) -> None:
            if not meter.active or meter._depth:
                original(handle)
                return
            meter._depth += 1
            start = wall_clock()
            try:
                original(handle)
            finally:
                meter._depth -= 1
                elapsed = wall_clock() - start
                if elapsed > meter.max_s:
                    meter.max_s = elapsed
                    meter.worst = _describe(handle)

        asyncio.events.Handle._run = _run  # type: ignore[method-assign]

    def uninstall(self) -> None:
        """Restore asyncio's own ``Handle._run``."""
        if self._original is not None:
            asyncio.events.Handle._run = self._original  # type: ignore[method-assign]
            self._original = None

    def reset(self) -> None:
        """Forget the longest callback seen so far."""
        self.max_s = 0.0
        self.worst = ""


def _describe(handle: asyncio.Handle) -> str:
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        return f"task {owner.get_name()} ({owner.get_coro()!r})"[:200]
    return repr(handle)[:200]


@pytest.fixture
def stall_meter() -> Generator[StallMeter]:
    """A :class:`StallMeter` installed for the duration of one benchmark."""
    meter = StallMeter()
    meter.install()
    try:
        yield meter
    finally:
        meter.uninstall()


class Clock:
    """Moves frozen time from one scheduled timer to the next, letting each one run.

    Between moves every task and background task of Home Assistant is awaited, so no call to
    the simulated cloud is ever in flight while time jumps (its timeout would fire).
    """

    def __init__(self, hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
        self.hass = hass
        self.freezer = freezer
        self.steps = 0

    @staticmethod
    def now() -> float:
        """The frozen wall clock (epoch seconds), as the integration and the cloud see it."""
        return time.time()

    async def settle(self) -> None:
        """Run everything that is ready or due at the current instant, and what it starts."""
        loop = self.hass.loop
        ready: Sized = loop._ready  # type: ignore[attr-defined]
        while True:
            # Timers due now run in the loop's next iteration, after this task's wake-up.
            await asyncio.sleep(0)
            await self.hass.async_block_till_done(wait_background_tasks=True)
            if ready:
                continue
            when = self._next_timer()
            if when is None or when > loop.time():
                return
            # The loop runs a timer only once its time is strictly past; a frozen clock never
            # gets there by itself (a zero delay, say), so nudge it by a microsecond.
            self._tick(0)

    def _next_timer(self) -> float | None:
        loop = self.hass.loop
        scheduled: list[asyncio.TimerHandle] = loop._scheduled  # type: ignore[attr-defined]
        whens = [handle.when() for handle in scheduled if not handle.cancelled()]
        return min(whens) if whens else None

    def _tick(self, seconds: float) -> None:
        # freezegun keeps microseconds; the loop runs a timer once strictly past its time.
        micros = max(math.ceil(seconds * 1_000_000), 0) + 1
        self.freezer.tick(timedelta(microseconds=micros))
        self.steps += 1

    async def advance(self, seconds: float, until: Callable[[], bool] | None = None) -> bool:
        """Run ``seconds`` of simulated time; stop early (True) once ``until()`` holds."""
        loop = self.hass.loop
        end = loop.time() + seconds
        while True:
            await self.settle()
            if until is not None and until():
                return True
            now = loop.time()
            if now >= end:
                return False
            when = self._next_timer()
            target = end if when is None else min(when, end)
            self._tick(target - now)


@pytest.fixture
def clock(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> Clock:
    """The benchmark's driven clock."""
    return Clock(hass, freezer)


async def start_large_home(devices: int, update_seconds: float = 60.0) -> TuyaCloudSimulator:
    """A simulated cloud with ``build_large``'s home, serving on a loopback port."""
    sim = TuyaCloudSimulator(access_id=DEMO_ACCESS_ID, access_secret=DEMO_ACCESS_SECRET)
    build_large(sim, devices, update_seconds)
    await sim.start(host="127.0.0.1", port=0)
    return sim


def large_home_entry(sim: TuyaCloudSimulator, options: dict[str, Any] | None = None) -> MockConfigEntry:
    """The entry the config flow would create for the large home's owner."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Large Home",
        unique_id=str(LARGE_HOME_ID),
        data={
            CONF_ENDPOINT: sim.url,
            CONF_ACCESS_ID: DEMO_ACCESS_ID,
            CONF_ACCESS_SECRET: DEMO_ACCESS_SECRET,
            CONF_UID: DEMO_UID,
            CONF_HOME_ID: LARGE_HOME_ID,
        },
        options=options or {},
    )


def wall_clock() -> float:
    """The real ``perf_counter``, whatever freezegun has patched (it freezes the other one)."""
    return freezegun_api.real_perf_counter()
