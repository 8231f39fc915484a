"""Each device's firmware information, read on a slow staggered cadence, kept across restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from datetime import datetime
import math
import time
from typing import TYPE_CHECKING
import zlib

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .const import (
    CONF_FIRMWARE_CHECK_HOURS,
    DEFAULT_FIRMWARE_CHECK_HOURS,
    FIRMWARE_READ_SPACING,
    LOGGER,
)
from .storage import TuyaOtaStore, channels_from_json, channels_to_json
from .tuya_cloud import (
    FirmwareChannel,
    TuyaCloudClient,
    TuyaCloudError,
    TuyaDeviceNotFoundError,
    TuyaDeviceOfflineError,
)

if TYPE_CHECKING:
    from .account_issues import CloudAccountHealth
    from .coordinator import TuyaOtaCoordinator
    from .data import TuyaOtaConfigEntry

# After a failed read (cloud down, rate limited) scheduled reads pause this long, doubling.
FAILURE_BACKOFF_S = 60.0
FAILURE_BACKOFF_MAX_S = 3600.0
# A read the gate of scheduled calls held back asks the gate again after this long.
GATE_RECHECK_S = 900.0


def installed_version(channels: list[FirmwareChannel]) -> str | None:
    """The entity's installed version: one channel's version, or every channel named."""
    if not channels:
        return None
    if len(channels) == 1:
        return channels[0].current_version
    return " / ".join(f"{channel.name} {channel.current_version}" for channel in channels)


def latest_version(channels: list[FirmwareChannel]) -> str | None:
    """The entity's latest version: an offered version replaces the current one."""
    if not channels:
        return None

    def offered(channel: FirmwareChannel) -> str:
        return channel.version if channel.update_available else channel.current_version

    if len(channels) == 1:
        return offered(channels[0])
    return " / ".join(f"{channel.name} {offered(channel)}" for channel in channels)


def release_notes(channels: list[FirmwareChannel]) -> str | None:
    """The offered firmware's notes; with several channels, each under its name."""
    offered = [channel for channel in channels if channel.update_available]
    if not offered:
        return None
    if len(channels) == 1:
        return offered[0].desc or None
    return "\n\n".join(
        f"### {channel.name} {channel.version}\n\n{channel.desc}".rstrip() for channel in offered
    )


def update_available(channels: list[FirmwareChannel]) -> bool:
    """Whether any channel offers newer firmware."""
    return any(channel.update_available for channel in channels)


