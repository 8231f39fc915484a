"""Typed models of what the Tuya cloud returns, parsed defensively."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

from .exceptions import TuyaResponseError


class UpgradeStatus(IntEnum):
    """A firmware channel's ``upgrade_status``."""

    IDLE = 0
    READY = 1
    UPGRADING = 2
    SUCCEEDED = 3
    FAILED = 4
    WAITING_WAKEUP = 5
    TIMED_OUT = 7


class Role(StrEnum):
    """The user's role in a home; only owner and admin may update firmware."""

    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"

    @property
    def may_update(self) -> bool:
        """Whether this role may start firmware updates."""
        return self in (Role.OWNER, Role.ADMIN)


CHANNEL_NAMES: dict[int, str] = {
    0: "Main",
    1: "Bluetooth",
    2: "GPRS",
    3: "Zigbee",
    5: "433 MHz",
    6: "NB-IoT",
    9: "MCU",
}


def channel_name(channel: int) -> str:
    """Human name of a firmware channel number."""
    if channel in CHANNEL_NAMES:
        return CHANNEL_NAMES[channel]
    if 10 <= channel <= 19:
        return f"Extension {channel - 9}"
    return f"Channel {channel}"


def _mapping(raw: object, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise TuyaResponseError(f"{what}: expected an object, got {type(raw).__name__}")
    return raw


def _field(raw: Mapping[str, Any], *names: str) -> Any:
    """First present value among a snake_case name and its camelCase twin."""
    for name in names:
        if name in raw and raw[name] is not None:
            return raw[name]
    return None


def _str(raw: Mapping[str, Any], *names: str, default: str = "") -> str:
    value = _field(raw, *names)
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TuyaResponseError(f"{names[0]}: expected a string, got {type(value).__name__}")


def _required_str(raw: Mapping[str, Any], *names: str) -> str:
    value = _str(raw, *names)
    if not value:
        raise TuyaResponseError(f"{names[0]}: missing")
    return value


def _int(raw: Mapping[str, Any], *names: str, default: int | None = None) -> int | None:
    value = _field(raw, *names)
    if value is None:
        return default
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise TuyaResponseError(f"{names[0]}: expected an integer, got {value!r:.40}")


def _required_int(raw: Mapping[str, Any], *names: str) -> int:
    value = _int(raw, *names)
    if value is None:
        raise TuyaResponseError(f"{names[0]}: missing")
    return value


def _bool(raw: Mapping[str, Any], *names: str, default: bool = False) -> bool:
    value = _field(raw, *names)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise TuyaResponseError(f"{names[0]}: expected a boolean, got {value!r:.40}")


def _list(raw: object, what: str) -> list[Any]:
    if not isinstance(raw, list):
        raise TuyaResponseError(f"{what}: expected a list, got {type(raw).__name__}")
    return raw


MAX_TOKEN_LIFETIME_S = 30 * 86400


@dataclass(frozen=True, slots=True)
class Token:
    """An access token pair; ``expires_at`` is in the client's clock (seconds)."""

    access_token: str
    refresh_token: str
    expires_at: float
    uid: str

    @classmethod
    def from_api(cls, raw: object, now: float) -> Token:
        """Parse the token call's result; ``expire_time`` is a lifetime in seconds."""
        data = _mapping(raw, "token")
        lifetime = _int(data, "expire_time", "expireTime", "expire", default=7200) or 7200
        return cls(
            access_token=_required_str(data, "access_token", "accessToken"),
            refresh_token=_required_str(data, "refresh_token", "refreshToken"),
            # Clamped: a huge lifetime would overflow the float (and is not believable).
            expires_at=now + min(max(lifetime, 60), MAX_TOKEN_LIFETIME_S),
            uid=_str(data, "uid"),
        )


@dataclass(frozen=True, slots=True)
class Home:
    """A home (Tuya "family") of the user."""

    home_id: int
    name: str
    role: str | None

    @classmethod
    def from_api(cls, raw: object) -> Home:
        """Parse one item of the homes list."""
        data = _mapping(raw, "home")
        home_id = _required_int(data, "home_id", "homeId", "id")
        role = _field(data, "role")
        return cls(
            home_id=home_id,
            name=_str(data, "name", default=str(home_id)),
            role=role if isinstance(role, str) else None,
        )


@dataclass(frozen=True, slots=True)
class HomeMember:
    """A member of a home with the flags that make their role."""

    uid: str
    name: str
    admin: bool
    owner: bool

    @property
    def role(self) -> Role:
        """The member's role: owner beats admin beats common member."""
        if self.owner:
            return Role.OWNER
        if self.admin:
            return Role.ADMIN
        return Role.MEMBER

    @classmethod
    def from_api(cls, raw: object) -> HomeMember:
        """Parse one item of the members list; a missing flag means false."""
        data = _mapping(raw, "member")
        return cls(
            uid=_str(data, "uid"),
            name=_str(data, "name", "member_account", "memberAccount"),
            admin=_bool(data, "admin"),
            owner=_bool(data, "owner"),
        )


@dataclass(frozen=True, slots=True)
class Device:
    """A device of the home, as the device list gives it."""

    device_id: str
    name: str
    product_id: str
    product_name: str
    category: str
    model: str
    online: bool
    sub: bool

    @classmethod
    def from_api(cls, raw: object) -> Device:
        """Parse one item of the home's device list; secrets (``local_key``) are dropped."""
        data = _mapping(raw, "device")
        device_id = _required_str(data, "id", "device_id", "deviceId")
        return cls(
            device_id=device_id,
            name=_str(data, "name", default=device_id),
            product_id=_str(data, "product_id", "productId"),
            product_name=_str(data, "product_name", "productName"),
            category=_str(data, "category"),
            model=_str(data, "model"),
            online=_bool(data, "online"),
            sub=_bool(data, "sub"),
        )


@dataclass(frozen=True, slots=True)
class DeviceDetails:
    """What the device-details call says of one device that the integration needs."""

    device_id: str
    online: bool

    @classmethod
    def from_api(cls, raw: object) -> DeviceDetails:
        """Parse the device-details call's result (secrets and places are dropped)."""
        data = _mapping(raw, "device details")
        return cls(
            device_id=_required_str(data, "id", "device_id", "deviceId"),
            online=_bool(data, "is_online", "isOnline", "online"),
        )


@dataclass(frozen=True, slots=True)
class FirmwareChannel:
    """One firmware channel (module) of a device and its update state."""

    channel: int
    upgrade_status: int
    current_version: str
    version: str
    desc: str
    can_upgrade: bool
    low_power: bool
    timeout_s: int | None
    remind: str
    # When the offered firmware was released (epoch seconds), when the cloud says.
    released_at: float | None = None

    @property
    def name(self) -> str:
        """The channel's human name (Main, MCU, Zigbee...)."""
        return channel_name(self.channel)

    @property
    def not_now(self) -> bool:
        """An update is offered, but the cloud says the device cannot take it now (``remind``)."""
        return self.update_available and not self.can_upgrade

    @property
    def update_available(self) -> bool:
        """Whether a newer firmware is offered for this channel (also after a failed try)."""
        return (
            bool(self.version)
            and self.version != self.current_version
            and self.upgrade_status
            in (
                UpgradeStatus.READY,
                UpgradeStatus.UPGRADING,
                UpgradeStatus.FAILED,
                UpgradeStatus.WAITING_WAKEUP,
                UpgradeStatus.TIMED_OUT,
            )
        )

    @property
    def startable(self) -> bool:
        """Whether a start call for this channel may be sent now."""
        return (
            self.update_available
            and self.can_upgrade
            and self.upgrade_status
            in (UpgradeStatus.READY, UpgradeStatus.FAILED, UpgradeStatus.TIMED_OUT)
        )

    @property
    def running(self) -> bool:
        """Whether the cloud reports this channel updating or waiting for the device to wake."""
        return self.upgrade_status in (UpgradeStatus.UPGRADING, UpgradeStatus.WAITING_WAKEUP)

    @classmethod
    def from_api(cls, raw: object) -> FirmwareChannel:
        """Parse one firmware item; accepts ``type`` or ``channel`` and camelCase names."""
        data = _mapping(raw, "firmware")
        channel = _required_int(data, "type", "channel")
        current = _str(data, "current_version", "currentVersion")
        status = _int(data, "upgrade_status", "upgradeStatus", default=0)
        timeout_s = _int(data, "timeout")
        deployed = _int(data, "firmware_deploy_time", "firmwareDeployTime")
        return cls(
            channel=channel,
            upgrade_status=status if status is not None else 0,
            current_version=current,
            version=_str(data, "version", default=current),
            desc=_str(data, "desc"),
            can_upgrade=_bool(data, "can_upgrade", "canUpgrade", default=True),
            low_power=_int(data, "dev_type", "devType", default=0) == 1,
            timeout_s=timeout_s if timeout_s and timeout_s > 0 else None,
            remind=_str(data, "remind"),
            released_at=deployed / 1000 if deployed and deployed > 0 else None,
        )


def not_now_reason(channels: Iterable[FirmwareChannel]) -> str | None:
    """The cloud's reason (``remind``) when an offered channel cannot update now."""
    return next((channel.remind or "-" for channel in channels if channel.not_now), None)


def parse_firmware(raw: object) -> list[FirmwareChannel]:
    """Parse the firmware call's result: a list of channels, or one object (docs disagree)."""
    if isinstance(raw, Mapping):
        for key in ("firmwares", "list", "upgrade_infos"):
            if isinstance(raw.get(key), list):
                raw = raw[key]
                break
        else:
            return [FirmwareChannel.from_api(raw)]
    channels = [FirmwareChannel.from_api(item) for item in _list(raw, "firmware")]
    return sorted(channels, key=lambda item: item.channel)


@dataclass(frozen=True, slots=True)
class UpgradeProgress:
    """The progress call's result for one channel."""

    upgrade_status: int
    progress: int | None

    @classmethod
    def from_api(cls, raw: object) -> UpgradeProgress:
        """Parse ``{"upgrade_status": int, "progress": int 0-100}``, clamping the percentage."""
        data = _mapping(raw, "progress")
        status = _required_int(data, "upgrade_status", "upgradeStatus", "status")
        progress = _int(data, "progress")
        return cls(
            upgrade_status=status,
            progress=None if progress is None else min(max(progress, 0), 100),
        )


def parse_list[T](raw: object, what: str, parse: Callable[[object], T]) -> list[T]:
    """Parse a list result (or a page object holding one) item by item."""
    if isinstance(raw, Mapping):
        for key in ("list", "devices", "homes", "members"):
            if isinstance(raw.get(key), list):
                raw = raw[key]
                break
    return [parse(item) for item in _list(raw, what)]
