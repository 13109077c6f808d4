"""The iCalendar feed: parsed back by icalendar and by vobject, an independent parser."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import vobject
from icalendar import Calendar

from services.events.ical import calendar_bytes

TOKYO = ZoneInfo("Asia/Tokyo")
UTC = ZoneInfo("UTC")
TITLE = "こども食堂ボランティア説明会「夏休み特別編」"
DESCRIPTION = '説明会です。\n持ち物：筆記用具, 上履き; "名札"\n' + "長い説明文。" * 40


def event(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "019a2b3c-6d6e-7f70-8a1b-2c3d4e5f6a70",
        "title": TITLE,
        "description": DESCRIPTION,
        "kind": "seminar",
        "organizer_ids": ["o1"],
        "organizers": [{"id": "o1", "name": "さくらがおかフードバンク"}],
        "starts_at": "2026-12-05T10:00:00+09:00",
        "ends_at": "2026-12-05T12:00:00+09:00",
        "all_day": False,
        "timezone": "Asia/Tokyo",
        "recurrence": None,
        "venue": {
            "name": "桜ヶ丘市民活動センター 会議室A",
            "address": "群馬県桜ヶ丘市本町一丁目2番3号",
            "postal_code": "370-0801",
            "municipality_code": "102997",
            "latitude": 36.3219,
            "longitude": 139.0032,
        },
        "online_url": "https://meet.example.jp/kodomo",
        "municipality_code": "102997",
        "fields": ["child_development", "community_development"],
        "target_audience": "どなたでも",
        "fee_jpy": 0,
        "fee_note": "",
        "capacity": 30,
        "places_taken": 4,
        "registration_deadline": None,
        "accessibility_notes": "",
        "contact": {"name": "山田 花子", "email": "info@example.jp", "phone": None, "url": None},
        "status": "published",
        "version": 3,
        "created_at": "2026-11-25T10:00:00+09:00",
        "updated_at": "2026-11-26T09:30:00+09:00",
    }
    return base | overrides


def parsed(*events: dict[str, Any]) -> Calendar:
    return Calendar.from_ical(calendar_bytes(events, name="桜ヶ丘市のイベント"))


def only_event(calendar: Calendar):
    (vevent,) = calendar.walk("VEVENT")
    return vevent


def test_calendar_header_and_time_zone():
    calendar = Calendar.from_ical(
        calendar_bytes(
            [event()], name="桜ヶ丘市のイベント", url="https://kyodo.example/v1/events.ics"
        )
    )
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Kyodo//Kyodo calendar//JA"
    assert str(calendar["X-WR-CALNAME"]) == "桜ヶ丘市のイベント"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Tokyo"
    assert str(calendar["URL"]) == "https://kyodo.example/v1/events.ics"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_every_event_property_round_trips():
    vevent = only_event(parsed(event()))
    assert str(vevent["UID"]) == "019a2b3c-6d6e-7f70-8a1b-2c3d4e5f6a70@kyodo"
    assert vevent.decoded("DTSTAMP") == datetime(2026, 11, 26, 0, 30, tzinfo=UTC)
    assert vevent.decoded("CREATED") == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    assert vevent.decoded("LAST-MODIFIED") == datetime(2026, 11, 26, 0, 30, tzinfo=UTC)
    assert vevent.decoded("SEQUENCE") == 2
    assert vevent["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert vevent.decoded("DTSTART") == datetime(2026, 12, 5, 10, tzinfo=TOKYO)
    assert vevent.decoded("DTEND") == datetime(2026, 12, 5, 12, tzinfo=TOKYO)
    assert str(vevent["SUMMARY"]) == TITLE
    assert str(vevent["DESCRIPTION"]) == DESCRIPTION
    assert (
        str(vevent["LOCATION"]) == "桜ヶ丘市民活動センター 会議室A, 群馬県桜ヶ丘市本町一丁目2番3号"
    )
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (36.3219, 139.0032)
    assert str(vevent["URL"]) == "https://meet.example.jp/kodomo"
    assert list(vevent["CATEGORIES"].cats) == [
        "seminar",
        "child_development",
        "community_development",
    ]
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["ORGANIZER"]) == "mailto:info@example.jp"
    assert vevent["ORGANIZER"].params["CN"] == "山田 花子"
    assert "RRULE" not in vevent and "EXDATE" not in vevent


def test_all_day_event_uses_dates_with_exclusive_end():
    vevent = only_event(
        parsed(
            event(
                all_day=True,
                starts_at="2026-12-05T00:00:00+09:00",
                ends_at="2026-12-07T00:00:00+09:00",
            )
        )
    )
    assert vevent["DTSTART"].params["VALUE"] == "DATE"
    assert vevent.decoded("DTSTART") == date(2026, 12, 5)
    assert vevent.decoded("DTEND") == date(2026, 12, 7)


def test_cancelled_and_postponed_events_are_marked():
    assert str(only_event(parsed(event(status="cancelled")))["STATUS"]) == "CANCELLED"
    assert str(only_event(parsed(event(status="postponed")))["STATUS"]) == "TENTATIVE"


def test_recurring_event_keeps_rrule_and_exdate():
    recurrence = {
        "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=8",
        "cancelled_occurrences": ["2026-12-12T10:00:00+09:00", "2026-12-26T01:00:00+00:00"],
    }
    vevent = only_event(parsed(event(recurrence=recurrence)))
    assert vevent["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=8;BYDAY=SA"
    exdates = [d.dt for d in vevent["EXDATE"].dts]
    assert exdates == [
        datetime(2026, 12, 12, 10, tzinfo=TOKYO),
        datetime(2026, 12, 26, 10, tzinfo=TOKYO),
    ]
    assert vevent["EXDATE"].params["TZID"] == "Asia/Tokyo"


def test_all_day_recurrence_uses_date_until_and_exdate():
    recurrence = {
        "rrule": "FREQ=WEEKLY;UNTIL=20270130T145959Z",
        "cancelled_occurrences": ["2026-12-12T00:00:00+09:00"],
    }
    vevent = only_event(
        parsed(
            event(
                all_day=True,
                starts_at="2026-12-05T00:00:00+09:00",
                ends_at="2026-12-06T00:00:00+09:00",
                recurrence=recurrence,
            )
        )
    )
    assert vevent["RRULE"]["UNTIL"] == [date(2027, 1, 30)]
    assert [d.dt for d in vevent["EXDATE"].dts] == [date(2026, 12, 12)]


def test_organizer_only_with_a_contact_email():
    no_email = {"name": "山田", "email": None, "phone": "027-000-0000", "url": None}
    assert "ORGANIZER" not in only_event(parsed(event(contact=no_email)))
    assert "ORGANIZER" not in only_event(parsed(event(contact=None)))


def test_online_only_event_has_no_location_but_a_url():
    vevent = only_event(parsed(event(venue=None)))
    assert "LOCATION" not in vevent and "GEO" not in vevent
    assert str(vevent["URL"]) == "https://meet.example.jp/kodomo"


def test_sequence_grows_with_version():
    sequences = [only_event(parsed(event(version=v))).decoded("SEQUENCE") for v in (1, 2, 7)]
    assert sequences == [0, 1, 6]


def test_lines_are_crlf_and_folded_to_75_octets():
    raw = calendar_bytes([event()], name="桜ヶ丘市のイベント")
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""
    assert all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    raw.decode("utf-8")  # folding never splits a multi-byte character


def test_output_is_deterministic_for_caching():
    assert calendar_bytes([event()], name="x") == calendar_bytes([event()], name="x")


def test_empty_listing_is_a_valid_calendar():
    calendar = vobject.readOne(calendar_bytes([], name="空").decode("utf-8"))
    assert calendar.name == "VCALENDAR"


def test_independent_parser_reads_the_feed():
    events = [
        event(),
        event(
            id="019a2b3c-0000-7000-8000-000000000002",
            title="夏祭り",
            all_day=True,
            starts_at="2027-08-01T00:00:00+09:00",
            ends_at="2027-08-02T00:00:00+09:00",
            status="cancelled",
        ),
        event(
            id="019a2b3c-0000-7000-8000-000000000003",
            recurrence={
                "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=8",
                "cancelled_occurrences": ["2026-12-12T10:00:00+09:00"],
            },
        ),
    ]
    calendar = vobject.readOne(calendar_bytes(events, name="桜ヶ丘市のイベント").decode("utf-8"))
    read = {v.uid.value: v for v in calendar.vevent_list}
    assert set(read) == {f"{e['id']}@kyodo" for e in events}
    first = read["019a2b3c-6d6e-7f70-8a1b-2c3d4e5f6a70@kyodo"]
    assert first.summary.value == TITLE
    assert first.dtstart.value == datetime(2026, 12, 5, 10, tzinfo=TOKYO)
    festival = read["019a2b3c-0000-7000-8000-000000000002@kyodo"]
    assert festival.summary.value == "夏祭り"
    assert festival.dtstart.value == date(2027, 8, 1)
    assert festival.status.value == "CANCELLED"
    series = read["019a2b3c-0000-7000-8000-000000000003@kyodo"]
    starts = list(series.getrruleset(addRDate=True))
    assert len(starts) == 7  # eight Saturdays, one called off
    assert datetime(2026, 12, 12, 10, tzinfo=TOKYO) not in starts
