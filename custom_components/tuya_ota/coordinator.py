"""The home's device list and the user's role, refreshed on one slow cadence."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace
from datetime import datetime
import time
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .account_issues import CloudAccountHealth, async_sync_issue
from .compat import async_forget_device
from .const import (
    CONF_HOME_ID,
    CONF_SCAN_INTERVAL_MINUTES,
    CONF_UID,
    DEFAULT_SCAN_INTERVAL_MINUTES,
    DOMAIN,
    LOGGER,
    REFRESH_RETRY,
)
from .data import TuyaOtaConfigEntry
from .errors import cloud_error
from .tuya_cloud import (
    Device,
    HomeMember,
    Role,
    TuyaAuthError,
    TuyaCloudClient,
    TuyaCloudError,
    TuyaQuotaExhaustedError,
)

if TYPE_CHECKING:
    from .budget import CallBudget


@dataclass(frozen=True, slots=True)
class HomeState:
    """What one refresh of the device list tells."""

    role: Role
    devices: dict[str, Device]


def role_of(uid: str, members: list[HomeMember]) -> Role:
    """The linked user's role; a user missing from the member list may not update."""
    for member in members:
        if member.uid == uid:
            return member.role
    return Role.MEMBER


def role_issue_id(entry_id: str) -> str:
    """The repair issue raised while the user is neither owner nor admin."""
    return f"insufficient_role_{entry_id}"


