"""When a running update's progress is read next: often at first, then ever less often.

An update's length is not known beforehand: a Wi-Fi module takes a minute or two, an MCU
several, a Zigbee sub-device behind its gateway tens of minutes, a sleeping device first waits
to wake up. Reading at intervals that grow with the time the phase has run (a fifth of it,
from 5 seconds up to 5 minutes) costs calls that grow with the logarithm of its length, and
sees its end at most a fifth of its length late. Where the cloud's percentage moved since the
last read, the end it points to at the pace so far is read then, so that the end of an
update that runs evenly is seen within about a second.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

# The first reads come this often, and none closer together.
FIRST_INTERVAL: Final = timedelta(seconds=5)
# No two reads are further apart than this.
LONGEST_INTERVAL: Final = timedelta(minutes=5)
# The interval is this share of the time the phase has run.
SHARE_OF_RUN_TIME: Final = 0.2
# A read aimed at the end the percentage points to comes this long after it.
AFTER_PREDICTED_END_S: Final = 1.0


def next_read_in(elapsed_s: float, percentage: int | None, *, advanced: bool) -> float:
    """Seconds from a read to the next, for a phase that has run ``elapsed_s``.

    ``percentage`` is the phase's least advanced channel's, ``advanced`` whether it grew
    since the read before: a percentage that stands still says nothing of the end.
    """
    first = FIRST_INTERVAL.total_seconds()
    interval = min(max(elapsed_s * SHARE_OF_RUN_TIME, first), LONGEST_INTERVAL.total_seconds())
    if advanced and percentage is not None and 0 < percentage < 100 and elapsed_s > 0:
        to_end = elapsed_s * (100 - percentage) / percentage
        interval = max(min(interval, to_end + AFTER_PREDICTED_END_S), first)
    return interval
