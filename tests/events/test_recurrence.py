"""Recurring events: validation of RRULEs, expansion into occurrences, series ends."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.events.recurrence import Occurrence, expand, series_end, validate_rrule

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")


def tokyo(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def occurrences(rule: str | None, start: datetime, hours: float = 2, **kwargs) -> list[Occurrence]:
    kwargs.setdefault("cancelled", [])
    kwargs.setdefault("tz", "Asia/Tokyo")
    kwargs.setdefault("window_start", start - timedelta(days=1))
    kwargs.setdefault("window_end", start + timedelta(days=400))
    return expand(starts_at=start, ends_at=start + timedelta(hours=hours), rrule=rule, **kwargs)


def test_weekly_saturdays_cross_a_month_boundary():
    start = tokyo(2026, 11, 21, 10)  # a Saturday
    found = occurrences("FREQ=WEEKLY;BYDAY=SA;COUNT=4", start)
    assert [o.starts_at.date().isoformat() for o in found] == [
        "2026-11-21",
        "2026-11-28",
        "2026-12-05",
        "2026-12-12",
    ]
    assert all(o.starts_at.hour == 10 and o.ends_at.hour == 12 for o in found)
    assert all(o.starts_at.utcoffset() == timedelta(hours=9) for o in found)


def test_monthly_31st_skips_short_months():
    found = occurrences("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4", tokyo(2027, 1, 31, 19))
    assert [o.starts_at.date().isoformat() for o in found] == [
        "2027-01-31",
        "2027-03-31",
        "2027-05-31",
        "2027-07-31",
    ]


def test_second_saturday_of_each_month():
    found = occurrences("FREQ=MONTHLY;BYDAY=2SA;COUNT=3", tokyo(2026, 12, 12, 13))
    assert [o.starts_at.date().isoformat() for o in found] == [
        "2026-12-12",
        "2027-01-09",
        "2027-02-13",
    ]
    assert all(o.starts_at.weekday() == 5 for o in found)


def test_occurrence_running_at_window_start_is_included():
    start = tokyo(2026, 12, 5, 10)
    found = occurrences(
        "FREQ=WEEKLY;COUNT=3",
        start,
        window_start=tokyo(2026, 12, 12, 11),
        window_end=tokyo(2027, 1, 1),
    )
    assert [o.starts_at for o in found] == [tokyo(2026, 12, 12, 10), tokyo(2026, 12, 19, 10)]


def test_occurrence_ending_exactly_at_window_start_is_excluded():
    start = tokyo(2026, 12, 5, 10)
    found = occurrences(
        "FREQ=WEEKLY;COUNT=3",
        start,
        window_start=tokyo(2026, 12, 12, 12),
        window_end=tokyo(2027, 1, 1),
    )
    assert [o.starts_at for o in found] == [tokyo(2026, 12, 19, 10)]


def test_occurrence_starting_at_window_end_is_excluded():
    start = tokyo(2026, 12, 5, 10)
    found = occurrences("FREQ=DAILY", start, window_start=start, window_end=tokyo(2026, 12, 7, 10))
    assert [o.starts_at.day for o in found] == [5, 6]


def test_cancelled_occurrences_are_flagged_not_dropped():
    start = tokyo(2026, 12, 5, 10)
    cancelled = [datetime.fromisoformat("2026-12-12T01:00:00+00:00")]  # 10:00 in Tokyo
    found = occurrences("FREQ=WEEKLY;BYDAY=SA;COUNT=3", start, cancelled=cancelled)
    assert [(o.starts_at.day, o.cancelled) for o in found] == [(5, False), (12, True), (19, False)]


def test_one_off_event_yields_one_occurrence_when_it_overlaps():
    start = tokyo(2026, 12, 5, 10)
    assert occurrences(None, start) == [Occurrence(start, start + timedelta(hours=2), False)]
    assert (
        occurrences(None, start, window_start=tokyo(2026, 12, 6), window_end=tokyo(2026, 12, 7))
        == []
    )


def test_limit_caps_the_number_of_occurrences():
    assert len(occurrences("FREQ=DAILY", tokyo(2026, 1, 1, 9), limit=7)) == 7


def test_series_end_of_count_and_until_rules():
    start, end = tokyo(2026, 12, 5, 10), tokyo(2026, 12, 5, 12)
    counted = series_end(starts_at=start, ends_at=end, rrule="FREQ=WEEKLY;COUNT=8", tz="Asia/Tokyo")
    assert counted == tokyo(2027, 1, 23, 12)
    until_rule = validate_rrule("FREQ=WEEKLY;UNTIL=20270130", start)
    assert series_end(starts_at=start, ends_at=end, rrule=until_rule, tz="Asia/Tokyo") == tokyo(
        2027, 1, 30, 12
    )
    assert series_end(starts_at=start, ends_at=end, rrule=None, tz="Asia/Tokyo") == end


def test_unbounded_rule_has_no_series_end():
    start = tokyo(2026, 12, 5, 10)
    assert (
        series_end(
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            rrule="FREQ=WEEKLY",
            tz="Asia/Tokyo",
        )
        is None
    )


def test_validate_normalises_the_rule():
    start = tokyo(2026, 12, 5, 10)
    assert validate_rrule("RRULE:byday=SA;freq=weekly;count=8", start) == (
        "FREQ=WEEKLY;BYDAY=SA;COUNT=8"
    )
    # A bare UNTIL date means "through that day" in local time, stored in UTC.
    assert validate_rrule("FREQ=WEEKLY;UNTIL=20270130", start) == (
        "FREQ=WEEKLY;UNTIL=20270130T145959Z"
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("nonsense", "cannot parse"),
        ("FREQ=FORTNIGHTLY", "cannot parse"),
        ("FREQ=WEEKLY;BYDAY=XX", "cannot parse"),
        ("BYDAY=SA", "needs FREQ"),
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=MINUTELY;COUNT=3", "at most daily"),
        ("FREQ=SECONDLY", "at most daily"),
        ("FREQ=DAILY;COUNT=1001", "COUNT"),
        ("FREQ=DAILY;UNTIL=20320101T000000Z", "5 years"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "no occurrence"),
        ("FREQ=WEEKLY;BYDAY=FR", "first occurrence"),
        ("FREQ=WEEKLY;COUNT=2;UNTIL=20270101", "not both"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL"),
        ("FREQ=WEEKLY\nEXDATE:20261212", "one RRULE line"),
    ],
)
def test_validate_rejects_bad_rules(rule: str, message: str):
    with pytest.raises(ValueError, match=message):
        validate_rrule(rule, tokyo(2026, 12, 5, 10))  # a Saturday


def test_dst_zone_keeps_local_wall_time_across_the_march_change():
    start = datetime(2027, 3, 6, 10, tzinfo=NEW_YORK)  # DST starts on 14 March 2027
    found = occurrences("FREQ=WEEKLY;COUNT=3", start, tz="America/New_York")
    assert [o.starts_at.hour for o in found] == [10, 10, 10]
    assert [o.ends_at.hour for o in found] == [12, 12, 12]
    # 6 and 13 March are EST, 20 March is EDT: same wall time, a different instant.
    utc = ZoneInfo("UTC")
    assert [o.starts_at.astimezone(utc).hour for o in found] == [15, 15, 14]


def test_tokyo_has_a_stable_offset_all_year():
    found = occurrences("FREQ=MONTHLY;COUNT=12", tokyo(2027, 1, 6, 18))
    assert {o.starts_at.utcoffset() for o in found} == {timedelta(hours=9)}
    assert {(o.starts_at.hour, o.ends_at.hour) for o in found} == {(18, 20)}


@settings(max_examples=150, deadline=None)
@given(
    freq=st.sampled_from(["DAILY", "WEEKLY"]),
    interval=st.integers(1, 4),
    count=st.none() | st.integers(1, 60),
    start_offset_hours=st.integers(0, 24 * 60),
    duration_minutes=st.integers(1, 60 * 30),
    window_offset_hours=st.integers(-24 * 30, 24 * 200),
    window_hours=st.integers(0, 24 * 90),
    limit=st.integers(1, 50),
)
def test_expansion_properties(
    freq,
    interval,
    count,
    start_offset_hours,
    duration_minutes,
    window_offset_hours,
    window_hours,
    limit,
):
    start = tokyo(2026, 1, 1) + timedelta(hours=start_offset_hours)
    rule = f"FREQ={freq};INTERVAL={interval}" + (f";COUNT={count}" if count else "")
    window_start = start + timedelta(hours=window_offset_hours)
    window_end = window_start + timedelta(hours=window_hours)
    found = expand(
        starts_at=start,
        ends_at=start + timedelta(minutes=duration_minutes),
        rrule=rule,
        cancelled=[],
        tz="Asia/Tokyo",
        window_start=window_start,
        window_end=window_end,
        limit=limit,
    )
    assert len(found) <= limit
    assert all(o.starts_at < window_end and o.ends_at > window_start for o in found)
    assert [o.starts_at for o in found] == sorted(o.starts_at for o in found)
    if count:
        assert len(found) <= count
        last_end = series_end(
            starts_at=start,
            ends_at=start + timedelta(minutes=duration_minutes),
            rrule=rule,
            tz="Asia/Tokyo",
        )
        assert last_end is not None and all(o.ends_at <= last_end for o in found)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="no UTC offset"):
        validate_rrule("FREQ=WEEKLY", datetime(2026, 12, 5, 10))


def test_rule_parts_outside_rfc_5545_are_refused():
    with pytest.raises(ValueError, match="BYEASTER"):
        validate_rrule("FREQ=YEARLY;BYEASTER=0", datetime(2027, 3, 28, 10, tzinfo=TOKYO))
