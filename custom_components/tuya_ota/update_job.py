"""A device's firmware update as the queue holds it, and how it ends.

A job runs in at most two phases, as Tuya's apps update a device: first the module channels
(Wi-Fi, Zigbee...), then the MCU once every module succeeded. It is stored as it goes, so a
restart of Home Assistant neither loses nor repeats it. Its state (queued, starting, running)
is the queue's to set; whoever drives a job tells the queue through :class:`JobReports`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum
import time
from typing import Protocol

from homeassistant.core import CALLBACK_TYPE
from homeassistant.exceptions import HomeAssistantError

from .const import DEFAULT_UPDATE_TIMEOUT, DOMAIN
from .storage import StoredJob
from .tuya_cloud import TuyaCloudError, UpgradeStatus


class JobState(StrEnum):
    """Where a job is in its life; only the queue moves it on."""

    QUEUED = "queued"  # waiting for a place
    STARTING = "starting"  # has a place: the firmware is read again, channels started
    RUNNING = "running"  # a phase runs in the cloud: its progress is followed


class JobResult(StrEnum):
    """How a job ended; ``skipped`` jobs never reached a start call."""

    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout"
    SKIPPED = "skipped"


# The progress call's final statuses, as results of the channel.
CHANNEL_RESULTS = {
    UpgradeStatus.SUCCEEDED: JobResult.SUCCESS,
    UpgradeStatus.FAILED: JobResult.FAILED,
    UpgradeStatus.TIMED_OUT: JobResult.TIMEOUT,
}


class SkipReason(StrEnum):
    """Why an install was refused before any start call."""

    OFFLINE = "offline"
    UP_TO_DATE = "up_to_date"
    IN_PROGRESS = "in_progress"
    INSUFFICIENT_ROLE = "insufficient_role"
    QUOTA_EXHAUSTED = "quota_exhausted"
    CANNOT_UPDATE_NOW = "cannot_update_now"  # the cloud's can_upgrade false (its remind says why)
    DEVICE_POOL_EXHAUSTED = "device_pool_exhausted"  # the trial's device pool, this month
    PILOT_FAILED = "pilot_failed"  # the first device of its product failed in this run


class InstallRefusedError(HomeAssistantError):
    """An install refused before any start call, with a translated message."""

    def __init__(self, reason: SkipReason, device_name: str, **details: str) -> None:
        """Translate the reason for the device, with what else its message names."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=f"refused_{reason}",
            translation_placeholders={"device": device_name, **details},
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


class JobReports(Protocol):
    """What the one who drives a job tells the queue, which owns the job's state."""

    def started(self, job: UpdateJob) -> None:
        """A phase of the job runs in the cloud now (stored and shown)."""

    def progressed(self, job: UpdateJob) -> None:
        """The percentage the job shows changed."""

    def refused(self, job: UpdateJob, refusal: HomeAssistantError) -> None:
        """The job ends before any start call; the install call gets ``refusal``."""

    def ended(self, job: UpdateJob, outcome: JobOutcome) -> None:
        """The job ended in the cloud (or was given up)."""


