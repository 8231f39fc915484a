"""Base entity: one Tuya device, on the core tuya integration's device when there is one."""

from __future__ import annotations

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .compat import core_tuya_device, place_on_core_device
from .const import DOMAIN
from .coordinator import TuyaOtaCoordinator
from .tuya_cloud import Device


class TuyaOtaDeviceEntity(CoordinatorEntity[TuyaOtaCoordinator]):
    """An entity of one Tuya device of the home."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: TuyaOtaCoordinator, device: Device) -> None:
        """Join the core tuya device of the same id, else describe a device of our own."""
        super().__init__(coordinator)
        self.tuya_device_id = device.device_id
        self._last_seen: tuple[Device | None, bool] | None = None
        self._attr_unique_id = device.device_id
        if core_device := core_tuya_device(coordinator.hass, device.device_id):
            place_on_core_device(self, core_device, device.device_id)
        else:
            self._attr_device_info = DeviceInfo(
                identifiers={(DOMAIN, device.device_id)},
                name=device.name,
                manufacturer="Tuya",
                model=device.product_name or device.model or None,
                model_id=device.model or None,
            )

    @property
    def device(self) -> Device | None:
        """The device as the last device list gave it (None once it left the home)."""
        return self.coordinator.data.devices.get(self.tuya_device_id)

    @property
    def available(self) -> bool:
        """Offline devices cannot be updated, so their entity is unavailable."""
        device = self.device
        return super().available and device is not None and device.online

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when this device's line of the list changed.

        Every refresh of a large home would otherwise rewrite every entity's state.
        """
        seen = (self.device, self.available)
        if seen == self._last_seen:
            return
        self._last_seen = seen
        super()._handle_coordinator_update()
