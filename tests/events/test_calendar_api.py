"""The calendar through the API: events, occurrences, filters and feeds."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import icalendar
import vobject
from conftest import AUTH, jst
from fastapi.testclient import TestClient
from sqlmodel import Session

from gateway.main import create_app as create_gateway
from gateway.main import embedded_services
from migrations.runner import upgrade
from services.common.settings import KyodoSettings
from services.events.readmodel import known_organizations


def _events(api, **params):
    response = api.get("/v1/events", params=params)
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()["items"]]


def test_created_event_names_its_organizers_and_carries_an_etag(api, make_event, organizer):
    event = make_event()
    assert event["organizers"] == [{"id": organizer["id"], "name": organizer["name"]}]
    response = api.get(f"/v1/events/{event['id']}")
    assert response.headers["etag"] == '"1"'
    assert response.json() == event
    assert event["starts_at"].endswith("+09:00")


def test_an_event_ending_before_it_starts_is_refused_and_nothing_is_stored(api, organizer):
    body = {
        "title": "逆さまの会",
        "kind": "seminar",
        "organizer_ids": [organizer["id"]],
        "starts_at": jst(3, 12),
        "ends_at": jst(3, 10),
        "online_url": "https://meet.example.jp/x",
        "municipality_code": "102997",
    }
    response = api.post("/v1/events", json=body, headers=AUTH)
    assert response.status_code == 422
    listed = api.get("/v1/events", params={"status": ["draft", "published"]}, headers=AUTH)
    assert listed.json()["items"] == []


def test_an_organizer_unknown_to_the_registry_is_refused(api):
    body = {
        "title": "謎の主催",
        "kind": "seminar",
        "organizer_ids": ["01900000-0000-7000-8000-000000000000"],
        "starts_at": jst(3, 10),
        "ends_at": jst(3, 12),
        "online_url": "https://meet.example.jp/x",
        "municipality_code": "102997",
    }
    response = api.post("/v1/events", json=body, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unknown_organization"


def test_a_deleted_organisation_can_no_longer_organise(api, make_org):
    org = make_org(name="解散した会", kind="volunteer_group")
    api.delete(f"/v1/organizations/{org['id']}", headers={**AUTH, "If-Match": '"1"'})
    body = {
        "title": "解散後の会",
        "kind": "seminar",
        "organizer_ids": [org["id"]],
        "starts_at": jst(3, 10),
        "ends_at": jst(3, 12),
        "online_url": "https://meet.example.jp/x",
        "municipality_code": "102997",
    }
    assert api.post("/v1/events", json=body, headers=AUTH).status_code == 422


def test_co_hosted_events_list_every_organizer(api, make_event, make_org, organizer):
    partner = make_org(name="株式会社さくら印刷", kind="company")
    event = make_event(organizer_ids=[organizer["id"], partner["id"]])
    assert [o["name"] for o in event["organizers"]] == [organizer["name"], "株式会社さくら印刷"]
    assert _events(api, organizer_id=partner["id"]) == [event["id"]]


def test_weekly_recurrence_across_a_month_boundary_with_a_cancelled_occurrence(api, make_event):
    # Saturdays 2027-01-23 .. 2027-02-13: the series crosses from January into February.
    event = make_event(
        starts_at="2027-01-23T10:00:00+09:00",
        ends_at="2027-01-23T13:00:00+09:00",
        recurrence={
            "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=4",
            "cancelled_occurrences": ["2027-02-06T10:00:00+09:00"],
        },
    )
    response = api.get(
        "/v1/events/occurrences",
        params={"date_from": "2027-01-01T00:00:00+09:00", "date_to": "2027-03-01T00:00:00+09:00"},
    )
    assert response.status_code == 200, response.text
    items = [(o["starts_at"], o["cancelled"]) for o in response.json()["items"]]
    assert items == [
        ("2027-01-23T10:00:00+09:00", False),
        ("2027-01-30T10:00:00+09:00", False),
        ("2027-02-06T10:00:00+09:00", True),
        ("2027-02-13T10:00:00+09:00", False),
    ]
    stored = api.get(f"/v1/events/{event['id']}").json()
    assert stored["recurrence"]["rrule"] == "FREQ=WEEKLY;BYDAY=SA;COUNT=4"


def test_monthly_second_wednesday_stays_at_japan_wall_time(api, make_event):
    make_event(
        title="子育てサロン",
        starts_at="2027-01-13T10:00:00+09:00",
        ends_at="2027-01-13T11:30:00+09:00",
        recurrence={"rrule": "FREQ=MONTHLY;BYDAY=2WE;COUNT=3"},
    )
    response = api.get(
        "/v1/events/occurrences",
        params={"date_from": "2027-01-01T00:00:00+09:00", "date_to": "2027-04-01T00:00:00+09:00"},
    )
    starts = [o["starts_at"] for o in response.json()["items"]]
    assert starts == [
        "2027-01-13T10:00:00+09:00",
        "2027-02-10T10:00:00+09:00",
        "2027-03-10T10:00:00+09:00",
    ]


def test_occurrences_page_through_in_start_order(api, make_event):
    make_event(
        starts_at="2027-01-02T10:00:00+09:00",
        ends_at="2027-01-02T11:00:00+09:00",
        recurrence={"rrule": "FREQ=DAILY;COUNT=5"},
    )
    seen, cursor = [], None
    while True:
        params = {
            "date_from": "2027-01-01T00:00:00+09:00",
            "date_to": "2027-02-01T00:00:00+09:00",
            "limit": 2,
            **({"cursor": cursor} if cursor else {}),
        }
        page = api.get("/v1/events/occurrences", params=params).json()
        seen += [o["starts_at"][:10] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["2027-01-02", "2027-01-03", "2027-01-04", "2027-01-05", "2027-01-06"]


def test_an_invalid_rrule_is_refused(api, organizer):
    body = {
        "title": "毎秒の会",
        "kind": "seminar",
        "organizer_ids": [organizer["id"]],
        "starts_at": jst(3, 10),
        "ends_at": jst(3, 12),
        "online_url": "https://meet.example.jp/x",
        "municipality_code": "102997",
        "recurrence": {"rrule": "FREQ=SECONDLY"},
    }
    response = api.post("/v1/events", json=body, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.recurrence.rrule"


def test_window_filter_finds_only_events_with_an_occurrence_inside(api, make_event):
    inside = make_event(starts_at="2027-02-10T10:00:00+09:00", ends_at="2027-02-10T12:00:00+09:00")
    make_event(starts_at="2027-04-10T10:00:00+09:00", ends_at="2027-04-10T12:00:00+09:00")
    params = {"date_from": "2027-02-01T00:00:00+09:00", "date_to": "2027-03-01T00:00:00+09:00"}
    assert _events(api, **params) == [inside["id"]]


def test_weekend_evening_free_online_and_places_filters(api, make_event):
    saturday = make_event(
        starts_at="2027-02-13T10:00:00+09:00", ends_at="2027-02-13T12:00:00+09:00"
    )
    evening = make_event(
        starts_at="2027-02-10T19:00:00+09:00",
        ends_at="2027-02-10T20:30:00+09:00",
        venue=None,
        online_url="https://meet.example.jp/evening",
        fee_jpy=500,
        capacity=10,
        places_taken=10,
    )
    window = {"date_from": "2027-02-01T00:00:00+09:00", "date_to": "2027-03-01T00:00:00+09:00"}
    assert _events(api, weekend="true", **window) == [saturday["id"]]
    assert _events(api, evening="true", **window) == [evening["id"]]
    assert _events(api, free="true") == [saturday["id"]]
    assert _events(api, online="true") == [evening["id"]]
    assert _events(api, in_person="false") == [evening["id"]]
    assert _events(api, has_places="false") == [evening["id"]]


def test_text_search_is_japanese_aware(api, make_event):
    kodomo = make_event(title="こども食堂まつり")
    make_event(title="高齢者の見守り講座", description="見守り")
    for q in ("子供", "子ども", "ｺﾄﾞﾓ"):
        assert _events(api, q=q) == [kodomo["id"]], q


def test_drafts_stay_off_the_public_calendar(api, make_event):
    make_event(status="draft")
    published = make_event(title="公開イベント")
    assert _events(api) == [published["id"]]


def test_update_bumps_version_and_sequence_and_cancel_marks_the_feed(api, make_event):
    event = make_event()
    url = f"/v1/events/{event['id']}"
    assert api.patch(url, json={"status": "cancelled"}, headers=AUTH).status_code == 428
    response = api.patch(url, json={"status": "cancelled"}, headers={**AUTH, "If-Match": '"1"'})
    assert response.status_code == 200
    assert response.json()["version"] == 2
    calendar = icalendar.Calendar.from_ical(api.get(f"{url}/calendar.ics").content)
    vevent = next(iter(calendar.walk("VEVENT")))
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 1
    assert str(vevent["UID"]) == f"{event['id']}@kyodo"


def test_icalendar_feed_parses_with_two_independent_parsers(api, make_event):
    make_event(
        title="新年の集い、交流会",
        description="",
        starts_at="2027-01-09T14:00:00+09:00",
        ends_at="2027-01-09T16:00:00+09:00",
    )
    make_event(
        title="こども食堂",
        starts_at="2027-01-16T10:00:00+09:00",
        ends_at="2027-01-16T13:00:00+09:00",
        recurrence={"rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=6"},
    )
    response = api.get("/v1/events.ics", params={"q": "こども"})
    assert response.headers["content-type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(response.content)
    vevents = list(parsed.walk("VEVENT"))
    assert [str(v["SUMMARY"]) for v in vevents] == ["こども食堂"]
    assert vevents[0]["RRULE"]["FREQ"] == ["WEEKLY"]
    everything = api.get("/v1/events.ics").content.decode()
    other = vobject.readOne(everything)
    summaries = sorted(v.summary.value for v in other.vevent_list)
    assert summaries == ["こども食堂", "新年の集い、交流会"]


def test_json_ld_is_a_schema_org_event(api, make_event):
    event = make_event(fee_jpy=0)
    response = api.get(f"/v1/events/{event['id']}/jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert document["@type"] == "Event"
    assert document["name"] == event["title"]
    assert document["eventStatus"].endswith("EventScheduled")
    assert datetime.fromisoformat(document["startDate"]) == datetime.fromisoformat(
        event["starts_at"]
    )


def test_open_data_csv_has_a_bom_and_one_row_per_event(api, make_event):
    make_event(title="ワークショップ")
    content = api.get("/v1/events.csv").content
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").split("\r\n")
    assert "イベント名" in lines[0]
    assert "ワークショップ" in lines[1]


def test_deleted_event_is_gone(api, make_event):
    event = make_event()
    url = f"/v1/events/{event['id']}"
    assert api.delete(url, headers={**AUTH, "If-Match": '"1"'}).status_code == 204
    assert api.get(url).status_code == 410
    assert _events(api) == []


def test_renaming_an_organisation_reaches_the_calendar(api, make_event, organizer, services):
    import asyncio

    from services.events.readmodel import sync_organizations

    event = make_event()
    api.patch(
        f"/v1/organizations/{organizer['id']}",
        json={"name": "桜ヶ丘こども食堂ネットワーク"},
        headers={**AUTH, "If-Match": '"1"'},
    )
    events_app = services["events"]

    async def follow():
        async with events_app.state.registry_client() as client:
            return await sync_organizations(events_app.state.engine, client)

    assert asyncio.run(follow()) == 1
    assert asyncio.run(follow()) == 0  # idempotent: nothing new the second time
    names = [o["name"] for o in api.get(f"/v1/events/{event['id']}").json()["organizers"]]
    assert names == ["桜ヶ丘こども食堂ネットワーク"]


def test_changing_organizers_checks_them_against_the_registry(api, make_event, make_org):
    event = make_event()
    partner = make_org(name="桜ヶ丘大学 地域連携センター", kind="university")
    url = f"/v1/events/{event['id']}"
    unknown = api.patch(
        url,
        json={"organizer_ids": ["01900000-0000-7000-8000-000000000000"]},
        headers={**AUTH, "If-Match": '"1"'},
    )
    assert unknown.status_code == 422
    added = api.patch(
        url,
        json={"organizer_ids": [event["organizer_ids"][0], partner["id"]]},
        headers={**AUTH, "If-Match": '"1"'},
    )
    assert added.status_code == 200, added.text
    assert [o["id"] for o in added.json()["organizers"]][1] == partner["id"]


def test_the_background_follower_keeps_the_read_model_current(tmp_path):
    settings = KyodoSettings(
        data_dir=Path(tmp_path), admin_key="calendar-test-admin-key", log_level="WARNING"
    )
    services = embedded_services(settings)
    services["events"].state.sync_interval = 0.05
    for name, app in services.items():
        upgrade(app.state.engine, name)
    body = {"name": "追いかけ確認の会", "kind": "volunteer_group", "municipality_code": "102997"}
    engine = services["events"].state.engine
    with TestClient(create_gateway(services)) as client:
        org = client.post(
            "/v1/organizations",
            json=body,
            headers={"Authorization": "Bearer calendar-test-admin-key"},
        )
        org_id = org.json()["id"]
        for _ in range(100):  # nothing asks the events service: only the follower can learn it
            with Session(engine) as session:
                if org_id in known_organizations(session, [org_id]):
                    return
            time.sleep(0.05)
    raise AssertionError("the follower never saw the new organisation")


def test_drafts_are_for_organisers_only(api, make_event):
    draft = make_event(status="draft", title="準備中の講座")
    url = f"/v1/events/{draft['id']}"
    assert api.get(url).status_code == 404
    assert api.get(f"{url}/jsonld").status_code == 404
    assert api.get(url, headers=AUTH).json()["status"] == "draft"
    assert api.get("/v1/events", params={"status": "draft"}).status_code == 401
    listed = api.get("/v1/events", params={"status": "draft"}, headers=AUTH).json()["items"]
    assert [e["id"] for e in listed] == [draft["id"]]
    assert "準備中の講座" not in api.get("/v1/events.ics").text


def test_feeds_without_dates_cover_what_is_coming_not_the_archive(api, make_event):
    make_event(title="昔の講座", starts_at=jst(-120, 10), ends_at=jst(-120, 12))
    make_event(title="先月の講座", starts_at=jst(-10, 10), ends_at=jst(-10, 12))
    make_event(title="来月の講座", starts_at=jst(30, 10), ends_at=jst(30, 12))
    calendar = icalendar.Calendar.from_ical(api.get("/v1/events.ics").content)
    titles = sorted(str(v["SUMMARY"]) for v in calendar.walk("VEVENT"))
    assert titles == sorted(["来月の講座", "先月の講座"])
    archive = api.get("/v1/events.ics", params={"date_from": jst(-200, 0)}).text
    assert "昔の講座" in archive
