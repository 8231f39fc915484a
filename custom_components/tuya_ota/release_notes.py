"""Release notes: the firmware's own notes, then what to know before installing on this device.

Home Assistant shows release notes as markdown the integration hands over, with no
translation step, so the warnings are English text kept here. Only the warnings that apply
are given: the local key's only when a local integration here also has the device.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from homeassistant.core import HomeAssistant

from .tuya_cloud import Device, FirmwareChannel, not_now_reason

# Local integrations that talk to Tuya devices with their local key; their entries name the
# device (``device_id``, or ``devices`` keyed by id).
LOCAL_TUYA_DOMAINS: Final = ("localtuya", "tuya_local")

BLUETOOTH_CHANNEL: Final = 1
MAX_SUMMARY_LENGTH: Final = 255

# (the release notes' bullet, the summary's short phrase) for each kind of device
SLEEPING: Final = (
    "This battery device sleeps most of the time: the update starts only when it next wakes "
    "up, which can take an hour or more. Pressing its button often wakes it.",
    "Battery device: starts when it wakes up.",
)
SUB_DEVICE: Final = (
    "This device is behind a gateway, which updates one of its devices at a time: the update "
    "may wait for the others.",
    "Behind a gateway: one device at a time.",
)
PHONE_BLUETOOTH: Final = (
    "This Bluetooth device may get its firmware through the Smart Life app on a phone near "
    "it: if the cloud does not start the update, install it from the app.",
    "Bluetooth: may need the app on a phone nearby.",
)
LOCAL_KEY: Final = (
    "A firmware update can change the device's local key and protocol version: local "
    "integrations such as localtuya and tuya-local may need the new key and settings "
    "afterwards.",
    "May change the local key and protocol used by localtuya and tuya-local.",
)
WARNINGS_TITLE: Final = "**Before you install**"
NOT_NOW: Final = "**Cannot update now:** {remind}"


def controlled_locally(hass: HomeAssistant, tuya_device_id: str) -> bool:
    """Whether localtuya or tuya-local in this Home Assistant also has the device."""
    for domain in LOCAL_TUYA_DOMAINS:
        for entry in hass.config_entries.async_entries(domain):
            devices = entry.data.get("devices")
            if entry.data.get("device_id") == tuya_device_id or (
                isinstance(devices, dict) and tuya_device_id in devices
            ):
                return True
    return False


def _released(channel: FirmwareChannel) -> str:
    if channel.released_at is None:
        return ""
    day = datetime.fromtimestamp(channel.released_at, UTC).date().isoformat()
    return f"*Released {day}*"


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(part.rstrip() for part in parts if part)


def _warnings(
    device: Device | None, offered: list[FirmwareChannel], *, locally_controlled: bool
) -> list[tuple[str, str]]:
    """What applies to this device and the channels it would update."""
    warnings = []
    if any(channel.low_power for channel in offered):
        warnings.append(SLEEPING)
    sub = device is not None and device.sub
    if sub:
        warnings.append(SUB_DEVICE)
    elif any(channel.channel == BLUETOOTH_CHANNEL for channel in offered):
        warnings.append(PHONE_BLUETOOTH)
    if locally_controlled:
        warnings.append(LOCAL_KEY)
    return warnings


def _offered(channels: Sequence[FirmwareChannel]) -> list[FirmwareChannel]:
    return [channel for channel in channels if channel.update_available]


def release_notes(
    device: Device | None, channels: Sequence[FirmwareChannel], *, locally_controlled: bool
) -> str | None:
    """The offered firmware's notes, each channel under its name, and what applies to it.

    First why the device cannot update now (when the cloud says so), then the notes with
    their release dates, then the warnings.
    """
    offered = _offered(channels)
    if not offered:
        return None
    if len(channels) == 1:
        notes = _paragraphs(_released(offered[0]), offered[0].desc)
    else:
        notes = "\n\n".join(
            _paragraphs(f"### {channel.name} {channel.version}", _released(channel), channel.desc)
            for channel in offered
        )
    remind = not_now_reason(offered)
    not_now = NOT_NOW.format(remind=remind) if remind is not None else ""
    warnings = _warnings(device, offered, locally_controlled=locally_controlled)
    bullets = "\n".join(f"- {text}" for text, _ in warnings)
    title = WARNINGS_TITLE if bullets else ""
    return _paragraphs(not_now, notes, title, bullets)


def release_summary(
    device: Device | None, channels: Sequence[FirmwareChannel], *, locally_controlled: bool
) -> str | None:
    """One line of at most 255 characters while an update is offered.

    The cloud's reason when it says the device cannot update now, then the warnings.
    """
    offered = _offered(channels)
    if not offered:
        return None
    remind = not_now_reason(offered)
    phrases = [] if remind is None else [f"Cannot update now: {remind}"]
    warnings = _warnings(device, offered, locally_controlled=locally_controlled)
    phrases += [phrase for _, phrase in warnings]
    return " ".join(phrases)[:MAX_SUMMARY_LENGTH] or None
