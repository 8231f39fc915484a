"""A device updated successfully must be back online within 15 minutes.

Devices reboot after an update; one that stays away is named in a repair issue with its
versions, which goes by itself once the device is online again (the home's device list, or a
read of its details, says so). Reading one device's details costs one call, less than the
home's device list, and is done a few times, less and less often, within the 15 minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
import time
from typing import TYPE_CHECKING, Final

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later

from .account_issues import async_sync_issue
from .const import LOGGER
from .storage import StoredWatch
from .tuya_cloud import TuyaCloudError

if TYPE_CHECKING:
    from .data import TuyaOtaRuntimeData

BACK_ONLINE_WITHIN: Final = timedelta(minutes=15)
# When the device's details are read, in seconds after the update's success.
CHECKS_AFTER_S: Final = (60.0, 180.0, 420.0, BACK_ONLINE_WITHIN.total_seconds())
ISSUE_DEVICE_NOT_BACK = "device_not_back"

type BackOnlineResult = Callable[[str, StoredWatch, bool], None]


def not_back_issue_id(entry_id: str, device_id: str) -> str:
    """The repair issue of one device that did not come back after its update."""
    return f"{ISSUE_DEVICE_NOT_BACK}_{entry_id}_{device_id}"


class BackOnlineWatch:
    """Checks that updated devices come back online; tells whether each did in time."""

    def __init__(self, home: TuyaOtaRuntimeData, on_result: BackOnlineResult) -> None:
        """Bind the watch to its home; ``on_result`` hears whether each device came back."""
        self._home = home
        self._on_result = on_result
        # Devices whose 15 minutes run: not yet seen back, nor given up on.
        self._pending: set[str] = set()
        self._timers: dict[str, CALLBACK_TYPE] = {}

    @property
    def _watched(self) -> dict[str, StoredWatch]:
        return self._home.store.safety["watched"]

    def awaits(self, product_id: str) -> bool:
        """Whether a device of the product is updated but not yet seen back in time."""
        return any(
            self._watched[device_id]["product_id"] == product_id for device_id in self._pending
        )

    @callback
    def async_watch(self, device_id: str, product_id: str, versions: tuple[str, str]) -> None:
        """The device's update succeeded: it must be online within 15 minutes."""
        started = time.time()
        self._watched[device_id] = {
            "until": started + BACK_ONLINE_WITHIN.total_seconds(),
            "product_id": product_id,
            "from_version": versions[0],
            "to_version": versions[1],
        }
        self._home.store.safety_changed()
        self._sync_issue(device_id)  # an older issue of the device goes: it was seen updating
        self._pending.add(device_id)
        self._schedule(device_id)

    @callback
    def async_start(self) -> None:
        """Take up the watches of before a restart; the device list clears late arrivals."""
        for device_id in list(self._watched):
            if device_id not in self._home.coordinator.data.devices:
                self._forget(device_id)
            elif self._watched[device_id]["until"] > time.time():
                self._pending.add(device_id)
                self._schedule(device_id)
            else:
                self._sync_issue(device_id)
        self._home.entry.async_on_unload(
            self._home.coordinator.async_add_listener(self._device_list_changed)
        )

    @callback
    def async_stop(self) -> None:
        """Cancel the checks; the watches stay stored for the next setup."""
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()

    @callback
    def _schedule(self, device_id: str) -> None:
        watch = self._watched[device_id]
        started = watch["until"] - BACK_ONLINE_WITHIN.total_seconds()
        now = time.time()
        due = next((started + after for after in CHECKS_AFTER_S if started + after > now), now)

        @callback
        def check(_now: datetime) -> None:
            self._home.entry.async_create_background_task(
                self._home.hass, self._check(device_id), f"tuya_ota back online {device_id}"
            )

        self._timers[device_id] = async_call_later(self._home.hass, due - now, check)

    async def _check(self, device_id: str) -> None:
        self._timers.pop(device_id, None)
        if (watch := self._watched.get(device_id)) is None:
            return
        try:
            online = (await self._home.client.get_device_details(device_id)).online
        except TuyaCloudError as err:
            LOGGER.debug("Details of %s not read: %s", device_id, err)
            online = False
        if online:
            self._forget(device_id)
            self._on_result(device_id, watch, True)
        elif time.time() >= watch["until"]:
            LOGGER.warning("%s is not back online after its update", self._name(device_id))
            self._pending.discard(device_id)
            self._sync_issue(device_id)
            self._on_result(device_id, watch, False)
        else:
            self._schedule(device_id)

    @callback
    def _device_list_changed(self) -> None:
        """A device that came back late (or left the home) takes its issue with it."""
        devices = self._home.coordinator.data.devices
        for device_id in list(self._watched):
            device = devices.get(device_id)
            if device_id not in self._pending and (device is None or device.online):
                self._forget(device_id)

    @callback
    def _forget(self, device_id: str) -> None:
        self._pending.discard(device_id)
        if (cancel := self._timers.pop(device_id, None)) is not None:
            cancel()
        if self._watched.pop(device_id, None) is not None:
            self._home.store.safety_changed()
        self._sync_issue(device_id)

    def _name(self, device_id: str) -> str:
        device = self._home.coordinator.data.devices.get(device_id)
        return device.name if device else device_id

    @callback
    def _sync_issue(self, device_id: str) -> None:
        """The issue exists while the device is watched past its 15 minutes."""
        watch = self._watched.get(device_id)
        late = watch is not None and watch["until"] <= time.time()
        async_sync_issue(
            self._home.hass,
            not_back_issue_id(self._home.entry.entry_id, device_id),
            late,
            translation_key=ISSUE_DEVICE_NOT_BACK,
            translation_placeholders={
                "device": self._name(device_id),
                "from_version": watch["from_version"] if watch else "",
                "to_version": watch["to_version"] if watch else "",
            },
            config_entry_id=self._home.entry.entry_id,
        )
