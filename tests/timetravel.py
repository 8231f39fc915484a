"""The tests' clocks: a hand-moved one, and frozen time moved from one timer to the next.

:class:`FakeClock` is for the client and the simulator alone, which take their clock as an
argument. :class:`Clock` drives Home Assistant's frozen time, for tests and benchmarks:
stepping a simulated day second by second is slow; jumping straight to the next timer runs
the same code in the same order, and no cloud call is ever in flight while time moves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sized
from datetime import timedelta
import math
import time

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

DAY_S = 86400.0

# Where the hand-moved clock starts (epoch seconds, November 2023).
START = 1_700_000_000.0


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


class Highest:
    """The highest value ``read`` gave at any step of time; as ``until`` it never stops it."""

    def __init__(self, read: Callable[[], int]) -> None:
        self._read = read
        self.value = read()

    def __call__(self) -> bool:
        self.value = max(self.value, self._read())
        return False
