"""The home's cloud calls: counted per calendar month, shown, and kept inside a budget.

Tuya counts every call a cloud project makes against a monthly quota, tokens included. The
client reports each request it sends; scheduled calls (firmware reads, device-list refreshes)
ask :meth:`CallBudget.scheduled_call_allowed` first and wait when it says no. Installs, their
progress reads and what a user asks for always go through, and count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .storage import TuyaOtaStore

# Paced calls may run this far ahead of an even spread of the budget over the month, so that
# the first days of a month are not starved and a burst is not cut short.
PACING_HEAD_START = timedelta(days=1)
# A scheduled call may need a token first: the gate keeps room for it.
TOKEN_RESERVE = 1


def month_key(moment: datetime) -> str:
    """The calendar month of a local time, as ``YYYY-MM``."""
    return f"{moment.year:04d}-{moment.month:02d}"


def month_bounds(moment: datetime) -> tuple[float, float]:
    """The start of the month of ``moment`` and of the next one (epoch seconds)."""
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + timedelta(days=32)).replace(day=1)
    return start.timestamp(), following.timestamp()


class CallBudget:
    """Counts the home's cloud calls this calendar month (Home Assistant's time zone)."""

    def __init__(self, hass: HomeAssistant, store: TuyaOtaStore, monthly_budget: int) -> None:
        """Take up the count stored for this month, if any."""
        self._hass = hass
        self._store = store
        self.monthly_budget = monthly_budget
        self._month = store.data["calls"]["month"]
        self._count = store.data["calls"]["count"]
        self._listeners: list[CALLBACK_TYPE] = []
        self._notify_pending = False
        self._roll_month()

    @property
    def calls_this_month(self) -> int:
        """The calls counted since the start of this calendar month."""
        self._roll_month()
        return self._count

    @callback
    def count_call(self) -> None:
        """Count one request sent to the cloud (the client's ``on_request``)."""
        self._roll_month()
        self._count += 1
        self._persist()
        if not self._notify_pending:
            self._notify_pending = True
            self._hass.loop.call_soon(self._notify)

    def scheduled_call_allowed(self, calls: int = 1, *, paced: bool = True) -> bool:
        """Whether a scheduled call (or ``calls`` of them) may be made now.

        Never past the monthly budget. Paced calls also keep to an even spread of the budget
        over the month, with a day's head start, so that a home whose schedule would spend
        more slows down evenly instead of stopping for the rest of the month. A device never
        read before is not paced: its entity has nothing to show yet.
        """
        needed = self.calls_this_month + calls + TOKEN_RESERVE
        if needed > self.monthly_budget:
            return False
        return not paced or needed <= self._paced_allowance()

    def _paced_allowance(self) -> float:
        """What an even spread of the budget allows by now."""
        start, end = month_bounds(dt_util.now())
        elapsed = dt_util.utcnow().timestamp() - start + PACING_HEAD_START.total_seconds()
        return self.monthly_budget * min(elapsed / (end - start), 1.0)

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> Callable[[], None]:
        """Call ``listener`` after calls were counted (once per burst of calls)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _notify(self) -> None:
        self._notify_pending = False
        for listener in list(self._listeners):
            listener()

    def _roll_month(self) -> None:
        """Start counting from zero when a new calendar month has begun."""
        month = month_key(dt_util.now())
        if month != self._month:
            self._month = month
            self._count = 0
            self._persist()

    def _persist(self) -> None:
        self._store.data["calls"] = {"month": self._month, "count": self._count}
        self._store.async_schedule_save()
