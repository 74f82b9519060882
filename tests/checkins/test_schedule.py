""" "Next due" as a pure function of the schedule and now: no clock, DST-correct, catch-up is one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.checkins.schedule import (
    Daytime,
    Schedule,
    describe,
    due_at,
    latest_due,
    next_due,
    occurrence_date,
    parse_frequency,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def berlin_weekly(anchor: date) -> Schedule:
    return Schedule("weekly", anchor, BERLIN, (Daytime(BERLIN),), default_minute=18 * 60)


def test_weekly_default_time_in_local_hours() -> None:
    s = berlin_weekly(date(2026, 1, 5))
    assert due_at(s, 0) == at(2026, 1, 5, 17)  # 18:00 CET
    assert next_due(s, at(2026, 1, 1)) == at(2026, 1, 5, 17)
    assert next_due(s, at(2026, 1, 5, 17)) == at(2026, 1, 12, 17)


def test_spring_forward_keeps_local_time_and_does_not_double() -> None:
    s = berlin_weekly(date(2026, 3, 23))  # Monday; DST starts Sunday 29 March
    before, after = due_at(s, 0), due_at(s, 1)
    assert before == at(2026, 3, 23, 17)  # 18:00 CET (UTC+1)
    assert after == at(2026, 3, 30, 16)  # 18:00 CEST (UTC+2)
    assert after.astimezone(ZoneInfo(BERLIN)).hour == 18
    # walking every hour across the change sees each prompt exactly once
    seen = {next_due(s, before + timedelta(hours=h)) for h in range(167)}  # up to 30 March 15:00 UTC
    assert seen == {after}


def test_fall_back_prompt_inside_repeated_hour_is_single() -> None:
    s = Schedule("weekly", date(2026, 10, 25), BERLIN, (Daytime(BERLIN, 0, 24),), default_minute=2 * 60 + 30)
    first = due_at(s, 0)  # 02:30 happens twice that night; the first one is used
    assert first == at(2026, 10, 25, 0, 30)
    assert next_due(s, first) == due_at(s, 1) == at(2026, 11, 1, 1, 30)


def test_time_lies_inside_both_members_daytime() -> None:
    # Berlin 09-21 and New York 09-21 meet 15:00-21:00 Berlin time; 22:00 Berlin is outside NY? no: inside
    # NY but outside Berlin, so the prompt moves to the nearest time in both windows.
    s = Schedule("weekly", date(2026, 1, 5), BERLIN, (Daytime(BERLIN), Daytime(NEW_YORK)), default_minute=8 * 60)
    when = due_at(s, 0)
    assert when == at(2026, 1, 5, 14)  # 15:00 Berlin, 09:00 New York
    assert Daytime(BERLIN).contains(when) and Daytime(NEW_YORK).contains(when)


def test_quiet_hours_are_respected_for_late_default() -> None:
    s = Schedule("weekly", date(2026, 1, 5), BERLIN, (Daytime(BERLIN, 7, 17),), default_minute=18 * 60)
    assert due_at(s, 0) == at(2026, 1, 5, 15, 30)  # 16:30 local: the last half hour before 17:00


def test_no_shared_daytime_falls_back_to_default() -> None:
    s = Schedule("weekly", date(2026, 1, 5), BERLIN, (Daytime(BERLIN, 9, 12), Daytime("Asia/Tokyo", 9, 12)), 18 * 60)
    assert due_at(s, 0) == at(2026, 1, 5, 17)


def test_biweekly_monthly_and_weekday() -> None:
    base = date(2026, 1, 31)
    assert occurrence_date(Schedule("biweekly", base, BERLIN, ()), 2) == date(2026, 2, 28)
    monthly = Schedule("monthly", base, BERLIN, ())
    assert [occurrence_date(monthly, k) for k in range(3)] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    thursdays = Schedule("weekday", base, BERLIN, (), weekday=3)
    assert occurrence_date(thursdays, 0) == date(2026, 2, 5)
    assert occurrence_date(thursdays, 1) == date(2026, 2, 12)


def test_catch_up_is_one_occurrence_however_long_the_downtime() -> None:
    s = berlin_weekly(date(2026, 1, 5))
    assert latest_due(s, at(2026, 1, 5, 16)) is None
    assert latest_due(s, at(2026, 1, 5, 17)) == at(2026, 1, 5, 17)
    # down for five weeks: the latest period only
    assert latest_due(s, at(2026, 2, 10)) == at(2026, 2, 9, 17)
    assert next_due(s, at(2026, 2, 10)) == at(2026, 2, 16, 17)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weekly", ("weekly", None)),
        ("Every 2 weeks", ("biweekly", None)),
        ("monthly", ("monthly", None)),
        ("thursday", ("weekday", 3)),
        ("Mon", ("weekday", 0)),
    ],
)
def test_parse_frequency(text: str, expected: tuple[str, int | None]) -> None:
    assert parse_frequency(text) == expected
    assert describe(*expected)


def test_parse_frequency_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="hourly"):
        parse_frequency("hourly")
