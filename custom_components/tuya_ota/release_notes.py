"""Release notes: the firmware's own notes, then what to know before installing on this device.

Home Assistant shows release notes as markdown the integration hands over, with no
translation step, so the warnings are English text kept here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from .tuya_cloud import Device, FirmwareChannel

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


def _warnings(device: Device | None, offered: list[FirmwareChannel]) -> list[tuple[str, str]]:
    """What applies to this device and the channels it would update."""
    warnings = []
    if any(channel.low_power for channel in offered):
        warnings.append(SLEEPING)
    sub = device is not None and device.sub
    if sub:
        warnings.append(SUB_DEVICE)
    elif any(channel.channel == BLUETOOTH_CHANNEL for channel in offered):
        warnings.append(PHONE_BLUETOOTH)
    warnings.append(LOCAL_KEY)
    return warnings


def _offered(channels: Sequence[FirmwareChannel]) -> list[FirmwareChannel]:
    return [channel for channel in channels if channel.update_available]


def release_notes(device: Device | None, channels: Sequence[FirmwareChannel]) -> str | None:
    """The offered firmware's notes (each channel under its name), then the warnings."""
    offered = _offered(channels)
    if not offered:
        return None
    if len(channels) == 1:
        notes = offered[0].desc
    else:
        notes = "\n\n".join(
            f"### {channel.name} {channel.version}\n\n{channel.desc}".rstrip()
            for channel in offered
        )
    bullets = "\n".join(f"- {text}" for text, _ in _warnings(device, offered))
    return "\n\n".join(part for part in (notes, WARNINGS_TITLE, bullets) if part)


def release_summary(device: Device | None, channels: Sequence[FirmwareChannel]) -> str | None:
    """The warnings in one line of at most 255 characters, while an update is offered."""
    offered = _offered(channels)
    if not offered:
        return None
    summary = " ".join(phrase for _, phrase in _warnings(device, offered))
    return summary[:MAX_SUMMARY_LENGTH]
