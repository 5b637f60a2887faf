"""Coarsen a timestamp to a destination's precision."""

from __future__ import annotations

from datetime import datetime

PRECISIONS = ("minute", "hour", "day")


def coarsen_time(moment: datetime, precision: str) -> str:
    """Floor to the minute, hour or day, keeping the sender's stated UTC offset.

    Guarantee: seconds and anything finer than ``precision`` are zero in the
    output. The offset is kept so that a day means the reporter's day.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"time precision must be one of {', '.join(PRECISIONS)}")
    floored = moment.replace(second=0, microsecond=0)
    if precision in ("hour", "day"):
        floored = floored.replace(minute=0)
    if precision == "day":
        floored = floored.replace(hour=0)
        return floored.date().isoformat()
    return floored.isoformat().replace("+00:00", "Z")
