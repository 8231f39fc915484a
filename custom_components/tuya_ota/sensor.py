"""Summary sensors of a home: updates available, queued or running, cloud calls this month."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .changes import ChangeNotifier
from .const import DOMAIN
from .coordinator import TuyaOtaCoordinator
from .data import TuyaOtaConfigEntry, TuyaOtaRuntimeData

# Read-only, computed from memory.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class TuyaOtaSummaryDescription(SensorEntityDescription):
    """A summary figure of the home."""

    value_fn: Callable[[TuyaOtaRuntimeData], int]
    # Whose changes change the value.
    changes_fn: Callable[[TuyaOtaRuntimeData], ChangeNotifier]


SUMMARY_SENSORS: tuple[TuyaOtaSummaryDescription, ...] = (
    TuyaOtaSummaryDescription(
        key="updates_available",
        translation_key="updates_available",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda runtime: len(runtime.firmware.devices_with_update()),
        changes_fn=lambda runtime: runtime.firmware.changes,
    ),
    TuyaOtaSummaryDescription(
        key="updates_in_progress",
        translation_key="updates_in_progress",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda runtime: runtime.queue.active_count,
        changes_fn=lambda runtime: runtime.queue.changes,
    ),
    TuyaOtaSummaryDescription(
        key="cloud_calls",
        translation_key="cloud_calls",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda runtime: runtime.budget.calls_this_month,
        changes_fn=lambda runtime: runtime.budget.changes,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TuyaOtaConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the home's summary sensors."""
    async_add_entities(TuyaOtaSummarySensor(entry, description) for description in SUMMARY_SENSORS)


class TuyaOtaSummarySensor(CoordinatorEntity[TuyaOtaCoordinator], SensorEntity):
    """A count over the home's devices, on a service device named after the home."""

    _attr_has_entity_name = True
    entity_description: TuyaOtaSummaryDescription

    def __init__(self, entry: TuyaOtaConfigEntry, description: TuyaOtaSummaryDescription) -> None:
        """Attach the sensor to the home's service device."""
        super().__init__(entry.runtime_data.coordinator)
        self.entity_description = description
        self._runtime = entry.runtime_data
        home_id = entry.runtime_data.coordinator.home_id
        self._attr_unique_id = f"{home_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"home_{home_id}")},
            name=entry.title,
            manufacturer="Tuya",
            model="Home",
            entry_type=DeviceEntryType.SERVICE,
        )

    @property
    def native_value(self) -> int:
        """The current count."""
        return self.entity_description.value_fn(self._runtime)

    async def async_added_to_hass(self) -> None:
        """Write the state again whenever the value may have changed."""
        await super().async_added_to_hass()
        changes = self.entity_description.changes_fn(self._runtime)
        self.async_on_remove(changes.async_listen_burst(self.async_write_ha_state))
