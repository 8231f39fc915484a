"""The cloud project's controllable-device pool (Tuya's trials allow about 10 devices a month).

A start call answered 60001001 means the pool is used up: it is no failed update, and no
start call can succeed until the month turns, so none is sent; installs are refused and a
repair issue says why. The month is Home Assistant's local one: whichever time zone Tuya turns
its month in, waiting for the local month errs on the side of sending nothing in vain.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .account_issues import async_sync_issue
from .budget import month_key
from .storage import TuyaOtaStore

ISSUE_DEVICE_POOL_EXHAUSTED = "device_pool_exhausted"


def pool_issue_id(entry_id: str) -> str:
    """The repair issue of one entry's used-up device pool."""
    return f"{ISSUE_DEVICE_POOL_EXHAUSTED}_{entry_id}"


class DevicePool:
    """Whether the project's device pool is used up this month, and its repair issue."""

    def __init__(self, hass: HomeAssistant, store: TuyaOtaStore, entry_id: str, home: str) -> None:
        """Take up what was stored; an issue of a past month goes."""
        self._hass = hass
        self._store = store
        self._entry_id = entry_id
        self._home = home
        self.async_sync_issue()

    @property
    def exhausted(self) -> bool:
        """Whether a start call met 60001001 this calendar month."""
        return self._store.safety["pool_exhausted_month"] == month_key(dt_util.now())

    @callback
    def async_ran_out(self) -> None:
        """A start call met 60001001: no start call until the month turns."""
        self._set_month(month_key(dt_util.now()))

    @callback
    def async_start_succeeded(self) -> None:
        """A start call went through: the pool has room (a bigger plan, a new month)."""
        if self._store.safety["pool_exhausted_month"]:
            self._set_month("")

    def _set_month(self, month: str) -> None:
        self._store.safety["pool_exhausted_month"] = month
        self._store.safety_changed()
        self.async_sync_issue()

    @callback
    def async_sync_issue(self) -> None:
        """The repair issue exists while the pool is used up (it goes when the month turns)."""
        async_sync_issue(
            self._hass,
            pool_issue_id(self._entry_id),
            self.exhausted,
            translation_key=ISSUE_DEVICE_POOL_EXHAUSTED,
            translation_placeholders={"home": self._home},
            config_entry_id=self._entry_id,
        )