@dataclass(eq=False, slots=True)
class UpdateJob:
    """A device's queued or running update.

    ``channels`` are the channels of the running phase and ``channels_after_modules`` (the
    MCU) those that start once all of them succeeded; ``started_at`` and ``timeout_s`` are the
    running phase's, ``started_at`` None until a phase started. ``run_started_at`` is when the
    queue's run that holds the job began (the role is read again before its first start).
    """

    device_id: str
    name: str
    product_id: str
    is_sub_device: bool
    install_answer: asyncio.Future[HomeAssistantError | None]
    finished: asyncio.Future[JobOutcome]
    run_started_at: float
    state: JobState = JobState.QUEUED
    channels: list[int] = field(default_factory=list)
    channels_after_modules: list[int] = field(default_factory=list)
    completed_phases: int = 0
    from_version: str = ""
    to_version: str = ""
    started_at: float | None = None
    timeout_s: float = DEFAULT_UPDATE_TIMEOUT.total_seconds()
    progress: int | None = None
    # The least advanced channel's percentage at the last progress read.
    phase_percentage: int | None = None
    channel_results: dict[int, JobResult] = field(default_factory=dict)
    channel_percentages: dict[int, int] = field(default_factory=dict)
    last_cloud_status: dict[int, int] = field(default_factory=dict)
    rate_limited: int = 0
    task: asyncio.Task[None] | None = None
    unsub_timer: CALLBACK_TYPE | None = None

    def answer_install(self, refusal: HomeAssistantError | None = None) -> None:
        """Tell the install call waiting on the start: accepted, or refused with ``refusal``."""
        if not self.install_answer.done():
            self.install_answer.set_result(refusal)

    async def until_accepted(self) -> None:
        """Wait for the start call's answer; raise the refusal, translated, if there is one."""
        if (refusal := await self.install_answer) is not None:
            raise refusal

    def stored(self) -> StoredJob:
        """What the store keeps of the job."""
        return {
            "channels": self.channels,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "started_at": self.started_at,
            "timeout_s": self.timeout_s,
            "later_channels": self.channels_after_modules,
            "phases_done": self.completed_phases,
        }

    def restore(self, stored: StoredJob) -> None:
        """Take up what an earlier run stored of the job."""
        self.channels = list(stored["channels"])
        self.channels_after_modules = list(stored.get("later_channels", []))
        self.completed_phases = stored.get("phases_done", 0)
        self.from_version = stored["from_version"]
        self.to_version = stored["to_version"]
        self.started_at = stored["started_at"]
        # Older versions took the firmware's `timeout` (60, say) for seconds.
        self.timeout_s = max(stored["timeout_s"], DEFAULT_UPDATE_TIMEOUT.total_seconds())
        if self.started_at is not None:
            self.answer_install()

    def start_phase(self, channels: list[int], timeout_s: float) -> None:
        """A phase of ``channels`` started now: its progress is read from nothing."""
        self.channels = channels
        self.channel_results.clear()
        self.channel_percentages.clear()
        self.last_cloud_status.clear()
        self.phase_percentage = None
        self.started_at = time.time()
        self.timeout_s = timeout_s

    def note_progress(self, channel: int, status: int, percentage: int | None) -> None:
        """One progress answer of a channel of the running phase."""
        self.last_cloud_status[channel] = status
        if status in CHANNEL_RESULTS:
            self.channel_results[channel] = CHANNEL_RESULTS[UpgradeStatus(status)]
            self.channel_percentages[channel] = 100
        elif status == UpgradeStatus.UPGRADING and percentage:
            self.channel_percentages[channel] = percentage

    def note_phase_percentage(self) -> bool:
        """Keep the least advanced channel's percentage; whether it grew since the last read."""
        least = min(
            (self.channel_percentages.get(channel, 0) for channel in self.channels), default=0
        )
        grew = least > (self.phase_percentage or 0)
        self.phase_percentage = least
        return grew

    @property
    def unfinished_channels(self) -> list[int]:
        """The running phase's channels without a final status yet."""
        return [channel for channel in self.channels if channel not in self.channel_results]

    def phase_result(self) -> JobResult | None:
        """The running phase's result once every channel ended: any failure fails it."""
        if not self.channels:
            return JobResult.FAILED
        if self.unfinished_channels:
            return None
        results = set(self.channel_results.values())
        for result in (JobResult.FAILED, JobResult.TIMEOUT):
            if result in results:
                return result
        return JobResult.SUCCESS

    @property
    def cloud_reports_updating(self) -> bool:
        """Whether the last progress answer of an unfinished channel was 2 (updating)."""
        return any(
            self.last_cloud_status.get(channel) == UpgradeStatus.UPGRADING
            for channel in self.unfinished_channels
        )

    def overall_percentage(self) -> int | None:
        """One percentage for the whole job, each phase an equal share.

        A phase takes about one update's time, however many channels run side by side in it.
        """
        if not self.channel_percentages and not self.completed_phases:
            return None
        phases = self.completed_phases + 1 + (1 if self.channels_after_modules else 0)
        running = sum(self.channel_percentages.get(channel, 0) for channel in self.channels)
        phase = running / len(self.channels) if self.channels else 0.0
        return round((100 * self.completed_phases + phase) / phases)
