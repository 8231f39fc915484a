"""One queue per home through which every firmware update runs, whoever started it.

At most ``max_parallel`` devices update at once and never more than one sub-device, since
sub-devices share their gateway's link. Jobs are first come first served; a queued sub-device
lets later devices pass while another sub-device runs. Of several devices of one product, one
goes first (``pilots``), and every device updated must come back online (``back_online``).
The queue owns every job's state: it decides which job runs, hands it to ``update_runner``
(which talks to the cloud and reports back through :class:`JobReports`), and reports how
each ends.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er

from .back_online import BackOnlineWatch
from .changes import ChangeNotifier
from .const import (
    CONF_MAX_PARALLEL,
    CONF_PILOT_PER_PRODUCT,
    DEFAULT_MAX_PARALLEL,
    DEFAULT_PILOT_PER_PRODUCT,
    DOMAIN,
    EVENT_UPDATE_FINISHED,
    LOGGER,
)
from .device_pool import DevicePool
from .pilots import ProductPilots
from .storage import StoredWatch
from .update_job import (
    InstallRefusedError,
    JobOutcome,
    JobResult,
    JobState,
    SkipReason,
    UpdateJob,
)
from .update_runner import UpdateRunner, update_timeout_s

if TYPE_CHECKING:
    from .data import TuyaOtaRuntimeData


def registry_ids(hass: HomeAssistant, tuya_device_id: str) -> tuple[str | None, str | None]:
    """The Tuya device's update entity id and Home Assistant device id."""
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id("update", DOMAIN, tuya_device_id)
    entry = registry.async_get(entity_id) if entity_id else None
    return entity_id, entry.device_id if entry else None


