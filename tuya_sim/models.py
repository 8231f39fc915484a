"""What the simulated cloud knows: homes, members, devices and their firmware channels."""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import Literal

CHANNEL_DESCRIPTIONS: dict[int, str] = {
    0: "Main module",
    1: "Bluetooth module",
    2: "GPRS module",
    3: "Zigbee module",
    5: "433 MHz module",
    6: "NB-IoT module",
    9: "MCU",
}


@dataclass
class SimMember:
    """A member of a simulated home; ``owner``/``admin`` make the role."""

    uid: str
    name: str
    owner: bool = False
    admin: bool = False
    member_account: str = ""
    country_code: str = "49"
    avatar: str = ""


@dataclass
class SimHome:
    """A simulated home with its members; ``role`` is what the homes call reports."""

    home_id: int
    name: str
    members: list[SimMember] = field(default_factory=list)
    role: str = "OWNER"
    lat: float = 52.52
    lon: float = 13.405
    geo_name: str = "Berlin"


@dataclass
class SimRun:
    """One start call of one channel, with everything needed to compute it lazily."""

    device_id: str
    channel: int
    sub: bool
    started_at: float
    active_from: float
    target_version: str
    update_seconds: float | None
    fail_at_percent: int | None
    deadline: float | None
    ended_at: float | None = None
    result: int | None = None
    final_progress: int = 0


@dataclass
class SimFirmware:
    """One firmware channel of a simulated device and how its next update will behave.

    ``update_seconds=None`` never finishes (it times out after ``timeout_s``);
    ``fail_at_percent`` makes the update fail there; ``low_power`` devices wait
    ``wake_after_s`` (status 5) before the update starts. ``timeout_s`` is when the cloud
    itself answers 7, and also the item's ``timeout`` unless ``item_timeout`` says otherwise
    (the documentation's ``timeout: 60`` on an update that takes minutes).

    ``offline_after_update`` takes the device offline when this update succeeds (a device
    that does not reconnect after flashing); it comes back ``back_online_after_s`` later,
    or never with None. ``deploy_time`` is when the offered firmware was released (epoch
    seconds; None shows a fixed date in 2023); ``publish_firmware`` sets it.
    """

    channel: int
    current_version: str
    version: str = ""
    desc: str = ""
    upgrade_status: int = 1
    update_seconds: float | None = 60.0
    fail_at_percent: int | None = None
    low_power: bool = False
    wake_after_s: float = 0.0
    timeout_s: int | None = 300
    item_timeout: int | None = None
    can_upgrade: bool = True
    type_desc: str = ""
    remind: str = ""
    file_size: int = 524288
    offline_after_update: bool = False
    back_online_after_s: float | None = None
    deploy_time: float | None = None
    run: SimRun | None = field(default=None, init=False, repr=False, compare=False)
    last_upgrade_time: float | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Fill the derived fields: no new version means nothing pending."""
        if not self.version:
            self.version = self.current_version
        if self.version == self.current_version and self.upgrade_status == 1:
            self.upgrade_status = 0
        if not self.type_desc:
            self.type_desc = CHANNEL_DESCRIPTIONS.get(self.channel, f"Channel {self.channel}")

    @property
    def active_run(self) -> SimRun | None:
        """The update of this channel that has not ended (running, or waiting for a wake-up)."""
        run = self.run
        return run if run is not None and run.ended_at is None else None


@dataclass
class SimDevice:
    """A simulated device as the home's device list shows it, with its firmware channels."""

    device_id: str
    name: str
    online: bool = True
    sub: bool = False
    category: str = "cz"
    product_name: str = ""
    local_key: str = ""
    firmware: list[SimFirmware] = field(default_factory=list)
    firmware_shape: Literal["list", "object"] = "list"
    product_id: str = ""
    model: str = ""
    ip: str = "203.0.113.10"
    lat: str = "52.52"
    lon: str = "13.405"
    time_zone: str = "+01:00"
    icon: str = ""
    node_id: str = ""
    status: list[dict[str, object]] = field(default_factory=list)
    home_id: int | None = field(default=None, init=False, compare=False)
    removed: bool = field(default=False, init=False, compare=False)
    online_log: list[tuple[float, bool]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        """Start the online history: the initial state holds since forever."""
        self.online_log = [(-math.inf, self.online)]
        if not self.product_id:
            self.product_id = f"sim{self.category}{len(self.device_id):02d}"

    def channel(self, channel: int) -> SimFirmware | None:
        """Return the firmware channel with this number, if the device has it."""
        return next((fw for fw in self.firmware if fw.channel == channel), None)
