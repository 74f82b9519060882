"""Local daytime windows as UTC hour masks (bit h set = UTC hour h is local daytime), DST-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FULL_DAY = (1 << 24) - 1


@lru_cache(maxsize=512)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return UTC  # an unknown timezone is treated as UTC rather than failing the round


def _in_window(hour: int, start: int, end: int) -> bool:
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end  # a window across midnight, e.g. 20-02


@lru_cache(maxsize=4096)
def utc_hour_mask(timezone: str, start_hour: int = 9, end_hour: int = 21, on: date | None = None) -> int:
    """The UTC hours of ``on`` (a reference date) that fall inside local ``start_hour``-``end_hour``.

    Each UTC hour is judged by its middle (hh:30), so half-hour offsets are handled, and each
    hour is converted on its own, so a DST change during the day is right."""
    day = on or date(2026, 1, 1)
    start = min(max(int(start_hour), 0), 24) % 24
    end = min(max(int(end_hour), 0), 24) % 24
    if start == end:
        return FULL_DAY  # 0-24 (or an empty-looking window) means any time of day
    zone = _zone(timezone)
    base = datetime(day.year, day.month, day.day, 0, 30, tzinfo=UTC)
    mask = 0
    for h in range(24):
        local = (base + timedelta(hours=h)).astimezone(zone)
        if _in_window(local.hour, start, end):
            mask |= 1 << h
    return mask


def overlap_hours(mask_a: int, mask_b: int) -> int:
    """Hours of the day that are daytime for both."""
    return (mask_a & mask_b).bit_count()


@lru_cache(maxsize=512)
def utc_offset_hours(timezone: str, on: date | None = None) -> float:
    """The zone's UTC offset in hours at noon UTC of the reference date."""
    day = on or date(2026, 1, 1)
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC).astimezone(_zone(timezone))
    offset = moment.utcoffset()
    return 0.0 if offset is None else offset.total_seconds() / 3600.0


def offset_distance(a: float, b: float) -> float:
    """Hours between two UTC offsets on the clock face (UTC+13 and UTC-11 are 0 hours apart)."""
    d = abs(a - b) % 24.0
    return min(d, 24.0 - d)
