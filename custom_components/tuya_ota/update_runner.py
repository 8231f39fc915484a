"""The phases of a job that talk to the cloud: start, follow progress, start the MCU, time out.

Each phase is a short task; the waits between them are Home Assistant timers, so nothing
sleeps inside a call and an unload cancels cleanly. The runner holds no job state of its
own: it tells the job's owner (the queue) what happened through :class:`JobReports`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
import random
import time
from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later

from .const import (
    DEFAULT_UPDATE_TIMEOUT,
    LOGGER,
    LOW_POWER_WAKE_ALLOWANCE,
    ROLE_FRESHNESS,
    UPDATE_SAFETY_LIMIT,
)
from .errors import ACTIONABLE, cloud_error, error_key
from .progress_schedule import FIRST_INTERVAL, next_read_in
from .tuya_cloud import (
    FirmwareChannel,
    TuyaCloudError,
    TuyaDeviceOfflineError,
    TuyaDevicePoolExhaustedError,
    TuyaRateLimitError,
)
from .update_job import (
    InstallRefusedError,
    JobOutcome,
    JobReports,
    JobResult,
    SkipReason,
    StartFailedError,
    UpdateJob,
)

if TYPE_CHECKING:
    from datetime import datetime

    from .data import TuyaOtaRuntimeData

# A rate-limited start is tried again after this long, doubling, with jitter.
RATE_LIMIT_BACKOFF_S = 2.0
RATE_LIMIT_BACKOFF_MAX_S = 120.0

# The "device control module": updated after every other channel of the device succeeded.
MCU_CHANNEL = 9

type Phase = Callable[[UpdateJob], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class StartResult:
    """What starting a phase came to: started, refused (and why), or rate limited."""

    refusal: HomeAssistantError | None = None
    rate_limited: bool = False


STARTED = StartResult()
RATE_LIMITED = StartResult(rate_limited=True)


def update_timeout_s(channels: list[FirmwareChannel]) -> float:
    """When a phase that the cloud no longer reports updating counts as timed out.

    The firmware's ``timeout`` has no documented unit (the documentation's example is 60), so
    it only lengthens the default, never shortens it; sleeping devices get time to wake up.
    """
    default = DEFAULT_UPDATE_TIMEOUT.total_seconds()
    given = max((channel.timeout_s or 0 for channel in channels), default=0)
    timeout = min(max(default, given), UPDATE_SAFETY_LIMIT.total_seconds())
    if any(channel.low_power for channel in channels):
        timeout += LOW_POWER_WAKE_ALLOWANCE.total_seconds()
    return float(timeout)


def split_phases(
    startable: list[FirmwareChannel], running: list[FirmwareChannel]
) -> tuple[list[FirmwareChannel], list[FirmwareChannel]]:
    """The channels to start now and those to start once every channel running succeeded.

    The modules go first and the MCU after them, as in Tuya's apps; a device whose only
    update is the MCU's starts it at once.
    """
    modules = [channel for channel in startable if channel.channel != MCU_CHANNEL]
    mcu = [channel for channel in startable if channel.channel == MCU_CHANNEL]
    if modules or any(channel.channel != MCU_CHANNEL for channel in running):
        return modules, mcu
    return mcu, []


class UpdateRunner:
    """Drives the jobs the queue gives a place, from the first start call to the final reading."""

    def __init__(self, home: TuyaOtaRuntimeData, reports: JobReports) -> None:
        """Bind the runner to its home and to the owner of the jobs' state."""
        self._home = home
        self._firmware = home.firmware
        self._reports = reports

    @callback
    def start(self, job: UpdateJob) -> None:
        """Start a job that got a place."""
        self._spawn(job, self._start)

    @callback
    def follow(self, job: UpdateJob) -> None:
        """Follow a job that already runs in the cloud (restored, or started elsewhere)."""
        self._spawn(job, self._follow)

    async def async_stop(self, jobs: list[UpdateJob]) -> None:
        """Cancel the jobs' timers and tasks; the jobs stay stored for the next setup."""
        tasks = []
        for job in jobs:
            if job.unsub_timer is not None:
                job.unsub_timer()
                job.unsub_timer = None
            if job.task is not None and not job.task.done():
                job.task.cancel()
                tasks.append(job.task)
        await asyncio.gather(*tasks, return_exceptions=True)

    @callback
    def _spawn(self, job: UpdateJob, phase: Phase) -> None:
        """Run one short phase of a job as a tracked task."""
        job.unsub_timer = None
        job.task = self._home.entry.async_create_task(
            self._home.hass,
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
            self._end(job, JobResult.FAILED)

    @callback
    def _after(self, job: UpdateJob, phase: Phase, delay_s: float) -> None:
        @callback
        def run(_now: datetime) -> None:
            self._spawn(job, phase)

        job.unsub_timer = async_call_later(self._home.hass, delay_s, run)

    @callback
    def _end(self, job: UpdateJob, result: JobResult) -> None:
        self._reports.ended(job, JobOutcome(result, job.from_version, job.to_version))

    # Starting

    async def _start(self, job: UpdateJob) -> None:
        result = await self._start_modules(job)
        if result.rate_limited:
            # Keep the place and try again later: a bulk run slows down instead of failing.
            # The install call has its answer: the update is accepted, it starts later.
            job.answer_install()
            self._after(job, self._start, self._rate_limit_delay(job))
        elif result.refusal is not None:
            self._reports.refused(job, result.refusal)
        else:
            self._after(job, self._follow, FIRST_INTERVAL.total_seconds())

    async def _start_modules(self, job: UpdateJob) -> StartResult:
        """Read the role and the firmware again, then start the first phase's channels.

        The device list (and with it the role) is read only every few hours, so the role is
        read again before the first start of a run, and during a long run every few minutes.
        """
        read_since = max(job.run_started_at, time.time() - ROLE_FRESHNESS.total_seconds())
        try:
            if not await self._home.coordinator.async_confirm_role(read_since):
                return StartResult(InstallRefusedError(SkipReason.INSUFFICIENT_ROLE, job.name))
            record = await self._firmware.async_read(job.device_id)
        except TuyaCloudError as err:
            return self._not_started(job, err)
        startable = [channel for channel in record.channels if channel.startable]
        running = record.running_channels
        if not startable and not running:
            if (remind := record.cloud_says_not_now) is not None:  # the cloud's "not now"
                refusal = InstallRefusedError(SkipReason.CANNOT_UPDATE_NOW, job.name, remind=remind)
                return StartResult(refusal)
            return StartResult(InstallRefusedError(SkipReason.UP_TO_DATE, job.name))
        job.from_version, job.to_version = record.version_change
        first, after_modules = split_phases(startable, running)
        started, error = await self._start_each(job, first, all_or_nothing=not running)
        if error is not None and not running:
            return self._not_started(job, error)
        if len(started) < len(first) and after_modules:
            LOGGER.warning("The MCU of %s is not started after a module that did not", job.name)
            after_modules = []
        self._begin_phase(job, started + running)
        job.channels_after_modules = [channel.channel for channel in after_modules]
        job.answer_install()
        self._reports.started(job)
        LOGGER.info("Firmware update of %s started (%s)", job.name, job.to_version)
        return STARTED

    async def _start_each(
        self, job: UpdateJob, channels: Sequence[FirmwareChannel], *, all_or_nothing: bool
    ) -> tuple[list[FirmwareChannel], TuyaCloudError | None]:
        """Start the channels in order; those started, and the failure that ended the attempt.

        A rate limit before any channel started ends it (the whole phase is tried again
        later), and so does any failure before one started when ``all_or_nothing``; other
        failures leave that channel out.
        """
        started: list[FirmwareChannel] = []
        for channel in channels:
            try:
                await self._home.client.start_firmware_update(job.device_id, channel.channel)
            except TuyaCloudError as err:
                if not started and (all_or_nothing or isinstance(err, TuyaRateLimitError)):
                    return [], err
                LOGGER.warning("Channel %s of %s did not start: %s", channel.name, job.name, err)
            else:
                started.append(channel)
        return started, None

    def _not_started(self, job: UpdateJob, err: TuyaCloudError) -> StartResult:
        """What a failed call before or at the start comes to (errors.py names the keys)."""
        if isinstance(err, TuyaRateLimitError):
            return RATE_LIMITED
        if isinstance(err, TuyaDeviceOfflineError):
            return StartResult(InstallRefusedError(SkipReason.OFFLINE, job.name))
        if isinstance(err, TuyaDevicePoolExhaustedError):  # no failed update: none was started
            return StartResult(InstallRefusedError(SkipReason.DEVICE_POOL_EXHAUSTED, job.name))
        if (key := error_key(err)) == "quota_exhausted":
            return StartResult(InstallRefusedError(SkipReason.QUOTA_EXHAUSTED, job.name))
        if key in ACTIONABLE:
            return StartResult(cloud_error(HomeAssistantError, err))
        return StartResult(StartFailedError(job.name, err))

    def _begin_phase(self, job: UpdateJob, channels: list[FirmwareChannel]) -> None:
        job.start_phase([channel.channel for channel in channels], update_timeout_s(channels))

    async def _start_mcu(self, job: UpdateJob) -> None:
        """The module channels succeeded: read the firmware again, then start the MCU."""
        try:
            record = await self._firmware.async_read(job.device_id)
        except TuyaCloudError as err:
            result = self._not_started(job, err)
        else:
            result = await self._start_channels_after_modules(job, record.channels)
        if result.rate_limited:
            self._after(job, self._start_mcu, self._rate_limit_delay(job))
        elif result.refusal is None:
            self._after(job, self._follow, FIRST_INTERVAL.total_seconds())
        else:
            LOGGER.warning("The MCU of %s was not started: %s", job.name, result.refusal)
            self._end(job, JobResult.SUCCESS)  # the modules' update stands

    async def _start_channels_after_modules(
        self, job: UpdateJob, channels: Sequence[FirmwareChannel]
    ) -> StartResult:
        """Start the MCU channels that are still ready, unless nothing is left to update."""
        wanted = set(job.channels_after_modules)
        startable = [c for c in channels if c.channel in wanted and c.startable]
        running = [c for c in channels if c.channel in wanted and c.running]
        started, error = await self._start_each(job, startable, all_or_nothing=False)
        if error is not None and not running:
            return self._not_started(job, error)
        if not started and not running:
            LOGGER.info("%s: nothing left to update after its modules", job.name)
            return StartResult(InstallRefusedError(SkipReason.UP_TO_DATE, job.name))
        job.completed_phases += 1
        job.channels_after_modules = []
        self._begin_phase(job, started + running)
        job.progress = job.overall_percentage()
        self._reports.started(job)
        LOGGER.info("Firmware update of %s: the MCU started", job.name)
        return STARTED

    @staticmethod
    def _rate_limit_delay(job: UpdateJob) -> float:
        job.rate_limited += 1
        delay: float = min(
            RATE_LIMIT_BACKOFF_S * 2 ** (job.rate_limited - 1), RATE_LIMIT_BACKOFF_MAX_S
        )
        delay *= random.uniform(0.5, 1.0)
        LOGGER.debug("Start of %s rate limited; again in %.1f s", job.name, delay)
        return delay

    # Following

    async def _follow(self, job: UpdateJob) -> None:
        """Read progress once; at the end of the job read the firmware again and report it.

        While the quota is spent no progress is read (every call would fail); the update goes
        on in the cloud, and is followed again once calls answer.
        """
        result = None if self._home.health.quota_exhausted else await self._read_progress(job)
        if result is None:
            if (delay := self._next_read_in(job)) is not None:
                self._after(job, self._follow, delay)
                return
            LOGGER.warning("Firmware update of %s timed out", job.name)
            result = JobResult.TIMEOUT
        elif result is JobResult.SUCCESS and job.channels_after_modules:
            await self._start_mcu(job)
            return
        try:
            await self._firmware.async_read(job.device_id)
        except TuyaCloudError as err:
            LOGGER.debug("Firmware of %s not read after its update: %s", job.device_id, err)
        self._end(job, result)

    def _next_read_in(self, job: UpdateJob) -> float | None:
        """Seconds to the next progress read of a running phase; None once it timed out.

        Reads lengthen with the phase's time (see progress_schedule), and one comes at the
        phase's timeout. Past it, a phase the cloud last reported updating (2) is still
        followed, up to the safety limit: only the cloud's own 7 ends it sooner.
        """
        elapsed = time.time() - (job.started_at or 0.0)
        safety_limit = UPDATE_SAFETY_LIMIT.total_seconds()
        if elapsed < job.timeout_s:
            deadline = job.timeout_s
        elif job.cloud_reports_updating and elapsed < safety_limit:
            deadline = safety_limit
        else:
            return None
        advanced = job.note_phase_percentage()
        scheduled = next_read_in(elapsed, job.phase_percentage, advanced=advanced)
        return min(scheduled, deadline - elapsed)

    async def _read_progress(self, job: UpdateJob) -> JobResult | None:
        """Read every unfinished channel's progress; the phase's result once all have ended."""
        for channel in job.unfinished_channels:
            try:
                progress = await self._home.client.get_firmware_progress(job.device_id, channel)
            except TuyaCloudError as err:
                LOGGER.debug("Progress of %s not read: %s", job.device_id, err)
                continue
            job.note_progress(channel, progress.upgrade_status, progress.progress)
        if (result := job.phase_result()) is not None:
            return result
        percentage = job.overall_percentage()
        if percentage != job.progress:
            job.progress = percentage
            self._reports.progressed(job)
        return None
