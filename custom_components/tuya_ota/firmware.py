"""The firmware tracker: every device's record, read on a slow grouped cadence."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
import contextlib
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
import time
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later

from .budget import DAY_S
from .cadence import burst_spacing_s, grid_period_s, next_burst, next_slot
from .changes import ChangeNotifier
from .const import (
    CONF_FIRMWARE_CHECK_HOURS,
    DEFAULT_FIRMWARE_CHECK_HOURS,
    FIRMWARE_READ_SPACING,
    LOGGER,
    MAX_BURST_SPACING,
    SLOW_CHECK_PERIOD,
)
from .firmware_record import FirmwareRecord
from .tuya_cloud import (
    FirmwareChannel,
    TuyaCloudError,
    TuyaDeviceNotFoundError,
    TuyaDeviceOfflineError,
)

if TYPE_CHECKING:
    from .data import TuyaOtaRuntimeData

# After a failed read (cloud down, rate limited) scheduled reads pause this long, doubling.
FAILURE_BACKOFF_S = 60.0
FAILURE_BACKOFF_MAX_S = 3600.0
# A read the gate of scheduled calls held back asks the gate again after this long.
GATE_RECHECK_S = 900.0


class ReadReason(IntEnum):
    """Why a device is due for a read; when several are due, the lowest goes first."""

    FIRST = 0  # never read: its entity has nothing to show
    FOLLOWER = 1  # a device of its group has just shown an offer new to the group
    GROUP = 2  # its group's slot: one device is read for the whole group
    OWN = 3  # its own slow slot, which finds releases reaching only some of a group


@dataclass(frozen=True, slots=True)
class PlannedRead:
    """When a device is next read, and why."""

    due: float
    reason: ReadReason


class FirmwareTracker:
    """Reads devices' firmware information on a schedule that costs little of the quota.

    Devices of one product with the same installed versions form a group. Every firmware
    period one of them is read for the whole group, on the group's slot; when a read shows
    an offer new to the group, the rest of the group is read right after it, once. Every
    device is also read on its own slot of a slow period, for releases that reach only some
    devices of a product; a group read takes the device whose own read is next, which then
    skips it. Slots are fixed by hashes and lie on a grid of bursts, so reads bunch into a
    few bursts a period that share a token, spread evenly whatever the size of the home, and
    stay where they were across restarts. Devices never read before are read first, spaced
    by ``FIRMWARE_READ_SPACING``; every scheduled read asks the call budget first.
    """

    def __init__(self, home: TuyaOtaRuntimeData) -> None:
        """Restore every device's last known firmware from the store."""
        self._home = home
        hours = home.entry.options.get(CONF_FIRMWARE_CHECK_HOURS, DEFAULT_FIRMWARE_CHECK_HOURS)
        self.period_s = float(hours) * 3600
        self.burst_s = burst_spacing_s(self.period_s, MAX_BURST_SPACING.total_seconds())
        self.slow_period_s = grid_period_s(
            max(SLOW_CHECK_PERIOD.total_seconds(), self.period_s), self.burst_s
        )
        self._records = home.store.firmware_records()
        self.changes = ChangeNotifier(home.hass)
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._read_task: asyncio.Task[None] | None = None
        self._reading = False
        self._stopped = False
        self._last_read_at = 0.0
        self._failures = 0
        self._paused_until = 0.0
        # Offers (group, versions) already followed, and the devices to read for them.
        self._followed: set[tuple[str, str]] = set()
        self._followers: dict[str, float] = {}
        self._note_offers(self._records)
        home.budget.daily_schedule = self.daily_calls

    def daily_calls(self) -> float:
        """What the schedule spends a day at its usual rate (an upper bound), for the budget.

        A read per group and period and one per device and slow period, a token per burst,
        and the members, devices and a token of each device-list refresh. Followers of a
        release come on top, rarely.
        """
        devices = self._home.coordinator.data.devices
        groups = {
            record.group_key(device.product_id, device_id)
            for device_id, device in devices.items()
            if (record := self._records.get(device_id)) is not None
        } - {None}
        reads = len(groups) * DAY_S / self.period_s + len(devices) * DAY_S / self.slow_period_s
        refreshes = DAY_S / self._home.coordinator.scan_interval_s
        return reads + DAY_S / self.burst_s + 3 * refreshes

    def record(self, device_id: str) -> FirmwareRecord | None:
        """The device's firmware as last read, or None before its first read."""
        return self._records.get(device_id)

    def devices_with_update(self) -> list[str]:
        """Known devices of the home whose firmware offers an update."""
        return [
            device_id
            for device_id in self._home.coordinator.data.devices
            if (record := self._records.get(device_id)) is not None and record.update_available
        ]

    def next_reads(self) -> dict[str, float]:
        """When the schedule reads each device next (0 for a device never read)."""
        return {device_id: planned.due for device_id, planned in self._plan().items()}

    def due_at(self, device_id: str) -> float:
        """When the schedule reads the device next (0 when never read)."""
        return self.next_reads().get(device_id, 0.0)

    def _own_due(self, device_id: str, checked: float) -> float:
        """The device's own slow slot, skipped when a group read took it a period early.

        The gap between two reads of a device is thus at most the slow period plus one
        firmware period.
        """
        return next_slot(checked + self.period_s, device_id, self.slow_period_s, self.burst_s)

    def _plan(self) -> dict[str, PlannedRead]:
        """Every device's next read, from what is stored: the same after a restart."""
        devices = self._home.coordinator.data.devices
        plan: dict[str, PlannedRead] = {}
        groups: dict[str, list[str]] = {}
        for device_id, device in devices.items():
            record = self._records.get(device_id)
            if record is None:
                plan[device_id] = PlannedRead(0.0, ReadReason.FIRST)
                continue
            own_due = self._own_due(device_id, record.checked_at)
            plan[device_id] = PlannedRead(own_due, ReadReason.OWN)
            if (key := record.group_key(device.product_id, device_id)) is not None:
                groups.setdefault(key, []).append(device_id)
        for key, members in groups.items():
            self._plan_group(key, members, plan)
        return plan

    def _plan_group(self, key: str, members: list[str], plan: dict[str, PlannedRead]) -> None:
        """Followers of a new offer are due at once; the group's read goes to one device."""
        for device_id in members:
            if (since := self._followers.get(device_id)) is not None:
                plan[device_id] = PlannedRead(since, ReadReason.FOLLOWER)
        last = max(self._records[device_id].checked_at for device_id in members)
        group_due = next_slot(last, key, self.period_s, self.burst_s)
        devices = self._home.coordinator.data.devices
        chosen = min(
            members, key=lambda device_id: (not devices[device_id].online, plan[device_id].due)
        )
        if group_due < plan[chosen].due:
            plan[chosen] = PlannedRead(group_due, ReadReason.GROUP)

    def _offer(self, device_id: str) -> tuple[str, str] | None:
        """The device's group and the versions it is offered, when it is offered any."""
        record = self._records.get(device_id)
        device = self._home.coordinator.data.devices.get(device_id)
        if record is None or device is None or not record.update_available:
            return None
        key = record.group_key(device.product_id, device_id)
        return (key, record.latest_version or "") if key is not None else None

    def _note_offers(self, device_ids: Iterable[str]) -> None:
        """Remember the offers shown, each once per group: a restart reads no one again."""
        for device_id in device_ids:
            if (offer := self._offer(device_id)) is not None:
                self._followed.add(offer)

    @callback
    def _follow_new_offer(self, device_id: str) -> None:
        """A read shows its group an offer not seen before: read the rest of the group now.

        Each offer is followed once per group, so that a release reaching only some devices
        (a staged rollout) does not have the group read again at every read of those.
        """
        offer = self._offer(device_id)
        if offer is None or offer in self._followed:
            return
        self._followed.add(offer)
        key, _ = offer
        devices = self._home.coordinator.data.devices
        now = time.time()
        for other, record in self._records.items():
            device = devices.get(other)
            if (
                other != device_id
                and device is not None
                and record.group_key(device.product_id, other) == key
            ):
                self._followers.setdefault(other, now)

    async def async_read(self, device_id: str) -> FirmwareRecord:
        """Read the device's firmware now, keep it and tell its entity. Raises cloud errors."""
        return self._keep(device_id, await self._home.client.get_firmware(device_id))

    @callback
    def _keep(self, device_id: str, channels: Iterable[FirmwareChannel]) -> FirmwareRecord:
        """Keep and persist a device's freshly read firmware, and tell who listens.

        The queue listens to every device, to follow updates started elsewhere (the Tuya app).
        """
        record = FirmwareRecord(tuple(channels), time.time())
        self._records[device_id] = record
        self._home.store.put_firmware(device_id, record)
        self._followers.pop(device_id, None)
        self._follow_new_offer(device_id)
        self.changes.async_notify(device_id)
        if not self._reading:  # an offer read outside the schedule may make followers due
            self._schedule()
        return record

    @callback
    def _forget(self, device_ids: set[str]) -> None:
        """Drop devices that left the home."""
        for device_id in device_ids:
            self._records.pop(device_id, None)
            self._followers.pop(device_id, None)
        if device_ids:
            self._home.store.drop_firmware(device_ids)

    @callback
    def async_start(self) -> None:
        """Start reading on schedule; the device list is watched for new and gone devices."""
        self._home.entry.async_on_unload(
            self._home.coordinator.async_add_listener(self._device_list_changed)
        )
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
        self._forget(set(self._records) - set(self._home.coordinator.data.devices))
        self._schedule()

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    def _next_due(self) -> tuple[str, PlannedRead] | None:
        """The read to make next: of those due, the most urgent reason first."""
        plan = self._plan()
        if not plan:
            return None
        now = time.time()
        _, _, device_id = min(
            (read.reason if read.due <= now else len(ReadReason), read.due, device_id)
            for device_id, read in plan.items()
        )
        return device_id, plan[device_id]

    @callback
    def _schedule(self) -> None:
        """Arm one timer for the earliest due read, never sooner than the spacing allows."""
        self._cancel_timer()
        if self._stopped or self._reading or (next_due := self._next_due()) is None:
            return
        now = time.time()
        earliest = max(
            next_due[1].due,
            self._last_read_at + FIRMWARE_READ_SPACING.total_seconds(),
            self._paused_until,
        )
        self._unsub_timer = async_call_later(
            self._home.hass, max(earliest - now, 0), self._timer_fired
        )

    @callback
    def _timer_fired(self, _now: datetime) -> None:
        self._unsub_timer = None
        self._read_task = self._home.entry.async_create_task(
            self._home.hass, self._read_next_due(), "tuya_ota firmware read", eager_start=False
        )

    async def _read_next_due(self) -> None:
        next_due = self._next_due()
        now = time.time()
        if next_due is None or next_due[1].due > now:
            self._schedule()
            return
        device_id, planned = next_due
        if not self._home.budget.scheduled_call_allowed(
            paced=planned.reason is not ReadReason.FIRST
        ):
            # Wait for a later burst: the budget grows with the month, or the month turns.
            self._paused_until = next_burst(now, self.burst_s)
            LOGGER.debug("Firmware reads wait for the call budget until the next burst")
            self._schedule()
            return
        if not self._home.health.allow_scheduled_call():
            self._paused_until = max(self._paused_until, now + GATE_RECHECK_S)
            self._schedule()
            return
        self._reading = True
        self._last_read_at = now
        try:
            if planned.reason is ReadReason.FIRST:
                await self.async_read(device_id)
            else:
                # Only the call itself: what storing it starts (a followed update) is not.
                with self._home.budget.scheduled_calls():
                    channels = await self._home.client.get_firmware(device_id)
                self._keep(device_id, channels)
        except (TuyaDeviceNotFoundError, TuyaDeviceOfflineError) as err:
            LOGGER.debug("Firmware of %s not readable now: %s", device_id, err)
            # Read again on its own slot, not at once (nor as a follower of an offer, which
            # would read an offline device again and again); what was known stays shown.
            known = self._records.get(device_id)
            self._records[device_id] = FirmwareRecord(known.channels if known else (), time.time())
            self._followers.pop(device_id, None)
            if isinstance(err, TuyaDeviceNotFoundError):
                await self._home.coordinator.async_request_refresh()
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
