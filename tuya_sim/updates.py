"""Firmware updates of one device: starting a channel, and applying what the clock says ended.

Nothing runs in the background: a run's end is computed from the clock and the device's
online history (see ``timeline``) whenever someone looks.
"""

from __future__ import annotations

import bisect
import math
from typing import Final

from . import timeline
from .errors import CloudError
from .models import SimDevice, SimFirmware, SimRun

READY_STATUSES: Final = frozenset({1, 4, 7})


def status_of(device: SimDevice, firmware: SimFirmware, now: float) -> int:
    """The channel's ``upgrade_status`` now: the stored one, or the running update's."""
    run = firmware.active_run
    if run is None:
        return firmware.upgrade_status
    return timeline.state_at(run, device.online_log, now)[0]


def settle(device: SimDevice, now: float) -> None:
    """Apply the end of every run that has ended by ``now``, earliest first.

    In order, because an end may take the device offline, which holds the other runs.
    """
    while (ending := _first_end(device, now)) is not None:
        _finish(device, *ending)
    device.online = timeline.online_at(device.online_log, now)


def _first_end(device: SimDevice, now: float) -> tuple[SimFirmware, SimRun, float, int, int] | None:
    """The channel whose run ended first by ``now``: its run, end time, status and progress."""
    ended: list[tuple[SimFirmware, SimRun, float, int, int]] = []
    for firmware in device.firmware:
        run = firmware.active_run
        if run is not None:
            end = timeline.outcome(run, device.online_log)
            if end.end is not None and end.end <= now:
                ended.append((firmware, run, end.end, end.status, end.progress))
    if not ended:
        return None
    return min(ended, key=lambda item: item[2])


def _finish(
    device: SimDevice, firmware: SimFirmware, run: SimRun, at: float, status: int, progress: int
) -> None:
    run.ended_at, run.result, run.final_progress = at, status, progress
    firmware.last_upgrade_time = at
    if status != timeline.SUCCEEDED:
        firmware.upgrade_status = status
        return
    firmware.current_version = run.target_version
    firmware.upgrade_status = 1 if firmware.version != run.target_version else 0
    if firmware.offline_after_update:
        bisect.insort(device.online_log, (at, False))
        if firmware.back_online_after_s is not None:
            bisect.insort(device.online_log, (at + firmware.back_online_after_s, True))


def start(
    device: SimDevice, firmware: SimFirmware, now: float, fail_at_percent: int | None
) -> SimRun:
    """Start the channel's update as the start call does, or refuse it as the cloud would.

    The documentation names no code for a start on a channel whose ``can_upgrade`` is false:
    the simulator answers 1109 with the item's ``remind`` (why not, in the user's words) in
    the message. The run fails at ``fail_at_percent`` (None: it does not fail).
    """
    settle(device, now)
    if not device.online:
        raise CloudError(2001)
    status = status_of(device, firmware, now)
    if status not in READY_STATUSES or firmware.version == firmware.current_version:
        raise CloudError(
            1109,
            f"param is illegal, please check it: firmware channel {firmware.channel} "
            f"has no update ready to start (upgrade_status {status})",
        )
    if not firmware.can_upgrade:
        reason = firmware.remind or "the device does not allow it now"
        raise CloudError(1109, f"firmware channel {firmware.channel} cannot be upgraded: {reason}")
    wake = firmware.wake_after_s if firmware.low_power else 0.0
    run = SimRun(
        device_id=device.device_id,
        channel=firmware.channel,
        sub=device.sub,
        started_at=now,
        active_from=now + max(wake, 0.0),
        target_version=firmware.version,
        update_seconds=firmware.update_seconds,
        fail_at_percent=fail_at_percent,
        deadline=now + firmware.timeout_s if firmware.timeout_s else None,
    )
    firmware.run = run
    return run


def progress(device: SimDevice, firmware: SimFirmware, now: float) -> dict[str, int]:
    """The progress call's result: the running update's state, or how the last one ended."""
    settle(device, now)
    run = firmware.run
    if run is None:
        return {"upgrade_status": firmware.upgrade_status, "progress": 0}
    if run.ended_at is not None and run.result is not None:
        return {"upgrade_status": run.result, "progress": run.final_progress}
    status, percent = timeline.state_at(run, device.online_log, now)
    return {"upgrade_status": status, "progress": percent}


def run_interval(run: SimRun, device: SimDevice) -> tuple[float, float]:
    """From the start call to the run's end (predicted; infinite if it never ends)."""
    if run.ended_at is not None:
        return run.started_at, run.ended_at
    predicted = timeline.outcome(run, device.online_log).end
    return run.started_at, math.inf if predicted is None else predicted


def most_overlapping(intervals_by_device: dict[str, list[tuple[float, float]]]) -> int:
    """Most devices busy at once, a device's overlapping intervals counted once."""
    events: list[tuple[float, int]] = []
    for intervals in intervals_by_device.values():
        for begin, end in _merge(intervals):
            events += [(begin, 1), (end, -1)]
    events.sort()
    running = best = 0
    for _, delta in events:
        running += delta
        best = max(best, running)
    return best


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for begin, end in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged
