"""What survives a restart: each device's last firmware state, the update queue, the calls."""

from __future__ import annotations

from collections.abc import Iterable, KeysView
from typing import NotRequired, TypedDict, cast

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN, LOGGER
from .firmware_record import FirmwareRecord, StoredFirmware

STORAGE_VERSION = 1
SAVE_DELAY_S = 10


class StoredJob(TypedDict):
    """A queued or running update, so that a restart neither loses nor repeats it.

    ``later_channels`` (the MCU, started once the running channels succeeded) and
    ``phases_done`` came with the channel order; files written before lack them.
    """

    channels: list[int]
    from_version: str
    to_version: str
    started_at: float | None
    timeout_s: float
    later_channels: NotRequired[list[int]]
    phases_done: NotRequired[int]


class StoredCalls(TypedDict):
    """The cloud calls of one calendar month (``YYYY-MM``), and the scheduled ones among them."""

    month: str
    count: int
    scheduled: int


class StoredWatch(TypedDict):
    """A device updated successfully that must be online again by ``until`` (epoch seconds)."""

    until: float
    product_id: str
    from_version: str
    to_version: str


class StoredPilotFailure(TypedDict):
    """A product whose pilot failed, named for its repair issue."""

    product: str
    pilot: str


class StoredSafety(TypedDict):
    """What keeps a run safe across a restart.

    ``proven``: products whose update succeeded (and came back) in this run; ``held``: the
    products held in this run; ``failed_pilots``: each product whose pilot failed, until an
    update of it succeeds; ``watched``: devices that must come back online; and the calendar
    month the project's device pool ran out (``""`` when it has not).
    """

    proven: list[str]
    held: list[str]
    failed_pilots: dict[str, StoredPilotFailure]
    watched: dict[str, StoredWatch]
    pool_exhausted_month: str


class StoredData(TypedDict):
    """The whole file of one config entry."""

    firmware: dict[str, StoredFirmware]
    jobs: dict[str, StoredJob]
    calls: StoredCalls
    safety: StoredSafety


def _empty() -> StoredData:
    return {
        "firmware": {},
        "jobs": {},
        "calls": {"month": "", "count": 0, "scheduled": 0},
        "safety": _no_safety(),
    }


def _no_safety() -> StoredSafety:
    return {
        "proven": [],
        "held": [],
        "failed_pilots": {},
        "watched": {},
        "pool_exhausted_month": "",
    }


def _well_formed_safety(loaded: object) -> StoredSafety:
    """The stored run's safety state, or none where its shape is off (files before it)."""
    if not isinstance(loaded, dict):
        return _no_safety()
    watched, month = loaded.get("watched"), loaded.get("pool_exhausted_month")
    failed = loaded.get("failed_pilots")
    safety = _no_safety()
    for key in ("proven", "held"):
        if isinstance(items := loaded.get(key), list) and all(isinstance(i, str) for i in items):
            safety[key] = items
    for product_id, failure in failed.items() if isinstance(failed, dict) else ():
        if isinstance(failure, dict) and all(
            isinstance(failure.get(key), str) for key in ("product", "pilot")
        ):
            safety["failed_pilots"][product_id] = cast(StoredPilotFailure, failure)
    for device_id, watch in watched.items() if isinstance(watched, dict) else ():
        if (
            isinstance(watch, dict)
            and isinstance(watch.get("until"), int | float)
            and all(
                isinstance(watch.get(key), str)
                for key in ("product_id", "from_version", "to_version")
            )
        ):
            safety["watched"][device_id] = cast(StoredWatch, watch)
    if isinstance(month, str):
        safety["pool_exhausted_month"] = month
    return safety


