"""Members' local daytime as UTC hours, so two members' overlap can be counted. DST-correct via zoneinfo."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_START = 9
DAY_END = 21  # exclusive: 09:00 to 21:00 local


def utc_hour_mask(timezone: str, on: date, start: int = DAY_START, end: int = DAY_END) -> int:
    """A 24-bit mask of the UTC hours (on the day ``on``) that fall inside local ``start``-``end``."""
    zone = ZoneInfo(timezone)
    mask = 0
    midnight = datetime.combine(on, time(0), tzinfo=UTC)
    for hour in range(24):
        local = (midnight + timedelta(hours=hour)).astimezone(zone)
        if start <= local.hour < end:
            mask |= 1 << hour
    return mask


def overlap_hours(mask_a: int, mask_b: int) -> int:
    return (mask_a & mask_b).bit_count()
