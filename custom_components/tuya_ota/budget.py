"""The home's cloud calls: counted per calendar month, shown, and kept inside a budget.

Tuya counts every call a cloud project makes against a monthly quota, tokens included. The
client reports each request the cloud answers; scheduled calls (firmware reads, device-list
refreshes) ask :meth:`CallBudget.scheduled_call_allowed` first and wait when it says no.
Installs, their progress reads, first reads and what a user asks for always go through, and
count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
import math
import time

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .changes import ChangeNotifier
from .storage import TuyaOtaStore

# Scheduled calls may run this far ahead of an even spread over the month, so that the first
# days of a month are not starved and a burst is not cut short.
PACING_HEAD_START = timedelta(days=1)
# A scheduled call may need a token first: the gate keeps room for it.
TOKEN_RESERVE = 1
DAY_S = 86400.0

# Set while a scheduled call runs, so that the count knows its calls (and their tokens).
_SCHEDULED: ContextVar[bool] = ContextVar("tuya_ota_scheduled_call", default=False)


def month_key(moment: datetime) -> str:
    """The calendar month of a local time, as ``YYYY-MM``."""
    return f"{moment.year:04d}-{moment.month:02d}"


def month_bounds(moment: datetime) -> tuple[float, float]:
    """The start of the month of ``moment`` and of the next one (epoch seconds)."""
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + timedelta(days=32)).replace(day=1)
    return start.timestamp(), following.timestamp()


class CallBudget:
    """Counts the home's cloud calls this calendar month (Home Assistant's time zone).

    What is left of the budget after the other calls is for the scheduled ones. While the
    schedule's usual rate fits in it for the rest of the month, nothing slows down; else
    scheduled calls keep to an even spread of it over the month, so that a home whose
    schedule would spend more is read less often all month long instead of stopping early.
    """

    def __init__(self, hass: HomeAssistant, store: TuyaOtaStore, monthly_budget: int) -> None:
        """Take up the counts stored for this month, if any."""
        self._store = store
        self.monthly_budget = monthly_budget
        stored = store.calls
        self._month = stored["month"]
        self._count = stored["count"]
        self._scheduled = stored["scheduled"]
        # The schedule's usual calls a day; until the schedule tells, assume it never fits.
        self.daily_schedule: Callable[[], float] = lambda: math.inf
        self.changes = ChangeNotifier(hass)
        self._roll_month()

    @property
    def calls_this_month(self) -> int:
        """The calls counted since the start of this calendar month."""
        self._roll_month()
        return self._count

    @callback
    def count_call(self) -> None:
        """Count one request the cloud answered (the client's ``on_request``)."""
        self._roll_month()
        self._count += 1
        if _SCHEDULED.get():
            self._scheduled += 1
        self._persist()
        self.changes.async_notify()

    @staticmethod
    @contextmanager
    def scheduled_calls() -> Iterator[None]:
        """Count the calls made in this block (in this task) as scheduled ones."""
        token = _SCHEDULED.set(True)
        try:
            yield
        finally:
            _SCHEDULED.reset(token)

    def scheduled_call_allowed(self, calls: int = 1, *, paced: bool = True) -> bool:
        """Whether a scheduled call (or ``calls`` of them) may be made now.

        Never past the monthly budget. Paced calls also keep inside what is left of it for
        the schedule (see the class). A device never read before is not paced: its entity
        has nothing to show yet.
        """
        needed = calls + TOKEN_RESERVE
        if self.calls_this_month + needed > self.monthly_budget:
            return False
        return not paced or self._scheduled + needed <= self._scheduled_allowance()

    def _scheduled_allowance(self) -> float:
        """What the scheduled calls of this month may have spent by now."""
        start, end = month_bounds(dt_util.now())
        now = time.time()
        for_schedule = self.monthly_budget - (self._count - self._scheduled)
        spread = for_schedule * min(
            (now - start + PACING_HEAD_START.total_seconds()) / (end - start), 1
        )
        rest_of_month = self.daily_schedule() * (end - now) / DAY_S
        return max(spread, for_schedule - rest_of_month)

    def _roll_month(self) -> None:
        """Start counting from zero when a new calendar month has begun."""
        month = month_key(dt_util.now())
        if month != self._month:
            self._month = month
            self._count = self._scheduled = 0
            self._persist()

    def _persist(self) -> None:
        self._store.put_calls(
            {"month": self._month, "count": self._count, "scheduled": self._scheduled}
        )
