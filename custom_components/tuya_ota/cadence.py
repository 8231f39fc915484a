"""When scheduled reads happen: on a fixed grid of bursts, each key on its own hashed slot.

Every time here is epoch seconds and every slot lies on the burst grid, so the schedule
depends only on the keys and the periods: a restart keeps it, and a burst's reads share a
token.
"""

from __future__ import annotations

import math
import zlib


def burst_spacing_s(period_s: float, max_spacing_s: float) -> float:
    """The burst grid: the period cut into the fewest equal parts no longer than the maximum."""
    return period_s / max(math.ceil(period_s / max_spacing_s), 1)


def grid_period_s(wanted_s: float, spacing_s: float) -> float:
    """``wanted_s`` rounded to a whole number of bursts (at least one)."""
    return spacing_s * max(round(wanted_s / spacing_s), 1)


def next_burst(after: float, spacing_s: float) -> float:
    """The first burst strictly after ``after``."""
    return (math.floor(after / spacing_s) + 1) * spacing_s


def next_slot(after: float, key: str, period_s: float, spacing_s: float) -> float:
    """The first of ``key``'s slots strictly after ``after``.

    A key's slots come every ``period_s``, on the burst chosen by a hash of the key, so keys
    spread evenly over the period's bursts.
    """
    slots = max(round(period_s / spacing_s), 1)
    phase = (zlib.crc32(key.encode()) % slots) * spacing_s
    return phase + (math.floor((after - phase) / period_s) + 1) * period_s
