"""When a pair's check-in is due: pure functions of the schedule and ``now``, with no clock inside.

Occurrences are counted on calendar dates in a reference timezone (the first member's), then given
a time of day that lies inside every member's local daytime on that very date, so daylight-saving
changes neither shift a prompt out of anyone's daytime nor double it. All results are aware UTC
datetimes; nothing here reads the time.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.checkins.states import Frequency

STEP = timedelta(minutes=30)


@dataclass(frozen=True)
class Daytime:
    """A member's waking hours in their timezone: ``start`` to ``end`` (exclusive), local hours."""

    timezone: str
    start: int = 9
    end: int = 21

    def contains(self, instant: datetime) -> bool:
        local = instant.astimezone(ZoneInfo(self.timezone))
        minutes = local.hour * 60 + local.minute
        if self.start <= self.end:
            return self.start * 60 <= minutes < self.end * 60
        return minutes >= self.start * 60 or minutes < self.end * 60  # daytime across midnight


@dataclass(frozen=True)
class Schedule:
    frequency: Frequency  # weekly, biweekly, monthly, or weekday (every week on ``weekday``)
    anchor: date  # the date of the first occurrence (weekday: the first such weekday on or after it)
    reference_tz: str
    members: tuple[Daytime, ...]
    default_minute: int = 18 * 60  # the server's default time, local to the reference timezone
    weekday: int | None = None  # 0 = Monday


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def occurrence_date(s: Schedule, k: int) -> date:
    """The date (in the reference timezone) of the k-th occurrence, k >= 0."""
    if s.frequency == Frequency.WEEKLY:
        return s.anchor + timedelta(days=7 * k)
    if s.frequency == Frequency.BIWEEKLY:
        return s.anchor + timedelta(days=14 * k)
    if s.frequency == Frequency.MONTHLY:
        return _add_months(s.anchor, k)
    if s.frequency == Frequency.WEEKDAY:
        wanted = 0 if s.weekday is None else s.weekday
        first = s.anchor + timedelta(days=(wanted - s.anchor.weekday()) % 7)
        return first + timedelta(days=7 * k)
    raise ValueError(f"unknown frequency {s.frequency!r}")


def local_instant(day: date, minute: int, timezone: str) -> datetime:
    """The UTC instant of a local wall-clock time. A time skipped by DST moves forward; a repeated
    one takes its first occurrence: either way exactly one instant."""
    wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=ZoneInfo(timezone))
    return wall.astimezone(UTC)


def time_on(s: Schedule, day: date) -> datetime:
    """The prompt time on ``day``: the server's default time if it suits everyone, else the time in
    everyone's daytime closest to it; the default time when their daytimes do not meet that day."""
    preferred = local_instant(day, s.default_minute, s.reference_tz)
    if all(m.contains(preferred) for m in s.members):
        return preferred  # the usual case: no need to look through the day
    start = local_instant(day, 0, s.reference_tz)
    end = local_instant(day + timedelta(days=1), 0, s.reference_tz)
    best: datetime | None = None
    instant = start
    while instant < end:
        if all(m.contains(instant) for m in s.members) and (
            best is None or abs(instant - preferred) < abs(best - preferred)
        ):
            best = instant
        instant += STEP
    return best if best is not None else preferred


def due_at(s: Schedule, k: int) -> datetime:
    return time_on(s, occurrence_date(s, k))


def _first_index_near(s: Schedule, now: datetime) -> int:
    """A k at or a little before the occurrence around ``now`` (the caller walks forward)."""
    days = (now.date() - s.anchor).days
    if s.frequency == Frequency.MONTHLY:
        k = (now.year - s.anchor.year) * 12 + now.month - s.anchor.month
    elif s.frequency == Frequency.BIWEEKLY:
        k = days // 14
    else:
        k = days // 7
    return max(0, k - 2)


def latest_due(s: Schedule, now: datetime) -> datetime | None:
    """The latest occurrence at or before ``now`` (None before the first): what catch-up prompts for.

    However long the bot was down, this is one occurrence, so catch-up sends one prompt."""
    k = _first_index_near(s, now)
    found: datetime | None = None
    while (at := due_at(s, k)) <= now:
        found = at
        k += 1
    return found


def next_due(s: Schedule, now: datetime) -> datetime:
    """The first occurrence strictly after ``now``."""
    k = _first_index_near(s, now)
    while (at := due_at(s, k)) <= now:
        k += 1
    return at


def parse_frequency(text: str) -> tuple[Frequency, int | None]:
    """ "weekly", "every 2 weeks", "monthly", or a day of the week ("monday", "Thu"...)."""
    cleaned = " ".join(text.casefold().replace("-", " ").split())
    if cleaned in ("", "weekly", "every week", "1 week", "week"):
        return Frequency.WEEKLY, None
    if cleaned in ("biweekly", "fortnightly", "every 2 weeks", "every two weeks", "2 weeks", "every other week"):
        return Frequency.BIWEEKLY, None
    if cleaned in ("monthly", "every month", "month"):
        return Frequency.MONTHLY, None
    for index, name in enumerate(calendar.day_name):
        lowered = name.casefold()
        if cleaned in (lowered, lowered[:3], f"every {lowered}", f"{lowered}s"):
            return Frequency.WEEKDAY, index
    raise ValueError(cleaned)


EVERY = {Frequency.WEEKLY: "every week", Frequency.BIWEEKLY: "every 2 weeks", Frequency.MONTHLY: "every month"}


def describe(frequency: Frequency, weekday: int | None) -> str:
    if frequency == Frequency.WEEKDAY:
        return f"every {calendar.day_name[weekday or 0]}"
    return EVERY[frequency]