class UpdateQueue:
    """Lets the home's firmware updates run under the parallelism rules and reports their end.

    The one owner of each job's state: jobs enter queued (or running, when the cloud already
    runs them), get a place as starting, run once the runner reports a phase started, and
    leave when the runner reports a refusal or an end.
    """

    def __init__(self, home: TuyaOtaRuntimeData) -> None:
        """Bind the queue to its home, whose firmware tracker it follows."""
        self.hass = home.hass
        self._home = home
        self._firmware = home.firmware
        self._runner = UpdateRunner(home, self)
        options, entry_id = home.entry.options, home.entry.entry_id
        self.max_parallel: int = options.get(CONF_MAX_PARALLEL, DEFAULT_MAX_PARALLEL)
        self._pilots = ProductPilots(
            home.hass,
            home.store,
            entry_id,
            enabled=options.get(CONF_PILOT_PER_PRODUCT, DEFAULT_PILOT_PER_PRODUCT),
        )
        self._back_online = BackOnlineWatch(home, self._came_back)
        self._pool = DevicePool(home.hass, home.store, entry_id, home.entry.title)
        self._jobs: dict[str, UpdateJob] = {}
        self.changes = ChangeNotifier(home.hass)
        self._stopped = False
        # When the queue last went from empty to busy: the run's first start reads the role.
        self.run_started_at = 0.0

    # What entities and sensors show

    def job(self, device_id: str) -> UpdateJob | None:
        """The device's queued or running job."""
        return self._jobs.get(device_id)

    @property
    def active_count(self) -> int:
        """Devices queued or updating."""
        return len(self._jobs)

    def _with_place(self) -> list[UpdateJob]:
        """The jobs that hold a place: starting or running."""
        return [job for job in self._jobs.values() if job.state is not JobState.QUEUED]

    def device_name(self, device_id: str) -> str:
        """The device's name for messages."""
        device = self._home.coordinator.data.devices.get(device_id)
        return device.name if device else device_id

    # Adding jobs

    def refusal(self, device_id: str, *, at_start: bool = False) -> SkipReason | None:
        """Why an install of this device must be refused now, from what is known locally.

        At the start of a queued job the job itself is there and the firmware is about to
        be read again, so only the account, the device pool, the role, the device's presence
        and its product's pilot are checked.
        """
        if self._home.health.quota_exhausted:
            return SkipReason.QUOTA_EXHAUSTED
        if self._pool.exhausted:
            return SkipReason.DEVICE_POOL_EXHAUSTED
        if not self._home.coordinator.may_update():
            return SkipReason.INSUFFICIENT_ROLE
        device = self._home.coordinator.data.devices.get(device_id)
        if device is None or not device.online:
            return SkipReason.OFFLINE
        if self._pilots.is_held(device.product_id):
            return SkipReason.PILOT_FAILED
        if at_start:
            return None
        record = self._firmware.record(device_id)
        if device_id in self._jobs or (record is not None and record.running_channels):
            return SkipReason.IN_PROGRESS
        if record is None or not record.update_available:
            return SkipReason.UP_TO_DATE
        if not any(channel.startable for channel in record.channels) and record.cloud_says_not_now:
            return SkipReason.CANNOT_UPDATE_NOW
        return None

    def refusal_error(self, device_id: str, reason: SkipReason) -> InstallRefusedError:
        """The translated refusal, with the cloud's own words when it says "not now"."""
        if reason is SkipReason.CANNOT_UPDATE_NOW:
            record = self._firmware.record(device_id)
            remind = record.cloud_says_not_now if record is not None else ""
            return InstallRefusedError(reason, self.device_name(device_id), remind=remind or "")
        return InstallRefusedError(reason, self.device_name(device_id))

    @callback
    def async_enqueue(self, device_id: str) -> UpdateJob:
        """Queue the device's update, or raise ``InstallRefusedError`` without any call."""
        if (reason := self.refusal(device_id)) is not None:
            raise self.refusal_error(device_id, reason)
        job = self._new_job(device_id)
        if (record := self._firmware.record(device_id)) is not None:
            job.from_version, job.to_version = record.version_change
        self._add(job)
        return job

    def _new_job(self, device_id: str) -> UpdateJob:
        device = self._home.coordinator.data.devices.get(device_id)
        return UpdateJob(
            device_id=device_id,
            name=self.device_name(device_id),
            product_id=device.product_id if device else "",
            is_sub_device=bool(device and device.sub),
            install_answer=self.hass.loop.create_future(),
            finished=self.hass.loop.create_future(),
            run_started_at=self.run_started_at if self._jobs else time.time(),
        )

    @callback
    def _add(self, job: UpdateJob, *, start_waiting: bool = True) -> None:
        """Hold the job: a running one is followed at once, a queued one waits its turn."""
        if not self._jobs:
            self.run_started_at = job.run_started_at
        self._jobs[job.device_id] = job
        self._persist(job)
        if job.state is JobState.RUNNING:
            self._runner.follow(job)
        elif start_waiting:
            self._start_waiting_jobs()

    @callback
    def async_restore(self) -> None:
        """Take up the jobs of before the restart, and updates the cloud reports running."""
        # Devices that must come back hold their product's others, from the first moment.
        self._back_online.async_start()
        devices = self._home.coordinator.data.devices
        for device_id, stored in self._home.store.jobs().items():
            if device_id not in devices:
                self._home.store.drop_job(device_id)
                continue
            job = self._new_job(device_id)
            job.restore(stored)
            if job.started_at is not None:  # stored while running
                job.state = JobState.RUNNING
            self._add(job, start_waiting=False)
        for device_id in devices:
            self._follow_if_running(device_id, start_waiting=False)
        self._start_waiting_jobs()
        self._home.entry.async_on_unload(
            self._firmware.changes.async_listen_each(self._follow_if_running)
        )
        self._home.entry.async_on_unload(
            self._home.coordinator.async_add_listener(self._role_or_list_changed)
        )

    @callback
    def _follow_if_running(self, device_id: str, *, start_waiting: bool = True) -> None:
        """Follow an update the cloud reports running that no job of ours covers."""
        record = self._firmware.record(device_id)
        if record is None or not (running := record.running_channels) or device_id in self._jobs:
            return
        LOGGER.info("Following the firmware update of %s under way", self.device_name(device_id))
        job = self._new_job(device_id)
        job.from_version, job.to_version = record.version_change
        job.start_phase([channel.channel for channel in running], update_timeout_s(running))
        job.state = JobState.RUNNING
        job.answer_install()
        self._add(job, start_waiting=start_waiting)

    @callback
    def _role_or_list_changed(self) -> None:
        """Drop queued jobs when the role forbids them; running ones are followed to the end."""
        self._pool.async_sync_issue()  # a new month takes the pool's issue away
        if self._home.coordinator.may_update():
            self._start_waiting_jobs()
            return
        for job in list(self._jobs.values()):
            if job.state is JobState.QUEUED:
                self.refused(job, InstallRefusedError(SkipReason.INSUFFICIENT_ROLE, job.name))

    # Letting jobs run

    async def async_stop(self) -> None:
        """Stop following updates; they stay stored and are taken up on the next setup."""
        self._stopped = True
        self._back_online.async_stop()
        await self._runner.async_stop(list(self._jobs.values()))

    @callback
    def _start_waiting_jobs(self) -> None:
        """Give free places to waiting jobs, one at a time (running ones always hold one)."""
        while not self._stopped and (job := self._next_to_start()) is not None:
            self._let_start(job)

    def _next_to_start(self) -> UpdateJob | None:
        """The waiting job that takes the next free place, if there is a free place.

        Sub-devices go one at a time, so they are the critical path of a bulk run: when no
        sub-device holds a place, the first waiting one goes first; otherwise the first
        waiting device that is no sub-device.
        """
        with_place = self._with_place()
        if len(with_place) >= self.max_parallel:
            return None
        # A product not yet proven in this run lets one device go first: none while one of
        # its devices holds a place or has yet to come back; a sleeper goes last, since it
        # may take hours to wake up and tell.
        busy = {job.product_id for job in with_place}
        waiting = sorted(
            (
                job
                for job in self._jobs.values()
                if job.state is JobState.QUEUED
                and (
                    self._pilots.is_proven(job.product_id)
                    or (job.product_id not in busy and not self._back_online.awaits(job.product_id))
                )
            ),
            key=lambda job: not self._pilots.is_proven(job.product_id) and self._sleeps(job),
        )
        sub_device_busy = any(job.is_sub_device for job in with_place)
        if not sub_device_busy and (
            first_sub := next((j for j in waiting if j.is_sub_device), None)
        ):
            return first_sub
        return next((job for job in waiting if not job.is_sub_device), None)

    def _sleeps(self, job: UpdateJob) -> bool:
        record = self._firmware.record(job.device_id)
        return record is not None and any(channel.low_power for channel in record.channels)

    @callback
    def _let_start(self, job: UpdateJob) -> None:
        """Give the job a place; it starts unless what is known already refuses it."""
        if (reason := self.refusal(job.device_id, at_start=True)) is not None:
            self.refused(job, self.refusal_error(job.device_id, reason))
            return
        job.state = JobState.STARTING
        self._runner.start(job)

    # What the runner reports (JobReports)

    @callback
    def started(self, job: UpdateJob) -> None:
        """A phase of the job runs in the cloud: store and show it."""
        job.state = JobState.RUNNING
        self._pool.async_start_succeeded()
        self._persist(job)

    @callback
    def progressed(self, job: UpdateJob) -> None:
        """The job's percentage changed: its entity and the summary show it."""
        self.changes.async_notify(job.device_id)

    @callback
    def refused(self, job: UpdateJob, refusal: HomeAssistantError) -> None:
        """The job ends before any start call: the install call gets the refusal."""
        LOGGER.warning("Firmware update of %s not started: %s", job.name, refusal)
        job.answer_install(refusal)
        reason = refusal.reason.value if isinstance(refusal, InstallRefusedError) else str(refusal)
        if reason == SkipReason.DEVICE_POOL_EXHAUSTED:
            self._pool.async_ran_out()
        self._end(job, JobOutcome(JobResult.SKIPPED, job.from_version, job.to_version, reason))

    @callback
    def ended(self, job: UpdateJob, outcome: JobOutcome) -> None:
        """The job ended in the cloud: the event says how."""
        LOGGER.info("Firmware update of %s ended: %s", job.name, outcome.result)
        entity_id, ha_device_id = registry_ids(self.hass, job.device_id)
        self.hass.bus.async_fire(
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
        if outcome.result is JobResult.SUCCESS:
            versions = (outcome.from_version, outcome.to_version)
            self._back_online.async_watch(job.device_id, job.product_id, versions)
        elif not self._pilots.is_proven(job.product_id):
            self._hold_product(job.product_id, job.name)
        self._end(job, outcome)

    @callback
    def _came_back(self, device_id: str, watch: StoredWatch, back: bool) -> None:
        """An updated device came back in time (its product is proven), or did not."""
        if back:
            self._pilots.async_proven(watch["product_id"])
        elif not self._pilots.is_proven(watch["product_id"]):
            self._hold_product(watch["product_id"], self.device_name(device_id))
        self._start_waiting_jobs()

    @callback
    def _hold_product(self, product_id: str, pilot: str) -> None:
        """The product's pilot failed: the others of its product leave the queue unstarted."""
        held = [
            job
            for job in self._jobs.values()
            if job.product_id == product_id and job.state is JobState.QUEUED
        ]
        if not held:
            return  # no pilot: nothing else of its product waits
        device = self._home.coordinator.data.devices.get(held[0].device_id)
        product = device.product_name if device and device.product_name else product_id
        self._pilots.async_failed(product_id, product, pilot)
        for job in held:
            if self._jobs.get(job.device_id) is job:  # each ending may start or end others
                self.refused(job, InstallRefusedError(SkipReason.PILOT_FAILED, job.name))

    @callback
    def _persist(self, job: UpdateJob) -> None:
        """Store the job as it is now and show it."""
        self._home.store.put_job(job.device_id, job.stored())
        self.changes.async_notify(job.device_id)

    @callback
    def _end(self, job: UpdateJob, outcome: JobOutcome) -> None:
        self._jobs.pop(job.device_id, None)
        job.answer_install()
        self._home.store.drop_job(job.device_id)
        if not job.finished.done():
            job.finished.set_result(outcome)
        self.changes.async_notify(job.device_id)
        if not self._jobs:
            self._pilots.async_end_run()
        self._start_waiting_jobs()

    def as_diagnostics(self) -> dict[str, Any]:
        """The queue's state for diagnostics."""
        return {
            "max_parallel": self.max_parallel,
            "jobs": {device_id: job.stored() for device_id, job in self._jobs.items()},
            "running": sorted(job.device_id for job in self._with_place()),
        }
