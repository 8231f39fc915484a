"""One queue per home through which every firmware update runs, whoever started it.

At most ``max_parallel`` devices update at once and never more than one sub-device, since
sub-devices share their gateway's link. Jobs are first come first served; a queued sub-device
lets later devices pass while another sub-device runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
import random
import time
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later

from .const import (
    CONF_MAX_PARALLEL,
    DEFAULT_MAX_PARALLEL,
    DEFAULT_UPDATE_TIMEOUT,
    DOMAIN,
    EVENT_UPDATE_FINISHED,
    LOGGER,
    LOW_POWER_WAKE_ALLOWANCE,
    PROGRESS_POLL_INTERVAL,
    ROLE_FRESHNESS,
)
from .firmware import FirmwareTracker, installed_version, latest_version, update_available
from .storage import StoredJob, TuyaOtaStore
from .tuya_cloud import (
    FirmwareChannel,
    TuyaCloudClient,
    TuyaCloudError,
    TuyaDeviceOfflineError,
    TuyaRateLimitError,
    UpgradeStatus,
)

if TYPE_CHECKING:
    from datetime import datetime

    from .coordinator import TuyaOtaCoordinator
    from .data import TuyaOtaConfigEntry

# A rate-limited start is tried again after this long, doubling, with jitter.
RATE_LIMIT_BACKOFF_S = 2.0
RATE_LIMIT_BACKOFF_MAX_S = 120.0

type Phase = Callable[[UpdateJob], Coroutine[Any, Any, None]]

ENDED_STATUSES = {
    UpgradeStatus.SUCCEEDED: "success",
    UpgradeStatus.FAILED: "failed",
    UpgradeStatus.TIMED_OUT: "timeout",
}


class JobResult(StrEnum):
    """How a job ended; ``skipped`` jobs never reached a start call."""

    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout"
    SKIPPED = "skipped"


class SkipReason(StrEnum):
    """Why an install was refused before any start call."""

    OFFLINE = "offline"
    UP_TO_DATE = "up_to_date"
    IN_PROGRESS = "in_progress"
    INSUFFICIENT_ROLE = "insufficient_role"


class InstallRefusedError(HomeAssistantError):
    """An install refused before any start call, with a translated message."""

    def __init__(self, reason: SkipReason, device_name: str) -> None:
        """Translate the reason for the device."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=f"refused_{reason}",
            translation_placeholders={"device": device_name},
        )
        self.reason = reason


class StartFailedError(HomeAssistantError):
    """The cloud refused or failed the start call."""

    def __init__(self, device_name: str, error: TuyaCloudError) -> None:
        """Translate the failure for the device."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key="start_failed",
            translation_placeholders={"device": device_name, "error": str(error)},
        )


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """The end of a job, as the event and the update_all response report it."""

    result: JobResult
    from_version: str
    to_version: str
    reason: str | None = None


@dataclass(eq=False, slots=True)
class UpdateJob:
    """A device's queued or running update."""

    device_id: str
    name: str
    sub: bool
    started: asyncio.Future[HomeAssistantError | None]
    finished: asyncio.Future[JobOutcome]
    channels: list[int] = field(default_factory=list)
    from_version: str = ""
    to_version: str = ""
    started_at: float | None = None
    timeout_s: float = DEFAULT_UPDATE_TIMEOUT.total_seconds()
    progress: int | None = None
    ended: dict[int, str] = field(default_factory=dict)
    percents: dict[int, int] = field(default_factory=dict)
    rate_limited: int = 0
    task: asyncio.Task[None] | None = None
    unsub_timer: CALLBACK_TYPE | None = None

    def accept(self, error: HomeAssistantError | None) -> None:
        """Answer the install call waiting on the start, once."""
        if not self.started.done():
            self.started.set_result(error)

    def stored(self) -> StoredJob:
        """What the store keeps of the job."""
        return {
            "channels": self.channels,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "started_at": self.started_at,
            "timeout_s": self.timeout_s,
        }


