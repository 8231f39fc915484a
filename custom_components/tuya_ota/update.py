"""Firmware update entities: one per Tuya device, installing through the home's queue."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityFeature,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import TuyaOtaCoordinator
from .data import TuyaOtaConfigEntry
from .entity import TuyaOtaDeviceEntity
from .errors import cloud_error
from .firmware import FirmwareTracker
from .firmware_record import FirmwareRecord
from .release_notes import controlled_locally, release_notes, release_summary
from .tuya_cloud import Device, TuyaCloudError, TuyaDeviceNotFoundError
from .update_job import JobState
from .update_queue import UpdateQueue

# Installs wait on the home's queue, not on a platform-wide lock.
PARALLEL_UPDATES = 0
ENTITY_BATCH = 100
# What an entity shows before its device's first read: no versions.
NEVER_READ = FirmwareRecord(channels=(), checked_at=0.0)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TuyaOtaConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an entity per device now, and for devices that join the home later."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    known: set[str] = set()

    @callback
    def add(devices: list[Device]) -> None:
        """The one place entities are made: for the home's devices, then for newcomers."""
        known.update(device.device_id for device in devices)
        async_add_entities(
            TuyaFirmwareUpdateEntity(coordinator, runtime.firmware, runtime.queue, device)
            for device in devices
        )

    @callback
    def follow_device_list() -> None:
        """Add devices that joined the home; forget those that left (they may come back)."""
        devices = coordinator.data.devices
        known.intersection_update(devices)
        if new := [device for device_id, device in devices.items() if device_id not in known]:
            add(new)

    # A large home's entities are added in batches, yielding between them, so that the
    # event loop is never held for long.
    devices = list(coordinator.data.devices.values())
    for start in range(0, len(devices), ENTITY_BATCH):
        add(devices[start : start + ENTITY_BATCH])
        await asyncio.sleep(0)
    entry.async_on_unload(coordinator.async_add_listener(follow_device_list))


class TuyaFirmwareUpdateEntity(TuyaOtaDeviceEntity, UpdateEntity):
    """A Tuya device's firmware, all channels in one entity."""

    _attr_device_class = UpdateDeviceClass.FIRMWARE
    _attr_entity_category = EntityCategory.CONFIG
    _attr_supported_features = (
        UpdateEntityFeature.INSTALL
        | UpdateEntityFeature.PROGRESS
        | UpdateEntityFeature.RELEASE_NOTES
    )
    _attr_translation_key = "firmware"

    def __init__(
        self,
        coordinator: TuyaOtaCoordinator,
        firmware: FirmwareTracker,
        queue: UpdateQueue,
        device: Device,
    ) -> None:
        """Bind the entity to the home's firmware tracker and queue."""
        super().__init__(coordinator, device)
        self._firmware = firmware
        self._queue = queue

    async def async_added_to_hass(self) -> None:
        """Also show this device's firmware and update changes as they happen."""
        await super().async_added_to_hass()
        for changes in (self._firmware.changes, self._queue.changes):
            self.async_on_remove(
                changes.async_listen_device(self.tuya_device_id, self.async_write_ha_state)
            )

    @property
    def _firmware_record(self) -> FirmwareRecord:
        return self._firmware.record(self.tuya_device_id) or NEVER_READ

    @property
    def installed_version(self) -> str | None:
        """Current versions, every channel named when there are several."""
        return self._firmware_record.installed_version

    @property
    def latest_version(self) -> str | None:
        """Offered versions, every channel named when there are several."""
        return self._firmware_record.latest_version

    @property
    def release_summary(self) -> str | None:
        """What to know before installing on this device, in one line."""
        return release_summary(
            self.device,
            self._firmware_record.channels,
            locally_controlled=controlled_locally(self.hass, self.tuya_device_id),
        )

    @property
    def in_progress(self) -> bool:
        """Queued or updating; also while the cloud reports an update we follow."""
        return self._queue.job(self.tuya_device_id) is not None

    @property
    def update_percentage(self) -> int | None:
        """The cloud's progress while running; None while queued or waiting for a sleeper."""
        job = self._queue.job(self.tuya_device_id)
        return job.progress if job is not None and job.state is JobState.RUNNING else None

    def version_is_newer(self, latest_version: str, installed_version: str) -> bool:
        """The cloud says whether a channel has an update; version strings need no parsing."""
        return self._firmware_record.update_available

    async def async_update(self) -> None:
        """``homeassistant.update_entity``: read this device's firmware now."""
        try:
            await self._firmware.async_read(self.tuya_device_id)
        except TuyaDeviceNotFoundError:
            await self.coordinator.async_request_refresh()
        except TuyaCloudError as err:
            raise cloud_error(HomeAssistantError, err) from err

    async def async_release_notes(self) -> str | None:
        """The offered firmware's notes, and what to know before installing on this device."""
        return release_notes(
            self.device,
            self._firmware_record.channels,
            locally_controlled=controlled_locally(self.hass, self.tuya_device_id),
        )

    async def async_install(self, version: str | None, backup: bool, **kwargs: Any) -> None:
        """Queue the update; when it can start at once, return after the cloud's answer.

        A device that has to wait behind others returns at once, shown in progress without
        a percentage: the queue may hold it for a long time.
        """
        job = self._queue.async_enqueue(self.tuya_device_id)
        self.async_write_ha_state()
        if job.state is not JobState.QUEUED or job.finished.done():
            await job.until_accepted()
