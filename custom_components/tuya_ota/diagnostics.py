"""Diagnostics: what the integration knows of the home, secrets redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_ACCESS_ID, CONF_ACCESS_SECRET, CONF_UID
from .data import TuyaOtaConfigEntry
from .firmware_record import FirmwareRecord
from .tuya_cloud import Device

TO_REDACT = {
    CONF_ACCESS_SECRET,
    CONF_ACCESS_ID,
    CONF_UID,
    "access_token",
    "refresh_token",
    "token",
    "local_key",
    "ip",
    "lat",
    "lon",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: TuyaOtaConfigEntry
) -> dict[str, Any]:
    """The entry, the role, each device with its firmware, and the queue."""
    runtime = entry.runtime_data
    home = runtime.coordinator.data
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "role": home.role.value,
            "devices": {
                device_id: _device_diagnostics(device, runtime.firmware.record(device_id))
                for device_id, device in home.devices.items()
            },
            "queue": runtime.queue.as_diagnostics(),
        },
        TO_REDACT,
    )


def _device_diagnostics(device: Device, record: FirmwareRecord | None) -> dict[str, Any]:
    """The device as listed, and its firmware as last read (in its stored form)."""
    stored = record.as_stored() if record else None
    return {
        "device": asdict(device),
        "firmware_checked_at": stored["checked_at"] if stored else None,
        "firmware": stored["channels"] if stored else [],
    }