def update_timeout_s(channels: list[FirmwareChannel]) -> float:
    """How long an update may run: the slowest channel's timeout, plus wake-up for sleepers."""
    default = DEFAULT_UPDATE_TIMEOUT.total_seconds()
    timeout = max((channel.timeout_s or default for channel in channels), default=default)
    if any(channel.low_power for channel in channels):
        timeout += LOW_POWER_WAKE_ALLOWANCE.total_seconds()
    return float(timeout)


class UpdateQueue:
    """Runs the home's firmware updates under the parallelism rules and reports their end."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TuyaOtaConfigEntry,
        client: TuyaCloudClient,
        coordinator: TuyaOtaCoordinator,
        firmware: FirmwareTracker,
        store: TuyaOtaStore,
    ) -> None:
        """Bind the queue to its home."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._coordinator = coordinator
        self._firmware = firmware
        self._store = store
        self.max_parallel: int = entry.options.get(CONF_MAX_PARALLEL, DEFAULT_MAX_PARALLEL)
        self._jobs: dict[str, UpdateJob] = {}
        self._active: set[str] = set()
        self._stopped = False
        # When the queue last went from empty to busy: the run's first start reads the role.
        self._run_started_at = 0.0

    # What entities and sensors show

    def job(self, device_id: str) -> UpdateJob | None:
        """The device's queued or running job."""
        return self._jobs.get(device_id)

    @property
    def active_count(self) -> int:
        """Devices queued or updating."""
        return len(self._jobs)

    def holds_place(self, device_id: str) -> bool:
        """Whether the device's job is past the queue (starting or running)."""
        return device_id in self._active

    # Adding jobs

    def refusal(self, device_id: str) -> SkipReason | None:
        """Why an install of this device must be refused now, from what is known locally."""
        if not self._coordinator.may_update():
            return SkipReason.INSUFFICIENT_ROLE
        device = self._coordinator.data.devices.get(device_id)
        if device is None or not device.online:
            return SkipReason.OFFLINE
        channels = self._firmware.get(device_id) or []
        if device_id in self._jobs or any(channel.running for channel in channels):
            return SkipReason.IN_PROGRESS
        if not update_available(channels):
            return SkipReason.UP_TO_DATE
        return None

    def device_name(self, device_id: str) -> str:
        """The device's name for messages."""
        device = self._coordinator.data.devices.get(device_id)
        return device.name if device else device_id

    @callback
    def async_enqueue(self, device_id: str) -> UpdateJob:
        """Queue the device's update, or raise ``InstallRefusedError`` without any call."""
        if (reason := self.refusal(device_id)) is not None:
            raise InstallRefusedError(reason, self.device_name(device_id))
        job = self._new_job(device_id)
        channels = self._firmware.get(device_id) or []
        job.from_version = installed_version(channels) or ""
        job.to_version = latest_version(channels) or ""
        self._add(job)
        return job

    def _new_job(self, device_id: str) -> UpdateJob:
        device = self._coordinator.data.devices.get(device_id)
        return UpdateJob(
            device_id=device_id,
            name=self.device_name(device_id),
            sub=bool(device and device.sub),
            started=self._hass.loop.create_future(),
            finished=self._hass.loop.create_future(),
        )

    @callback
    def _add(self, job: UpdateJob, *, pump: bool = True) -> None:
        if not self._jobs:
            self._run_started_at = time.time()
        self._jobs[job.device_id] = job
        self._persist(job)
        self._coordinator.async_notify_device(job.device_id)
        if pump:
            self._pump()

    @callback
    def async_restore(self) -> None:
        """Take up the jobs of before the restart, and updates the cloud reports running."""
        devices = self._coordinator.data.devices
        for device_id, stored in list(self._store.data["jobs"].items()):
            if device_id not in devices:
                del self._store.data["jobs"][device_id]
                continue
            job = self._new_job(device_id)
            job.channels = list(stored["channels"])
            job.from_version = stored["from_version"]
            job.to_version = stored["to_version"]
            job.started_at = stored["started_at"]
            job.timeout_s = stored["timeout_s"]
            if job.started_at is not None:
                job.accept(None)
            self._add(job, pump=False)
        for device_id in devices:
            self._follow_if_running(device_id, pump=False)
        self._pump()
        self._entry.async_on_unload(
            self._firmware.async_add_change_listener(self._follow_if_running)
        )
        self._entry.async_on_unload(
            self._coordinator.async_add_listener(self._role_or_list_changed)
        )

    @callback
    def _follow_if_running(self, device_id: str, *, pump: bool = True) -> None:
        """Follow an update the cloud reports running that no job of ours covers."""
        channels = self._firmware.get(device_id) or []
        running = [channel for channel in channels if channel.running]
        if not running or device_id in self._jobs:
            return
        LOGGER.info("Following the firmware update of %s under way", self.device_name(device_id))
        job = self._new_job(device_id)
        job.channels = [channel.channel for channel in running]
        job.from_version = installed_version(channels) or ""
        job.to_version = latest_version(channels) or ""
        job.started_at = time.time()
        job.timeout_s = update_timeout_s(running)
        job.accept(None)
        self._add(job, pump=pump)

    @callback
    def _role_or_list_changed(self) -> None:
        """Drop queued jobs when the role forbids them; running ones are followed to the end."""
        if self._coordinator.may_update():
            self._pump()
            return
        for job in list(self._jobs.values()):
            if job.device_id not in self._active:
                self._skip(job, InstallRefusedError(SkipReason.INSUFFICIENT_ROLE, job.name))

    # Running jobs

    async def async_stop(self) -> None:
        """Stop following updates; they stay stored and are taken up on the next setup."""
        self._stopped = True
        tasks = []
        for job in self._jobs.values():
            if job.unsub_timer is not None:
                job.unsub_timer()
                job.unsub_timer = None
            if job.task is not None and not job.task.done():
                job.task.cancel()
                tasks.append(job.task)
        await asyncio.gather(*tasks, return_exceptions=True)

    @callback
    def _pump(self) -> None:
        """Give free places to waiting jobs; followed updates (already running) always run.

        Sub-devices go one at a time, so they are the critical path of a bulk run: when no
        sub-device runs, the first waiting one takes the next place, and the other places
        go to the other devices in arrival order.
        """
        if self._stopped:
            return
        waiting = [job for job in self._jobs.values() if job.device_id not in self._active]
        for job in waiting:
            if job.started_at is not None:
                self._activate(job)
        free = self.max_parallel - len(self._active)
        if free <= 0:
            return
        sub_busy = any(self._jobs[device_id].sub for device_id in self._active)
        if not sub_busy and (sub := next((job for job in waiting if job.sub), None)):
            self._activate(sub)
            free -= 1
        for job in waiting:
            if free <= 0:
                break
            if job.sub or job.device_id in self._active:
                continue
            self._activate(job)
            free -= 1

    @callback
    def _activate(self, job: UpdateJob) -> None:
        self._active.add(job.device_id)
        running = job.started_at is not None
        self._spawn(job, self._poll_phase if running else self._start_phase)

    @callback
    def _spawn(self, job: UpdateJob, phase: Phase) -> None:
        """Run one short phase of a job as a tracked task; waits between phases are timers."""
        job.unsub_timer = None
        job.task = self._entry.async_create_task(
            self._hass,
            self._guarded(job, phase),
            f"tuya_ota update {job.device_id}",
            eager_start=False,
        )

    async def _guarded(self, job: UpdateJob, phase: Phase) -> None:
        # The phase's coroutine is made here, so a task cancelled before it ran leaves none.
        try:
            await phase(job)
        except asyncio.CancelledError:
            raise  # unloading: the job stays stored and is taken up on the next setup
        except Exception:  # a bug must not wedge the queue
            LOGGER.exception("Firmware update of %s broke off", job.name)
            self._finish(job, JobOutcome(JobResult.FAILED, job.from_version, job.to_version))

    async def _start_phase(self, job: UpdateJob) -> None:
        try:
            refused = await self._start(job)
        except TuyaRateLimitError:
            # Keep the place and try again later: a bulk run slows down instead of failing.
            # The install call has its answer: the update is accepted, it starts later.
            job.accept(None)
            job.rate_limited += 1
            delay = min(
                RATE_LIMIT_BACKOFF_S * 2 ** (job.rate_limited - 1), RATE_LIMIT_BACKOFF_MAX_S
            )
            delay *= random.uniform(0.5, 1.0)
            LOGGER.debug("Start of %s rate limited; again in %.1f s", job.name, delay)
            self._schedule_phase(job, self._start_phase, delay)
            return
        if refused is not None:
            self._skip(job, refused)
            return
        self._schedule_phase(job, self._poll_phase, PROGRESS_POLL_INTERVAL.total_seconds())

    @callback
    def _schedule_phase(
        self,
        job: UpdateJob,
        phase: Phase,
        delay_s: float,
    ) -> None:
        @callback
        def run(_now: datetime) -> None:
            self._spawn(job, phase)

        job.unsub_timer = async_call_later(self._hass, delay_s, run)

    async def _poll_phase(self, job: UpdateJob) -> None:
        """Read progress once; at the end read the firmware again and report."""
        result = await self._read_progress(job)
        if result is None:
            if time.time() < (job.started_at or 0.0) + job.timeout_s:
                self._schedule_phase(job, self._poll_phase, PROGRESS_POLL_INTERVAL.total_seconds())
                return
            LOGGER.warning("Firmware update of %s timed out", job.name)
            result = JobResult.TIMEOUT
        try:
            await self._firmware.async_read(job.device_id)
        except TuyaCloudError as err:
            LOGGER.debug("Firmware of %s not read after its update: %s", job.device_id, err)
        self._finish(job, JobOutcome(result, job.from_version, job.to_version))

    async def _start(self, job: UpdateJob) -> HomeAssistantError | None:
        """Check again, read the role and the firmware again, and start every ready channel.

        The device list (and with it the role) is read only every few hours, so the role is
        read again before the first start of a run, and during a long run every few minutes.
        """
        if (reason := self._refusal_at_start(job.device_id)) is not None:
            return InstallRefusedError(reason, job.name)
        read_since = max(self._run_started_at, time.time() - ROLE_FRESHNESS.total_seconds())
        try:
            if not await self._coordinator.async_confirm_role(read_since):
                return InstallRefusedError(SkipReason.INSUFFICIENT_ROLE, job.name)
            channels = await self._firmware.async_read(job.device_id)
        except TuyaDeviceOfflineError:
            return InstallRefusedError(SkipReason.OFFLINE, job.name)
        except TuyaRateLimitError:
            raise
        except TuyaCloudError as err:
            return StartFailedError(job.name, err)
        startable = [channel for channel in channels if channel.startable]
        running = [channel for channel in channels if channel.running]
        if not startable and not running:
            return InstallRefusedError(SkipReason.UP_TO_DATE, job.name)
        job.from_version = installed_version(channels) or ""
        job.to_version = latest_version(channels) or ""
        started: list[int] = []
        for channel in startable:
            try:
                await self._client.start_firmware_update(job.device_id, channel.channel)
            except TuyaCloudError as err:
                if not started and not running:
                    if isinstance(err, TuyaRateLimitError):
                        raise
                    if isinstance(err, TuyaDeviceOfflineError):
                        return InstallRefusedError(SkipReason.OFFLINE, job.name)
                    return StartFailedError(job.name, err)
                LOGGER.warning("Channel %s of %s did not start: %s", channel.name, job.name, err)
                continue
            started.append(channel.channel)
        job.channels = started + [channel.channel for channel in running]
        job.started_at = time.time()
        job.timeout_s = update_timeout_s(startable + running)
        job.accept(None)
        self._persist(job)
        self._coordinator.async_notify_device(job.device_id)
        LOGGER.info("Firmware update of %s started (%s)", job.name, job.to_version)
        return None

    def _refusal_at_start(self, device_id: str) -> SkipReason | None:
        if not self._coordinator.may_update():
            return SkipReason.INSUFFICIENT_ROLE
        device = self._coordinator.data.devices.get(device_id)
        if device is None or not device.online:
            return SkipReason.OFFLINE
        return None

    async def _read_progress(self, job: UpdateJob) -> JobResult | None:
        """Read every unfinished channel's progress; the result once all have ended."""
        for channel in job.channels:
            if channel in job.ended:
                continue
            try:
                progress = await self._client.get_firmware_progress(job.device_id, channel)
            except TuyaCloudError as err:
                LOGGER.debug("Progress of %s not read: %s", job.device_id, err)
                continue
            if progress.upgrade_status in ENDED_STATUSES:
                job.ended[channel] = ENDED_STATUSES[UpgradeStatus(progress.upgrade_status)]
                job.percents[channel] = 100
            elif progress.upgrade_status == UpgradeStatus.UPGRADING and progress.progress:
                job.percents[channel] = progress.progress
        if not job.channels:
            return JobResult.FAILED
        if len(job.ended) == len(job.channels):
            results = set(job.ended.values())
            for result in (JobResult.FAILED, JobResult.TIMEOUT):
                if result in results:
                    return result
            return JobResult.SUCCESS
        percentage = round(sum(job.percents.values()) / len(job.channels)) if job.percents else None
        if percentage != job.progress:
            job.progress = percentage
            self._coordinator.async_notify_device(job.device_id)
        return None

    # Ending jobs

    @callback
    def _skip(self, job: UpdateJob, error: HomeAssistantError) -> None:
        LOGGER.warning("Firmware update of %s not started: %s", job.name, error)
        job.accept(error)
        reason = error.reason if isinstance(error, InstallRefusedError) else str(error)
        self._end(job, JobOutcome(JobResult.SKIPPED, job.from_version, job.to_version, reason))

    @callback
    def _finish(self, job: UpdateJob, outcome: JobOutcome) -> None:
        LOGGER.info("Firmware update of %s ended: %s", job.name, outcome.result)
        entity_id, ha_device_id = self.registry_ids(job.device_id)
        self._hass.bus.async_fire(
            EVENT_UPDATE_FINISHED,
            {
                "device_id": ha_device_id,
                "tuya_device_id": job.device_id,
                "entity_id": entity_id,
                "result": outcome.result.value,
                "from_version": outcome.from_version,
                "to_version": outcome.to_version,
            },
        )
        self._end(job, outcome)

    @callback
    def _end(self, job: UpdateJob, outcome: JobOutcome) -> None:
        self._jobs.pop(job.device_id, None)
        self._active.discard(job.device_id)
        job.accept(None)
        self._store.data["jobs"].pop(job.device_id, None)
        self._store.async_schedule_save()
        if not job.finished.done():
            job.finished.set_result(outcome)
        self._coordinator.async_notify_device(job.device_id)
        self._pump()

    @callback
    def _persist(self, job: UpdateJob) -> None:
        self._store.data["jobs"][job.device_id] = job.stored()
        self._store.async_schedule_save()

    def registry_ids(self, device_id: str) -> tuple[str | None, str | None]:
        """The device's update entity id and Home Assistant device id."""
        registry = er.async_get(self._hass)
        entity_id = registry.async_get_entity_id("update", DOMAIN, device_id)
        entry = registry.async_get(entity_id) if entity_id else None
        return entity_id, entry.device_id if entry else None

    def as_diagnostics(self) -> dict[str, Any]:
        """The queue's state for diagnostics."""
        return {
            "max_parallel": self.max_parallel,
            "jobs": {device_id: job.stored() for device_id, job in self._jobs.items()},
            "running": sorted(self._active),
        }
