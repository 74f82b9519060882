from datetime import date

from bot.matching import offset_distance, overlap_hours, utc_hour_mask, utc_offset_hours


def hours_of(mask: int) -> list[int]:
    return [h for h in range(24) if mask >> h & 1]


def test_utc_window_is_the_local_window() -> None:
    assert hours_of(utc_hour_mask("UTC", 9, 21, date(2026, 1, 5))) == list(range(9, 21))


def test_new_york_across_the_dst_change() -> None:
    # 2026-03-08: New York moves from UTC-5 to UTC-4 at 02:00 local
    before = utc_hour_mask("America/New_York", 9, 21, date(2026, 3, 7))
    after = utc_hour_mask("America/New_York", 9, 21, date(2026, 3, 9))
    assert hours_of(before) == [0, 1, *range(14, 24)]
    assert hours_of(after) == [0, *range(13, 24)]
    assert after == ((before >> 1) | (before << 23)) & ((1 << 24) - 1)  # one hour earlier in UTC


def test_london_winter_and_summer() -> None:
    assert hours_of(utc_hour_mask("Europe/London", 9, 17, date(2026, 1, 15))) == list(range(9, 17))
    assert hours_of(utc_hour_mask("Europe/London", 9, 17, date(2026, 7, 15))) == list(range(8, 16))


def test_half_hour_offset_and_window_across_midnight() -> None:
    # Kolkata is UTC+5:30: local 09:00-21:00 is 03:30-15:30 UTC, judged by the middle of each UTC hour
    assert hours_of(utc_hour_mask("Asia/Kolkata", 9, 21, date(2026, 1, 5))) == list(range(3, 15))
    assert hours_of(utc_hour_mask("UTC", 22, 2, date(2026, 1, 5))) == [0, 1, 22, 23]
    assert utc_hour_mask("UTC", 0, 24) == (1 << 24) - 1


def test_unknown_timezone_is_treated_as_utc() -> None:
    assert utc_hour_mask("Mars/Olympus", 9, 21, date(2026, 1, 5)) == utc_hour_mask("UTC", 9, 21, date(2026, 1, 5))


def test_overlap_and_offsets() -> None:
    day = date(2026, 1, 15)
    london = utc_hour_mask("Europe/London", 9, 21, day)
    new_york = utc_hour_mask("America/New_York", 9, 21, day)
    assert overlap_hours(london, new_york) == 7  # 14:00-21:00 UTC
    assert utc_offset_hours("America/New_York", day) == -5.0
    assert utc_offset_hours("America/New_York", date(2026, 7, 1)) == -4.0
    assert offset_distance(13.0, -11.0) == 0.0
    assert offset_distance(-5.0, 1.0) == 6.0
