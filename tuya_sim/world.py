"""The simulated world: homes and their members, devices and their firmware, and its changes."""

from __future__ import annotations

from collections.abc import Callable

from . import updates
from .errors import CloudError
from .models import SimDevice, SimFirmware, SimHome, SimMember, SimRun


class SimWorld:
    """Homes, linked accounts and devices, as the cloud knows them, and every update run."""

    def __init__(self, clock: Callable[[], float]) -> None:
        """An empty world on the simulator's clock."""
        self._clock = clock
        self._homes: dict[int, SimHome] = {}
        self._users: set[str] = set()
        self._devices: dict[str, SimDevice] = {}
        self._runs: list[SimRun] = []
        self._failing_products: dict[str, int] = {}

    # --- setup --------------------------------------------------------------------------

    def add_home(self, home: SimHome) -> None:
        """Add (or replace) a home."""
        self._homes[home.home_id] = home

    def add_user(self, uid: str) -> None:
        """Register a linked app account that belongs to no home (its homes call answers [])."""
        self._users.add(uid)

    def add_device(self, home_id: int, device: SimDevice) -> None:
        """Add a device to a home; it shows up in the next device list."""
        if home_id not in self._homes:
            raise KeyError(f"unknown home {home_id}")
        existing = self._devices.get(device.device_id)
        if existing is not None and not existing.removed:
            raise ValueError(f"device {device.device_id} already exists")
        device.home_id = home_id
        device.removed = False
        self._devices[device.device_id] = device

    def get_device(self, device_id: str) -> SimDevice:
        """Return the simulated device with this id (also a removed one)."""
        return self._devices[device_id]

    @property
    def homes(self) -> list[SimHome]:
        """All simulated homes."""
        return list(self._homes.values())

    @property
    def devices(self) -> list[SimDevice]:
        """All devices that have not been removed."""
        return [device for device in self._devices.values() if not device.removed]

    # --- scripted changes ---------------------------------------------------------------

    def set_member_role(self, home_id: int, uid: str, *, owner: bool, admin: bool) -> None:
        """Change a member's flags (adds the member if missing)."""
        home = self._homes[home_id]
        for member in home.members:
            if member.uid == uid:
                member.owner = owner
                member.admin = admin
                return
        home.members.append(SimMember(uid=uid, name=uid, owner=owner, admin=admin))

    def set_online(self, device_id: str, online: bool) -> None:
        """Take a device on- or offline; a running update freezes while it is offline.

        This overrides a comeback scheduled by ``back_online_after_s``.
        """
        device = self._devices[device_id]
        now = self._clock()
        updates.settle(device, now)
        device.online = online
        device.online_log[:] = [entry for entry in device.online_log if entry[0] <= now]
        device.online_log.append((now, online))

    def remove_device(self, device_id: str) -> None:
        """Remove a device: gone from the list, and its calls answer 2010."""
        self._devices[device_id].removed = True

    def publish_firmware(self, device_id: str, channel: int, version: str, desc: str) -> None:
        """Offer a new firmware on a channel (status 1); creates the channel if needed."""
        device = self._devices[device_id]
        now = self._clock()
        updates.settle(device, now)
        firmware = device.channel(channel)
        if firmware is None:
            device.firmware.append(
                SimFirmware(
                    channel=channel,
                    current_version="1.0.0",
                    version=version,
                    desc=desc,
                    deploy_time=now,
                )
            )
            device.firmware.sort(key=lambda item: item.channel)
            return
        firmware.version = version
        firmware.desc = desc
        firmware.deploy_time = now
        if firmware.active_run is None and version != firmware.current_version:
            firmware.upgrade_status = 1

    def fail_firmware_of_product(self, product_id: str, at_percent: int | None) -> None:
        """Make every update of the product's devices fail at ``at_percent`` (None: mend it).

        A bad release of one product: it applies to devices added later too, and overrides
        each channel's own ``fail_at_percent``.
        """
        if at_percent is None:
            self._failing_products.pop(product_id, None)
            return
        if not any(device.product_id == product_id for device in self.devices):
            raise ValueError(f"no device of product {product_id!r}")
        self._failing_products[product_id] = at_percent

    def self_update(self, device_id: str, channel: int | None) -> None:
        """The device installs its offered firmware by itself, silently (all channels or one).

        As the app's automatic updates do: no start call, no progress; the next firmware read
        shows the offered version as current and nothing pending.
        """
        device = self._devices[device_id]
        now = self._clock()
        updates.settle(device, now)
        chosen = [fw for fw in device.firmware if channel is None or fw.channel == channel]
        if not chosen:
            raise KeyError(f"device {device_id} has no firmware channel {channel}")
        for firmware in chosen:
            if firmware.active_run is not None:
                raise ValueError(f"an update of {device_id} channel {firmware.channel} is running")
            if firmware.version != firmware.current_version:
                firmware.current_version = firmware.version
                firmware.upgrade_status = 0
                firmware.last_upgrade_time = now

    # --- what the calls look up ---------------------------------------------------------

    def homes_of(self, uid: str) -> list[SimHome]:
        """The homes an app account belongs to (1106 for an account the project does not know)."""
        homes = [home for home in self._homes.values() if any(m.uid == uid for m in home.members)]
        if not homes and uid not in self._users:
            raise CloudError(1106)
        return homes

    def home(self, raw_id: str) -> SimHome:
        """The home a call names (1106 for any other)."""
        home = self._homes.get(int(raw_id)) if raw_id.isdigit() else None
        if home is None:
            raise CloudError(1106)
        return home

    def devices_of(self, home: SimHome) -> list[SimDevice]:
        """The devices of a home that have not been removed."""
        return [
            device
            for device in self._devices.values()
            if device.home_id == home.home_id and not device.removed
        ]

    def device(self, device_id: str) -> SimDevice:
        """The device a call names (2010 if it does not exist or was removed)."""
        device = self._devices.get(device_id)
        if device is None or device.removed:
            raise CloudError(2010)
        return device

    def known_devices(self, device_ids: list[str]) -> list[SimDevice]:
        """The devices of ``device_ids`` that exist and were not removed, in that order."""
        found = (self._devices.get(device_id) for device_id in device_ids)
        return [device for device in found if device is not None and not device.removed]

    @staticmethod
    def channel(device: SimDevice, raw_channel: str) -> SimFirmware:
        """The firmware channel a call names (1109 if the device has no such channel)."""
        firmware = device.channel(int(raw_channel)) if raw_channel.isdigit() else None
        if firmware is None:
            raise CloudError(
                1109, f"param is illegal, please check it: no firmware channel {raw_channel}"
            )
        return firmware

    # --- updates ------------------------------------------------------------------------

    def start_update(self, device: SimDevice, firmware: SimFirmware, now: float) -> None:
        """Start a channel's update (or refuse it as the cloud would)."""
        fail_at = self._failing_products.get(device.product_id, firmware.fail_at_percent)
        self._runs.append(updates.start(device, firmware, now, fail_at))

    def updating_devices(self) -> set[str]:
        """Devices with an update running (or waiting for the device to wake) now."""
        now = self._clock()
        busy: set[str] = set()
        for device in self._devices.values():
            updates.settle(device, now)
            if any(fw.active_run is not None for fw in device.firmware):
                busy.add(device.device_id)
        return busy

    def max_concurrent_updates(self, sub_only: bool) -> int:
        """Most devices whose update intervals overlapped (start call to last channel end)."""
        now = self._clock()
        per_device: dict[str, list[tuple[float, float]]] = {}
        for run in self._runs:
            if sub_only and not run.sub:
                continue
            device = self._devices[run.device_id]
            updates.settle(device, now)
            per_device.setdefault(run.device_id, []).append(updates.run_interval(run, device))
        return updates.most_overlapping(per_device)