def _well_formed(loaded: object) -> StoredData:
    """What of a stored file has the expected shape; the rest is dropped, not fatal."""
    data = _empty()
    if not isinstance(loaded, dict):
        return data
    firmware, jobs, calls = loaded.get("firmware"), loaded.get("jobs"), loaded.get("calls")
    data["safety"] = _well_formed_safety(loaded.get("safety"))
    # Each record's own shape is checked once, when the tracker restores it.
    for device_id, item in firmware.items() if isinstance(firmware, dict) else ():
        if isinstance(item, dict):
            data["firmware"][device_id] = cast(StoredFirmware, item)
    for device_id, job in jobs.items() if isinstance(jobs, dict) else ():
        if (
            isinstance(job, dict)
            and isinstance(job.get("channels"), list)
            and isinstance(job.get("from_version"), str)
            and isinstance(job.get("to_version"), str)
            and isinstance(job.get("started_at"), int | float | None)
            and isinstance(job.get("timeout_s"), int | float)
            and isinstance(job.get("later_channels", []), list)
            and isinstance(job.get("phases_done", 0), int)
        ):
            data["jobs"][device_id] = cast(StoredJob, job)
    if (
        isinstance(calls, dict)
        and isinstance(calls.get("month"), str)
        and all(
            isinstance(calls.get(key), int) and not isinstance(calls.get(key), bool)
            for key in ("count", "scheduled")
        )
    ):
        data["calls"] = {
            "month": calls["month"],
            "count": calls["count"],
            "scheduled": calls["scheduled"],
        }
    return data


class TuyaOtaStore:
    """One storage file per entry, written at most every few seconds and on unload.

    Every change goes through the typed accessors below, which schedule the write.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Bind the file to the entry."""
        self._store: Store[StoredData] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")
        self._data: StoredData = _empty()

    async def async_load(self) -> None:
        """Read the file; a missing or unreadable one starts empty."""
        try:
            loaded = await self._store.async_load()
        except (ValueError, OSError) as err:  # a corrupt file must not block the setup
            LOGGER.warning("Ignoring unreadable stored firmware state: %s", err)
            loaded = None
        self._data = _well_formed(loaded)

    def firmware_device_ids(self) -> KeysView[str]:
        """The devices whose firmware is stored."""
        return self._data["firmware"].keys()

    def firmware_records(self) -> dict[str, FirmwareRecord]:
        """Each device's firmware as last stored."""
        records = {
            device_id: FirmwareRecord.from_stored(stored)
            for device_id, stored in self._data["firmware"].items()
        }
        return {device_id: record for device_id, record in records.items() if record}

    @callback
    def put_firmware(self, device_id: str, record: FirmwareRecord) -> None:
        """Keep the device's freshly read firmware."""
        self._data["firmware"][device_id] = record.as_stored()
        self._schedule_save()

    @callback
    def drop_firmware(self, device_ids: Iterable[str]) -> None:
        """Forget the firmware of devices that left the home."""
        for device_id in device_ids:
            self._data["firmware"].pop(device_id, None)
        self._schedule_save()

    def jobs(self) -> dict[str, StoredJob]:
        """The queued and running updates as last stored."""
        return dict(self._data["jobs"])

    @callback
    def put_job(self, device_id: str, job: StoredJob) -> None:
        """Keep a queued or running update as it is now."""
        self._data["jobs"][device_id] = job
        self._schedule_save()

    @callback
    def drop_job(self, device_id: str) -> None:
        """Forget an update that ended (or whose device left the home)."""
        self._data["jobs"].pop(device_id, None)
        self._schedule_save()

    @property
    def calls(self) -> StoredCalls:
        """The call counts of the month last stored."""
        return self._data["calls"]

    @callback
    def put_calls(self, calls: StoredCalls) -> None:
        """Keep the call counts."""
        self._data["calls"] = calls
        self._schedule_save()

    @property
    def safety(self) -> StoredSafety:
        """The run's safety state as last stored (the caller keeps it up to date)."""
        return self._data["safety"]

    @callback
    def safety_changed(self) -> None:
        """The safety state was changed in place: write it."""
        self._schedule_save()

    @callback
    def _schedule_save(self) -> None:
        """Write soon, batching the many small changes of a firmware sweep."""
        self._store.async_delay_save(lambda: self._data, SAVE_DELAY_S)

    async def async_save_now(self) -> None:
        """Write at once (on unload), cancelling a pending delayed write."""
        await self._store.async_save(self._data)

    async def async_remove(self) -> None:
        """Delete the file when the entry is removed."""
        await self._store.async_remove()