class TuyaOtaCoordinator(DataUpdateCoordinator[HomeState]):
    """Reads the home's members and devices; firmware and updates are other modules' own.

    The scheduled refreshes are its own, not the base class's interval, so that each one
    asks the call budget first and a failed one is tried again soon, not a period later.
    """

    config_entry: TuyaOtaConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TuyaOtaConfigEntry,
        client: TuyaCloudClient,
        health: CloudAccountHealth,
        budget: CallBudget,
    ) -> None:
        """Set the cadence from the entry's options."""
        minutes = entry.options.get(CONF_SCAN_INTERVAL_MINUTES, DEFAULT_SCAN_INTERVAL_MINUTES)
        super().__init__(
            hass, LOGGER, config_entry=entry, name=f"{DOMAIN} {entry.title}", update_interval=None
        )
        self.client = client
        self.health = health
        self.home_id: int = entry.data[CONF_HOME_ID]
        self.uid: str = entry.data[CONF_UID]
        self.scan_interval_s = float(minutes) * 60
        self._budget = budget
        self._missing_once: set[str] = set()
        self._refreshed_at = 0.0
        self._role_read_at = 0.0
        self._role_lock = asyncio.Lock()
        self._schedule_timer: CALLBACK_TYPE | None = None
        self._schedule_task: asyncio.Task[None] | None = None
        self._schedule_retries = 0
        self._refresh_is_scheduled = False

    async def _async_fetch(self) -> tuple[list[HomeMember], list[Device]]:
        members = await self.client.get_home_members(self.home_id)
        return members, await self.client.get_home_devices(self.home_id)

    async def _async_update_data(self) -> HomeState:
        """Read members and devices; while the quota is spent, keep what was last read.

        The entities then keep their last known firmware and refuse installs with the
        quota's message, instead of turning unavailable for the rest of the month.
        """
        if not self.health.allow_scheduled_call():
            if self.data is not None:
                return self.data
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="quota_exhausted")
        try:
            if self._refresh_is_scheduled:
                # Only the calls themselves: what the listeners start later is not scheduled.
                with self._budget.scheduled_calls():
                    members, devices = await self._async_fetch()
            else:
                members, devices = await self._async_fetch()
        except TuyaAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except TuyaQuotaExhaustedError as err:
            if self.data is not None:
                return self.data
            raise cloud_error(UpdateFailed, err) from err
        except TuyaCloudError as err:
            raise cloud_error(UpdateFailed, err) from err
        state = HomeState(role=role_of(self.uid, members), devices=self._keep_missing(devices))
        self._refreshed_at = self._role_read_at = time.time()
        self._sync_role_issue(state.role)
        return state

    # The scheduled refreshes

    @callback
    def async_start_schedule(self) -> None:
        """Refresh every scan interval from now on (the first refresh has just run)."""
        self._arm(self.scan_interval_s)

    async def async_shutdown(self) -> None:
        """Also stop the scheduled refreshes."""
        if self._schedule_timer is not None:
            self._schedule_timer()
            self._schedule_timer = None
        if self._schedule_task is not None and not self._schedule_task.done():
            self._schedule_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._schedule_task
        await super().async_shutdown()

    @callback
    def _arm(self, delay_s: float) -> None:
        if self._schedule_timer is not None:
            self._schedule_timer()
        self._schedule_timer = async_call_later(self.hass, max(delay_s, 0.0), self._refresh_due)

    def _retry_delay_s(self) -> float:
        """After a failure or a refusal: soon, then doubling, never beyond the interval."""
        self._schedule_retries += 1
        delay: float = REFRESH_RETRY.total_seconds() * 2 ** (self._schedule_retries - 1)
        return min(delay, self.scan_interval_s)

    @callback
    def _refresh_due(self, _now: datetime) -> None:
        self._schedule_timer = None
        wait = self._refreshed_at + self.scan_interval_s - time.time()
        if wait > 1 and self.last_update_success:  # refreshed on request meanwhile
            self._arm(wait)
            return
        if not self._budget.scheduled_call_allowed(calls=2):
            LOGGER.debug("Device list refresh of %s waits for the call budget", self.name)
            self._arm(self._retry_delay_s())
            return
        self._schedule_task = self.config_entry.async_create_task(
            self.hass, self._scheduled_refresh(), f"{self.name} refresh", eager_start=False
        )

    async def _scheduled_refresh(self) -> None:
        self._refresh_is_scheduled = True
        try:
            await self.async_refresh()
        finally:
            self._refresh_is_scheduled = False
        if self.last_update_success:
            self._schedule_retries = 0
            self._arm(self.scan_interval_s)
        else:
            self._arm(self._retry_delay_s())

    # The role, read again before installs

    async def async_confirm_role(self, read_since: float) -> bool:
        """Whether the user may update, from a role read no earlier than ``read_since``.

        Reads the member list when the last read is older (one read for every caller
        waiting at the same time). Raises ``TuyaCloudError`` when it cannot be read.
        """
        async with self._role_lock:
            if self._role_read_at < read_since:
                members = await self.client.get_home_members(self.home_id)
                self._role_read_at = time.time()
                role = role_of(self.uid, members)
                self._sync_role_issue(role)
                if role is not self.data.role:
                    self.async_set_updated_data(replace(self.data, role=role))
        return self.data.role.may_update

    def _keep_missing(self, devices: list[Device]) -> dict[str, Device]:
        """Only a device missing from two lists in a row has left the home.

        A list that misses a device once (a cloud glitch answering an empty home, say) keeps
        it, unavailable, so that nothing of it is lost.
        """
        listed = {device.device_id: device for device in devices}
        kept = dict(listed)
        if self.data is not None:
            for device_id, device in self.data.devices.items():
                if device_id not in listed and device_id not in self._missing_once:
                    kept[device_id] = replace(device, online=False)
            self._remove_stale_devices(set(self.data.devices) - set(kept))
        self._missing_once = set(kept) - set(listed)
        return kept

    @callback
    def _sync_role_issue(self, role: Role) -> None:
        """Raise the repair issue while the role forbids updates; clear it when it allows."""
        if not role.may_update:
            LOGGER.warning(
                "The linked Tuya account is a common member of %s: firmware updates are "
                "refused until the home's owner makes it an administrator",
                self.config_entry.title,
            )
        async_sync_issue(
            self.hass,
            role_issue_id(self.config_entry.entry_id),
            not role.may_update,
            translation_key="insufficient_role",
            translation_placeholders={"home": self.config_entry.title},
            severity=ir.IssueSeverity.WARNING,
            config_entry_id=self.config_entry.entry_id,
        )

    @callback
    def _remove_stale_devices(self, gone: set[str]) -> None:
        """Drop the entities and devices of Tuya devices no longer in the home."""
        if not gone:
            return
        entity_registry = er.async_get(self.hass)
        for device_id in gone:
            LOGGER.info("Device %s left the home; removing its firmware entity", device_id)
            if entity_id := entity_registry.async_get_entity_id("update", DOMAIN, device_id):
                entity_registry.async_remove(entity_id)
            async_forget_device(self.hass, self.config_entry, device_id)

    def may_update(self) -> bool:
        """Whether the last known role allows starting updates."""
        return self.data is not None and self.data.role.may_update
