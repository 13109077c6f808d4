"""schema.org Event JSON-LD for one event."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.events.jsonld import event_jsonld

S = "https://schema.org/"


def event(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "019a2b3c-6d6e-7f70-8a1b-2c3d4e5f6a70",
        "title": "こども食堂ボランティア説明会",
        "description": "運営ボランティアに関心のある方向けの説明会です。",
        "kind": "seminar",
        "organizer_ids": ["o1", "o2"],
        "organizers": [
            {"id": "o1", "name": "さくらがおかフードバンク"},
            {"id": "o2", "name": "桜ヶ丘市社会福祉協議会"},
        ],
        "starts_at": "2026-12-05T10:00:00+09:00",
        "ends_at": "2026-12-05T11:30:00+09:00",
        "all_day": False,
        "timezone": "Asia/Tokyo",
        "recurrence": None,
        "venue": {
            "name": "桜ヶ丘市民活動センター",
            "address": "群馬県桜ヶ丘市本町一丁目2番3号",
            "postal_code": "370-0801",
            "municipality_code": "102997",
            "latitude": 36.3219,
            "longitude": 139.0032,
        },
        "online_url": None,
        "municipality_code": "102997",
        "fields": ["child_development"],
        "target_audience": "小学生とその保護者",
        "fee_jpy": 500,
        "fee_note": "材料費",
        "capacity": 30,
        "places_taken": 30,
        "registration_deadline": "2026-12-03T17:00:00+09:00",
        "accessibility_notes": "",
        "contact": None,
        "status": "published",
        "version": 1,
        "created_at": "2026-11-25T10:00:00+09:00",
        "updated_at": "2026-11-25T10:00:00+09:00",
    }
    return base | overrides


def test_core_structure_is_json_serialisable():
    document = event_jsonld(event(), url="https://portal.example/events/1")
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document
    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "Event"
    assert document["name"] == "こども食堂ボランティア説明会"
    assert document["description"].startswith("運営ボランティア")
    assert document["startDate"] == "2026-12-05T10:00:00+09:00"
    assert document["endDate"] == "2026-12-05T11:30:00+09:00"
    assert document["inLanguage"] == "ja"
    assert document["url"] == "https://portal.example/events/1"
    assert document["organizer"] == [
        {"@type": "Organization", "name": "さくらがおかフードバンク"},
        {"@type": "Organization", "name": "桜ヶ丘市社会福祉協議会"},
    ]
    assert document["audience"] == {"@type": "Audience", "audienceType": "小学生とその保護者"}
    assert "eventSchedule" not in document


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("published", "EventScheduled"),
        ("cancelled", "EventCancelled"),
        ("postponed", "EventPostponed"),
    ],
)
def test_event_status(status: str, expected: str):
    assert event_jsonld(event(status=status))["eventStatus"] == S + expected


def test_offline_event_has_a_place_with_address_and_geo():
    document = event_jsonld(event())
    assert document["eventAttendanceMode"] == S + "OfflineEventAttendanceMode"
    assert document["location"] == {
        "@type": "Place",
        "name": "桜ヶ丘市民活動センター",
        "address": {
            "@type": "PostalAddress",
            "addressCountry": "JP",
            "streetAddress": "群馬県桜ヶ丘市本町一丁目2番3号",
            "postalCode": "370-0801",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": 36.3219, "longitude": 139.0032},
    }


def test_online_event_has_a_virtual_location():
    document = event_jsonld(event(venue=None, online_url="https://meet.example.jp/x"))
    assert document["eventAttendanceMode"] == S + "OnlineEventAttendanceMode"
    assert document["location"] == {"@type": "VirtualLocation", "url": "https://meet.example.jp/x"}


def test_mixed_event_has_both_locations():
    document = event_jsonld(event(online_url="https://meet.example.jp/x"))
    assert document["eventAttendanceMode"] == S + "MixedEventAttendanceMode"
    assert [place["@type"] for place in document["location"]] == ["Place", "VirtualLocation"]


def test_paid_event_offer_and_capacity():
    document = event_jsonld(event(), url="https://portal.example/events/1")
    assert document["offers"] == {
        "@type": "Offer",
        "price": 500,
        "priceCurrency": "JPY",
        "availability": S + "SoldOut",
        "validThrough": "2026-12-03T17:00:00+09:00",
        "url": "https://portal.example/events/1",
        "description": "材料費",
    }
    assert document["isAccessibleForFree"] is False
    assert document["maximumAttendeeCapacity"] == 30
    assert document["remainingAttendeeCapacity"] == 0


def test_free_event_is_accessible_for_free():
    document = event_jsonld(event(fee_jpy=0, places_taken=10))
    assert document["offers"]["price"] == 0
    assert document["offers"]["availability"] == S + "InStock"
    assert document["isAccessibleForFree"] is True
    assert document["remainingAttendeeCapacity"] == 20


def test_unstated_fee_and_capacity_are_left_out():
    document = event_jsonld(event(fee_jpy=None, capacity=None))
    assert "offers" not in document and "isAccessibleForFree" not in document
    assert "maximumAttendeeCapacity" not in document


def test_all_day_event_uses_dates_and_an_inclusive_end():
    document = event_jsonld(
        event(
            all_day=True, starts_at="2027-08-01T00:00:00+09:00", ends_at="2027-08-03T00:00:00+09:00"
        )
    )
    assert (document["startDate"], document["endDate"]) == ("2027-08-01", "2027-08-02")


def test_weekly_recurrence_becomes_an_event_schedule():
    recurrence = {
        "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=8",
        "cancelled_occurrences": ["2026-12-12T10:00:00+09:00"],
    }
    schedule = event_jsonld(event(recurrence=recurrence))["eventSchedule"]
    assert schedule == {
        "@type": "Schedule",
        "scheduleTimezone": "Asia/Tokyo",
        "startDate": "2026-12-05",
        "endDate": "2027-01-23",
        "repeatFrequency": "P1W",
        "repeatCount": 8,
        "byDay": S + "Saturday",
        "startTime": "10:00:00",
        "endTime": "11:30:00",
        "duration": "PT1H30M",
        "exceptDate": ["2026-12-12T10:00:00+09:00"],
    }


def test_second_saturday_and_unbounded_rules():
    schedule = event_jsonld(
        event(
            starts_at="2026-12-12T13:00:00+09:00",
            ends_at="2026-12-12T15:00:00+09:00",
            recurrence={"rrule": "FREQ=MONTHLY;INTERVAL=2;BYDAY=2SA", "cancelled_occurrences": []},
        )
    )["eventSchedule"]
    assert schedule["repeatFrequency"] == "P2M"
    assert schedule["byDay"] == S + "Saturday"
    assert schedule["byMonthWeek"] == 2
    assert "endDate" not in schedule and "repeatCount" not in schedule
    assert "exceptDate" not in schedule


def test_all_day_recurrence_schedule_uses_dates():
    schedule = event_jsonld(
        event(
            all_day=True,
            starts_at="2027-01-31T00:00:00+09:00",
            ends_at="2027-02-01T00:00:00+09:00",
            recurrence={
                "rrule": "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3",
                "cancelled_occurrences": ["2027-03-31T00:00:00+09:00"],
            },
        )
    )["eventSchedule"]
    assert schedule["byMonthDay"] == [31]
    assert schedule["endDate"] == "2027-05-31"
    assert schedule["exceptDate"] == ["2027-03-31"]
    assert "startTime" not in schedule
