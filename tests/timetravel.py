"""The tests' clocks: a hand-moved one, and frozen time moved from one timer to the next.

:class:`FakeClock` is for the client and the simulator alone, which take their clock as an
argument. :class:`Clock` drives Home Assistant's frozen time, for tests and benchmarks, and is
the one way they move it: stepping a simulated day second by second is slow; jumping straight
to the next timer runs the same code in the same order, and no cloud call is ever in flight
while time moves. What the tests wait for is named by what a user sees (``until``); only this
module looks inside the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sized
from datetime import UTC, datetime, timedelta
import math
import os
import time
import zlib

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

DAY_S = 86400.0

# Where the hand-moved clock starts (epoch seconds, November 2023).
START = 1_700_000_000.0

# Where the tests that drive Home Assistant's time start (UTC). Each test takes one of them,
# drawn from its name and the Home Assistant release, so a run is the same at any hour and
# the suite as a whole meets the instants users meet. Home Assistant's time zone in the
# tests is US/Pacific (UTC-8, UTC-7 in summer).
START_INSTANTS = (
    datetime(2026, 12, 7, 19, 30, tzinfo=UTC),  # a UTC evening, late morning in US/Pacific
    datetime(2026, 12, 8, 3, 30, tzinfo=UTC),  # 19:30 in US/Pacific: its evening
    datetime(2026, 12, 8, 14, 10, tzinfo=UTC),  # 06:10 in US/Pacific: its morning
    datetime(2026, 12, 31, 23, 40, tzinfo=UTC),  # the last minutes of a UTC month and year
    datetime(2027, 1, 1, 7, 40, tzinfo=UTC),  # 23:40 on 31 December in US/Pacific
    datetime(2027, 3, 1, 7, 50, tzinfo=UTC),  # 23:50 on 28 February in US/Pacific
    datetime(2027, 3, 14, 9, 40, tzinfo=UTC),  # 01:40 in US/Pacific, before summer time
    datetime(2027, 11, 7, 8, 40, tzinfo=UTC),  # 01:40 in US/Pacific, before winter time
)
# Set to an ISO instant, every test starts there instead (to rerun a failure, or to run the
# whole suite at one instant).
START_INSTANT_VARIABLE = "TUYA_OTA_START_INSTANT"


def start_instant(test_id: str, release: str) -> datetime:
    """The instant a test starts at: the variable's, else one drawn from its id."""
    if chosen := os.environ.get(START_INSTANT_VARIABLE):
        return datetime.fromisoformat(chosen).astimezone(UTC)
    return START_INSTANTS[zlib.crc32(f"{test_id} {release}".encode()) % len(START_INSTANTS)]


class FakeClock:
    """A clock the test moves by hand, shared by the client and the simulator."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Clock:
    """Moves frozen time from one scheduled timer to the next, letting each one run.

    Between moves every task and background task of Home Assistant is awaited, so no call to
    the simulated cloud is ever in flight while time jumps (its timeout would fire).
    """

    def __init__(self, hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
        self.hass = hass
        self.freezer = freezer
        self.steps = 0
        # Tasks that wait for time itself (an automation's run waiting on update_all): while
        # some may exist, settling does not wait for every task to end.
        self.tasks_may_wait_on_time = False
        self._waiting_on_time: set[asyncio.Future[object]] = set()

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
            await self._run_tasks()
            if ready:
                continue
            when = self._next_timer()
            if when is None or when > loop.time():
                return
            # The loop runs a timer only once its time is strictly past; a frozen clock never
            # gets there by itself (a zero delay, say), so nudge it by a microsecond.
            self._tick(0)

    async def _run_tasks(self) -> None:
        """Let Home Assistant's tasks run until each has ended or waits for time to move.

        Under frozen time no timeout elapses, so a task waiting for time would hold
        ``async_block_till_done`` forever: one still pending after a few thousand loop
        iterations, with nothing else left to run, is taken as waiting for time.
        """
        if not self.tasks_may_wait_on_time:
            await self.hass.async_block_till_done(wait_background_tasks=True)
            return
        hass = self.hass
        pending: list[asyncio.Future[object]] = []
        for _ in range(5000):
            tasks = hass._tasks | hass._background_tasks
            pending = [task for task in tasks if not task.done()]
            pending = [task for task in pending if task not in self._waiting_on_time]
            if not pending:
                return
            await asyncio.sleep(0)
        self._waiting_on_time.update(pending)

    def timers_of(self, owner: str) -> list[asyncio.TimerHandle]:
        """The timers still armed whose callback names ``owner`` (a module, say)."""
        scheduled: list[asyncio.TimerHandle] = self.hass.loop._scheduled  # type: ignore[attr-defined]
        return [handle for handle in scheduled if not handle.cancelled() and owner in repr(handle)]

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


class Highest:
    """The highest value ``read`` gave at any step of time; as ``until`` it never stops it."""

    def __init__(self, read: Callable[[], int]) -> None:
        self._read = read
        self.value = read()

    def __call__(self) -> bool:
        self.value = max(self.value, self._read())
        return False
