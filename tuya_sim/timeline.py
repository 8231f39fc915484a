"""The simulator's time model: an update's state computed from the clock, never by a timer.

Everything is a pure function of the run, the device's online history and "now", so tests
that freeze or advance the clock drive the simulated updates.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

from .models import SimRun

UPGRADING = 2
SUCCEEDED = 3
FAILED = 4
WAITING_WAKEUP = 5
TIMED_OUT = 7

OnlineLog = list[tuple[float, bool]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a run ends (``end`` None: never, as things stand) and its state at that time."""

    end: float | None
    status: int
    progress: int


def online_at(log: OnlineLog, now: float) -> bool:
    """Whether the device is online at ``now`` (the log may hold a scheduled comeback)."""
    return next((online for since, online in reversed(log) if since <= now), log[0][1])


def online_seconds(log: OnlineLog, start: float, end: float) -> float:
    """Seconds the device was online between ``start`` and ``end``."""
    total = 0.0
    for index, (since, online) in enumerate(log):
        until = log[index + 1][0] if index + 1 < len(log) else math.inf
        if online:
            total += max(0.0, min(end, until) - max(start, since))
    return total


def online_reached(log: OnlineLog, start: float, amount: float) -> float | None:
    """When the device will have been online ``amount`` seconds since ``start``.

    The last state of the log is assumed to hold forever; None means never (offline now).
    """
    remaining = max(amount, 0.0)
    for index, (since, online) in enumerate(log):
        until = log[index + 1][0] if index + 1 < len(log) else math.inf
        if not online or until <= start:
            continue
        begin = max(start, since)
        if until - begin >= remaining:
            return begin + remaining
        remaining -= until - begin
    return None


def progress_at(run: SimRun, log: OnlineLog, now: float) -> int:
    """Percentage of a running update: online time since the device woke over its length."""
    if run.update_seconds is None or now <= run.active_from:
        return 0
    if run.update_seconds <= 0:
        return 99
    done = online_seconds(log, run.active_from, now)
    return min(max(math.floor(100 * done / run.update_seconds), 0), 99)


def outcome(run: SimRun, log: OnlineLog) -> Outcome:
    """Predict the end of a run from the online history known so far."""
    natural: float | None = None
    percent = 100
    if run.update_seconds is not None:
        if run.fail_at_percent is not None:
            percent = min(max(run.fail_at_percent, 0), 100)
        natural = online_reached(log, run.active_from, max(run.update_seconds, 0) * percent / 100)
    if natural is not None and (run.deadline is None or natural <= run.deadline):
        status = SUCCEEDED if run.fail_at_percent is None else FAILED
        return Outcome(natural, status, percent)
    if run.deadline is not None:
        return Outcome(run.deadline, TIMED_OUT, progress_at(run, log, run.deadline))
    return Outcome(None, UPGRADING, 0)


def state_at(run: SimRun, log: OnlineLog, now: float) -> tuple[int, int]:
    """Status and progress of a run that has not ended at ``now``."""
    if now < run.active_from:
        return WAITING_WAKEUP, 0
    return UPGRADING, progress_at(run, log, now)
