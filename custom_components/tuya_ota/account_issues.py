"""Trouble with the cloud project's plan: repair issues, and the gate of scheduled calls.

An expired IoT Core trial, a spent monthly quota or a missing API product make every call of
that kind fail until the user acts on the Tuya platform (or the month turns). Each one shows
as a repair issue saying what to do, raised by whatever call meets it and gone by itself once
calls succeed again. While the quota is spent, scheduled calls stop but for a rare probe.
"""

from __future__ import annotations

from datetime import timedelta
import time
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util.hass_dict import HassKey

from .compat import issue_link
from .const import DOMAIN, LOGGER
from .tuya_cloud import (
    TuyaApiNotSubscribedError,
    TuyaCloudError,
    TuyaQuotaExhaustedError,
    TuyaTrialExpiredError,
)

if TYPE_CHECKING:
    from .data import TuyaOtaConfigEntry

# While the quota is spent, one scheduled call in this period checks whether it is back (a new
# month, a bigger plan): 4 failed calls a day instead of the usual hundreds.
QUOTA_PROBE_INTERVAL = timedelta(hours=6)

ISSUE_TRIAL_EXPIRED = "trial_expired"
ISSUE_QUOTA_EXHAUSTED = "quota_exhausted"
ISSUE_API_NOT_SUBSCRIBED = "api_not_subscribed"

_HEALTH: HassKey[dict[str, CloudAccountHealth]] = HassKey(f"{DOMAIN}_account_health")


class CloudAccountHealth:
    """What the cloud last said about one entry's project: trial, quota, missing products.

    Kept per entry across reloads and setup retries, so that a setup retried while the quota
    is spent makes no call until the next probe.
    """

    def __init__(self, hass: HomeAssistant, title: str) -> None:
        """Start healthy."""
        self._hass = hass
        self.title = title
        self.trial_expired = False
        self.quota_exhausted_since: float | None = None
        self._last_probe_at = 0.0
        # Refused product → the call that showed it.
        self.not_subscribed: dict[str, str] = {}

    @classmethod
    @callback
    def for_entry(cls, hass: HomeAssistant, entry: TuyaOtaConfigEntry) -> CloudAccountHealth:
        """The entry's health, kept from an earlier setup of it when there was one."""
        healths = hass.data.setdefault(_HEALTH, {})
        health = healths.get(entry.entry_id)
        if health is None:
            health = healths[entry.entry_id] = cls(hass, entry.title)
        health.title = entry.title
        return health

    @property
    def quota_exhausted(self) -> bool:
        """Whether the month's call quota is spent: installs are refused, calls wait."""
        return self.quota_exhausted_since is not None

    def allow_scheduled_call(self) -> bool:
        """The one gate every scheduled cloud call passes (device list, firmware reads).

        False while the quota is spent, but for one probe per ``QUOTA_PROBE_INTERVAL``: the
        first call asking after the interval is let through, and its success lifts the pause.
        """
        if self.quota_exhausted_since is None:
            return True
        now = time.time()
        if now - self._last_probe_at < QUOTA_PROBE_INTERVAL.total_seconds():
            return False
        self._last_probe_at = now
        LOGGER.debug("%s: checking whether the cloud call quota is back", self.title)
        return True

    @callback
    def observe(self, product: str, error: TuyaCloudError | None) -> None:
        """The client's report of every business call (``CallObserver``)."""
        if error is None:
            self.note_success(product)
        else:
            self.note_error(error)

    @callback
    def note_error(self, err: TuyaCloudError) -> None:
        """Raise the repair issue of an account error; other errors tell nothing here."""
        if isinstance(err, TuyaTrialExpiredError):
            if self.trial_expired:
                return
            self.trial_expired = True
            LOGGER.warning("%s: the Tuya cloud project's IoT Core trial has expired", self.title)
        elif isinstance(err, TuyaQuotaExhaustedError):
            if self.quota_exhausted_since is not None:
                return
            self.quota_exhausted_since = self._last_probe_at = time.time()
            LOGGER.warning(
                "%s: the Tuya cloud project's call quota is spent; scheduled calls pause "
                "(but for one check every %s) and installs are refused",
                self.title,
                QUOTA_PROBE_INTERVAL,
            )
        elif isinstance(err, TuyaApiNotSubscribedError):
            if err.product in self.not_subscribed:
                return  # the first refused call already says it
            self.not_subscribed[err.product] = err.call
            LOGGER.warning(
                "%s: the Tuya cloud project has not subscribed to %s (%s refused)",
                self.title,
                err.product,
                err.call,
            )
        else:
            return
        _async_sync_issues(self._hass)

    @callback
    def note_success(self, product: str) -> None:
        """A call answered: the trial and the quota are fine, and so is the call's product."""
        if not (self.trial_expired or self.quota_exhausted or product in self.not_subscribed):
            return
        if self.quota_exhausted:
            LOGGER.info("%s: the Tuya cloud answers again; scheduled calls resume", self.title)
        self.trial_expired = False
        self.quota_exhausted_since = None
        self.not_subscribed.pop(product, None)
        _async_sync_issues(self._hass)