class FirmwareTracker:
    """Reads devices' firmware information, each on its own slot of a common period.

    A device's slot is fixed by a hash of its id, so reads spread evenly over the period
    whatever the size of the home, and stay where they were across restarts. Devices never
    read before are read first, spaced by ``FIRMWARE_READ_SPACING``.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TuyaOtaConfigEntry,
        client: TuyaCloudClient,
        coordinator: TuyaOtaCoordinator,
        store: TuyaOtaStore,
        health: CloudAccountHealth,
    ) -> None:
        """Restore every device's last known firmware from the store."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._coordinator = coordinator
        self._health = health
        self._store = store
        hours = entry.options.get(CONF_FIRMWARE_CHECK_HOURS, DEFAULT_FIRMWARE_CHECK_HOURS)
        self.period_s = float(hours) * 3600
        self._channels: dict[str, list[FirmwareChannel]] = {}
        self._checked_at: dict[str, float] = {}
        for device_id, stored in store.data["firmware"].items():
            channels = channels_from_json(stored["channels"])
            if channels is not None:
                self._channels[device_id] = channels
                self._checked_at[device_id] = stored["checked_at"]
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._read_task: asyncio.Task[None] | None = None
        self._reading = False
        self._stopped = False
        self._last_read_at = 0.0
        self._failures = 0
        self._paused_until = 0.0
        self._on_change: list[Callable[[str], None]] = []

    def get(self, device_id: str) -> list[FirmwareChannel] | None:
        """The device's last known firmware channels, or None before its first read."""
        return self._channels.get(device_id)

    def checked_at(self, device_id: str) -> float | None:
        """When the device's firmware was last read (epoch seconds)."""
        return self._checked_at.get(device_id)

    def devices_with_update(self) -> list[str]:
        """Known devices of the home whose firmware offers an update."""
        devices = self._coordinator.data.devices
        return [
            device_id
            for device_id in devices
            if update_available(self._channels.get(device_id, []))
        ]

    def due_at(self, device_id: str) -> float:
        """When the device's firmware should next be read (0 when never read).

        The next slot strictly after the last read, so the gap between reads never exceeds
        the period, which bounds the delay to notice new firmware.
        """
        checked = self._checked_at.get(device_id)
        if checked is None:
            return 0.0
        phase = (zlib.crc32(device_id.encode()) / 2**32) * self.period_s
        slots = math.floor((checked - phase) / self.period_s) + 1
        return phase + slots * self.period_s

    async def async_read(self, device_id: str) -> list[FirmwareChannel]:
        """Read the device's firmware now, keep it and tell its entity. Raises cloud errors."""
        channels = await self._client.get_firmware(device_id)
        self.store(device_id, channels)
        return channels

    @callback
    def store(self, device_id: str, channels: list[FirmwareChannel]) -> None:
        """Keep a device's freshly read firmware and persist it."""
        self._channels[device_id] = channels
        self._checked_at[device_id] = time.time()
        self._store.data["firmware"][device_id] = {
            "checked_at": self._checked_at[device_id],
            "channels": channels_to_json(channels),
        }
        self._store.async_schedule_save()
        for listener in list(self._on_change):
            listener(device_id)
        self._coordinator.async_notify_device(device_id)

    @callback
    def async_add_change_listener(self, listener: Callable[[str], None]) -> CALLBACK_TYPE:
        """Call ``listener(device_id)`` after a device's firmware is stored.

        The queue follows updates started elsewhere (the Tuya app) this way.
        """
        self._on_change.append(listener)
        return lambda: self._on_change.remove(listener)

    @callback
    def forget(self, device_ids: set[str]) -> None:
        """Drop devices that left the home."""
        for device_id in device_ids:
            self._channels.pop(device_id, None)
            self._checked_at.pop(device_id, None)
            self._store.data["firmware"].pop(device_id, None)
        if device_ids:
            self._store.async_schedule_save()

    @callback
    def async_start(self) -> None:
        """Start reading on schedule; the device list is watched for new and gone devices."""
        self._entry.async_on_unload(self._coordinator.async_add_listener(self._device_list_changed))
        self._schedule()

    async def async_stop(self) -> None:
        """Stop reading, so nothing changes the stored state after its last write."""
        self._stopped = True
        self._cancel_timer()
        if self._read_task is not None and not self._read_task.done():
            self._read_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._read_task

    @callback
    def _device_list_changed(self) -> None:
        self.forget(set(self._channels) - set(self._coordinator.data.devices))
        self._schedule()

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    def _next_due(self) -> tuple[str, float] | None:
        devices = self._coordinator.data.devices
        if not devices:
            return None
        device_id = min(devices, key=self.due_at)
        return device_id, self.due_at(device_id)

    @callback
    def _schedule(self) -> None:
        """Arm one timer for the earliest due read, never sooner than the spacing allows."""
        self._cancel_timer()
        if self._stopped or self._reading or (next_due := self._next_due()) is None:
            return
        now = time.time()
        earliest = max(
            next_due[1],
            self._last_read_at + FIRMWARE_READ_SPACING.total_seconds(),
            self._paused_until,
        )
        self._unsub_timer = async_call_later(self._hass, max(earliest - now, 0), self._timer_fired)

    @callback
    def _timer_fired(self, _now: datetime) -> None:
        self._unsub_timer = None
        self._read_task = self._entry.async_create_task(
            self._hass, self._read_next_due(), "tuya_ota firmware read", eager_start=False
        )

    async def _read_next_due(self) -> None:
        next_due = self._next_due()
        if next_due is None or next_due[1] > time.time():
            self._schedule()
            return
        if not self._health.allow_scheduled_call():
            self._paused_until = max(self._paused_until, time.time() + GATE_RECHECK_S)
            self._schedule()
            return
        device_id = next_due[0]
        self._reading = True
        self._last_read_at = time.time()
        try:
            await self.async_read(device_id)
        except (TuyaDeviceNotFoundError, TuyaDeviceOfflineError) as err:
            LOGGER.debug("Firmware of %s not readable now: %s", device_id, err)
            self._checked_at[device_id] = time.time()
            if isinstance(err, TuyaDeviceNotFoundError):
                await self._coordinator.async_request_refresh()
        except TuyaCloudError as err:
            self._failures += 1
            pause = min(FAILURE_BACKOFF_S * 2 ** (self._failures - 1), FAILURE_BACKOFF_MAX_S)
            self._paused_until = time.time() + pause
            LOGGER.debug("Firmware read failed (%s); next read in %.0f s", err, pause)
        else:
            self._failures = 0
        finally:
            self._reading = False
            self._schedule()
