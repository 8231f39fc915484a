"""One device's firmware as last read: what its entity shows, and the form it is stored in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypedDict

from .tuya_cloud import FirmwareChannel, not_now_reason


class StoredFirmware(TypedDict):
    """A device's firmware channels and when they were read (epoch seconds)."""

    checked_at: float
    channels: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class FirmwareRecord:
    """A device's firmware channels and when they were read (epoch seconds).

    A device whose first read failed (offline, say) has a record with no channels, so that
    the schedule reads it again on its own slot and not at once.
    """

    channels: tuple[FirmwareChannel, ...]
    checked_at: float

    @property
    def installed_version(self) -> str | None:
        """The entity's installed version: one channel's version, or every channel named."""
        return self._versions(lambda channel: channel.current_version)

    @property
    def latest_version(self) -> str | None:
        """The entity's latest version: an offered version replaces the current one."""
        return self._versions(
            lambda channel: channel.version if channel.update_available else channel.current_version
        )

    def _versions(self, version_of: Callable[[FirmwareChannel], str]) -> str | None:
        if not self.channels:
            return None
        if len(self.channels) == 1:
            return version_of(self.channels[0])
        return " / ".join(f"{channel.name} {version_of(channel)}" for channel in self.channels)

    @property
    def version_change(self) -> tuple[str, str]:
        """The versions an update goes from and to, as the event and ``update_all`` report."""
        return self.installed_version or "", self.latest_version or ""

    @property
    def update_available(self) -> bool:
        """Whether any channel offers newer firmware."""
        return any(channel.update_available for channel in self.channels)

    @property
    def cloud_says_not_now(self) -> str | None:
        """The cloud's reason (``remind``) when an offered channel cannot update now."""
        return not_now_reason(self.channels)

    @property
    def running_channels(self) -> list[FirmwareChannel]:
        """The channels the cloud reports updating (or waiting for the device to wake)."""
        return [channel for channel in self.channels if channel.running]

    def group_key(self, product_id: str, device_id: str) -> str | None:
        """Devices of one product with the same installed versions are offered the same firmware.

        A device whose product is unknown is a group of its own; one with no channels known
        is in none.
        """
        if not self.channels:
            return None
        if not product_id:
            return f"device {device_id}"
        versions = " ".join(
            f"{channel.channel}={channel.current_version}" for channel in self.channels
        )
        return f"{product_id} {versions}"

    def as_stored(self) -> StoredFirmware:
        """The record as the store keeps it."""
        return {
            "checked_at": self.checked_at,
            "channels": [asdict(channel) for channel in self.channels],
        }

    @classmethod
    def from_stored(cls, stored: object) -> FirmwareRecord | None:
        """The record an earlier run stored; None when its shape no longer fits."""
        if not isinstance(stored, dict):
            return None
        checked_at, channels = stored.get("checked_at"), stored.get("channels")
        if not isinstance(checked_at, int | float) or not isinstance(channels, list):
            return None
        try:
            return cls(tuple(FirmwareChannel(**item) for item in channels), float(checked_at))
        except TypeError:
            return None