@callback
def async_forget_account_health(hass: HomeAssistant, entry_id: str) -> None:
    """An entry removed or disabled: its project's trouble is no one's concern any more."""
    if hass.data.get(_HEALTH, {}).pop(entry_id, None) is not None:
        _async_sync_issues(hass)


def _joined(values: list[str]) -> str:
    return ", ".join(sorted(set(values)))


def _only_entry(entry_ids: list[str]) -> str | None:
    """The entry an issue belongs to: the one concerned, or none when several are."""
    return entry_ids[0] if len(entry_ids) == 1 else None


@callback
def _async_sync_issues(hass: HomeAssistant) -> None:
    """Each issue exists while some entry meets its trouble; it names the homes concerned."""
    healths = hass.data.get(_HEALTH, {})
    trial = [entry_id for entry_id, health in healths.items() if health.trial_expired]
    quota = [entry_id for entry_id, health in healths.items() if health.quota_exhausted]
    refused = [entry_id for entry_id, health in healths.items() if health.not_subscribed]
    async_sync_issue(
        hass,
        ISSUE_TRIAL_EXPIRED,
        bool(trial),
        translation_key="trial_expired",
        translation_placeholders={"homes": _joined([healths[e].title for e in trial])},
        config_entry_id=_only_entry(trial),
    )
    async_sync_issue(
        hass,
        ISSUE_QUOTA_EXHAUSTED,
        bool(quota),
        translation_key="quota_exhausted",
        translation_placeholders={
            "homes": _joined([healths[e].title for e in quota]),
            "probe_hours": str(int(QUOTA_PROBE_INTERVAL.total_seconds() // 3600)),
        },
        config_entry_id=_only_entry(quota),
    )
    missing = [healths[e].not_subscribed for e in refused]
    async_sync_issue(
        hass,
        ISSUE_API_NOT_SUBSCRIBED,
        bool(refused),
        translation_key="api_not_subscribed",
        translation_placeholders={
            "homes": _joined([healths[e].title for e in refused]),
            "product": _joined([product for products in missing for product in products]),
            "call": _joined([call for products in missing for call in products.values()]),
        },
        config_entry_id=_only_entry(refused),
    )


@callback
def async_sync_issue(
    hass: HomeAssistant,
    issue_id: str,
    present: bool,
    *,
    translation_key: str,
    translation_placeholders: dict[str, str],
    severity: ir.IssueSeverity = ir.IssueSeverity.ERROR,
    config_entry_id: str | None = None,
) -> None:
    """Raise the repair issue while ``present``, and delete it once not: it fixes itself.

    Linked to ``config_entry_id``, the one entry it concerns, where Home Assistant can.
    """
    if not present:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        is_persistent=False,
        severity=severity,
        translation_key=translation_key,
        translation_placeholders=translation_placeholders,
        **issue_link(hass, config_entry_id),
    )
