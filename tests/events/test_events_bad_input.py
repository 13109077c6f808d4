"""Hostile input to every events endpoint: always a 4xx problem, never a 500, never a write.

Each case sends one kind of bad input to one endpoint of the events service (events,
opportunities, shifts, sign-ups, hours, points rules) and requires:

* a 4xx status (the expected one) answered as ``application/problem+json`` with
  ``type``, ``title``, ``status`` (equal to the HTTP status) and ``detail``;
* for validation failures, ``errors`` naming the field at fault;
* every row of every events table (and of the registry) the same before and after.

The only column left out of the comparison is ``feed_position.updated_at``: the service
follows the registry's change feed in the background and on demand (a request naming an
organisation it does not know makes it catch up), and each catch-up stamps the time even
when there was nothing new. The position itself is compared.

The cases are tables, so a new kind of hostile input is one line.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import AUTH, SERVICE_TABLES, organization_body
from fastapi.testclient import TestClient
from hostile import (
    BAD_IF_MATCH,
    GARBAGE_CURSORS,
    JSON_CT,
    LONG,
    MISSING_ID,
    NO_BODY,
    NUL,
    ONE_MIB,
    PREFECTURE_48,
    RAW_BODIES,
    WRONG_CHECK_DIGIT_MUNICIPALITY,
    Case,
    assert_problem,
    b64,
    bodies,
    chunks,
    empty_tables,
    fill_template,
    ids,
    oversized_json,
    oversized_json_cases,
    run_case,
    snapshot_tables,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.main import create_app

# -- the world a case runs in, and its snapshot --------------------------------------------

EVENTS_TABLES = {  # every table of the events service, in an order that can be emptied
    "signup": "id",
    "shift": "id",
    "opportunity": "id",
    "event": "id",
    "organization_ref": "id",
    "feed_position": "source",
    "points_rule": "municipality_code",
    "outbox": "seq",
    "idempotency_key": "client_scope, key",
}
assert set(EVENTS_TABLES) == set(SERVICE_TABLES["events"])
REGISTRY_TABLES = {
    "resource": "id",
    "organization": "id",
    "outbox": "seq",
    "idempotency_key": "client_scope, key",
}
VOLATILE = {"feed_position": {"updated_at"}}

MUNICIPALITY = "102997"
NO_RULE_MUNICIPALITY = "131016"  # a valid code (千代田区) without a points rule
# 2030-06-01 is a Saturday: the world's events and shifts happen that summer.
START = "2030-06-01T10:00:00+09:00"
END = "2030-06-01T12:00:00+09:00"
PERIOD = ("2030-01-01T00:00:00+09:00", "2030-12-31T23:59:00+09:00")
SHIFT_START = "2030-06-02T09:00:00+09:00"
SHIFT_END = "2030-06-02T13:00:00+09:00"
PAST_START = "2020-01-11T09:00:00+09:00"
PAST_END = "2020-01-11T12:00:00+09:00"  # the past shift lasts 3 hours
WINDOW = {"date_from": "2030-05-01T00:00:00+09:00", "date_to": "2030-09-01T00:00:00+09:00"}
EMAIL = "hanako@example.jp"


def event_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "こども食堂ボランティア説明会",
        "description": "こども食堂の運営に関心のある方向けの説明会です。",
        "kind": "seminar",
        "organizer_ids": ["{org}"],
        "starts_at": START,
        "ends_at": END,
        "venue": {"name": "桜ヶ丘市民活動センター 会議室A", "municipality_code": MUNICIPALITY},
        "municipality_code": MUNICIPALITY,
        "fields": ["child_development"],
        "fee_jpy": 0,
        "capacity": 30,
        "status": "published",
    }
    body.update(overrides)
    return body


def opportunity_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organization_id": "{org}",
        "title": "こども食堂の調理補助",
        "description": "毎週土曜のこども食堂で、調理と配膳を手伝ってください。",
        "skills_wanted": ["調理"],
        "fields": ["child_development"],
        "municipality_code": MUNICIPALITY,
        "commitment": "ongoing",
        "minimum_age": 15,
        "starts_at": PERIOD[0],
        "ends_at": PERIOD[1],
    }
    body.update(overrides)
    return body


def shift_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"starts_at": SHIFT_START, "ends_at": SHIFT_END, "capacity": 5}
    body.update(overrides)
    return body


def signup_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "佐藤 花子",
        "name_kana": "サトウ ハナコ",
        "email": "sato@example.jp",
        "phone": "090-1234-5678",
    }
    body.update(overrides)
    return body


@dataclass
class World:
    """The records every case points at (placeholders ``{name}`` in paths and bodies)."""

    refs: dict[str, str]
    tokens: dict[str, str]  # sign-up -> its X-Signup-Token
    cursors: dict[str, str]  # listing -> a real next_cursor of it
    baseline: dict[str, Any] = dataclasses.field(default_factory=dict)

    def fill(self, template: str) -> str:
        return fill_template(template, {**self.refs, "missing": MISSING_ID})

    def __getattr__(self, name: str) -> str:
        try:
            return self.__dict__["refs"][name]
        except KeyError:
            raise AttributeError(name) from None


def snapshot(client: Any) -> dict[str, Any]:
    """Every stored row of the events service (and of the registry it follows)."""
    return {
        "events": snapshot_tables(client.engine, EVENTS_TABLES, VOLATILE),
        "registry": snapshot_tables(client.registry_engine, REGISTRY_TABLES),
    }


@pytest.fixture(scope="module")
def client(services) -> Iterator[TestClient]:
    """One client of the embedded gateway for the whole module (per backend)."""
    with TestClient(create_app(services), base_url="http://kyodo.test") as test_client:
        test_client.engine = services["events"].state.engine  # type: ignore[attr-defined]
        test_client.registry_engine = services["registry"].state.engine  # type: ignore[attr-defined]
        test_client.world = None  # type: ignore[attr-defined]
        yield test_client


@pytest.fixture
def api(client) -> TestClient:
    """This module's client (shadows conftest's, which would empty the databases per test)."""
    return client


@pytest.fixture
def world(client) -> World:
    """The world of every case: built once, rebuilt only when a test changed it."""
    current: World | None = client.world
    if current is None or snapshot(client) != current.baseline:
        empty_tables(client.registry_engine, list(REGISTRY_TABLES))
        empty_tables(client.engine, list(EVENTS_TABLES))
        current = client.world = _build_world(client)
        current.baseline = snapshot(client)
    return current


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def _build_world(api: TestClient) -> World:
    refs: dict[str, str] = {}
    tokens: dict[str, str] = {}

    def post(name: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
        created = _created(api.post(fill_template(url, refs), json=_filled(body), headers=AUTH))
        refs[name] = created["id"]
        return created

    def _filled(body: Any) -> Any:
        return json.loads(fill_template(json.dumps(body, ensure_ascii=False), refs))

    def delete(url: str) -> None:
        response = api.delete(fill_template(url, refs), headers={**AUTH, "If-Match": "*"})
        assert response.status_code == 204, response.text

    def patch(url: str, body: dict[str, Any]) -> None:
        response = api.patch(url.format(**refs), json=body, headers={**AUTH, "If-Match": "*"})
        assert response.status_code == 200, response.text

    def sign_up(name: str, shift: str, email: str) -> None:
        created = post(name, f"/v1/shifts/{{{shift}}}/signups", signup_body(email=email))
        tokens[name] = created["manage_token"]

    # The registry: organisations the events service learns through the change feed.
    post("org", "/v1/organizations", organization_body())
    post("other_org", "/v1/organizations", organization_body(name="桜ヶ丘市社会福祉協議会"))
    post("gone_org", "/v1/organizations", organization_body(name="解散した会"))

    # Events: one-off, recurring, one by the organisation about to go, one deleted.
    post("event", "/v1/events", event_body())
    post(
        "series",
        "/v1/events",
        event_body(
            title="毎週土曜の朝市",
            recurrence={
                "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=8",
                "cancelled_occurrences": ["2030-06-15T10:00:00+09:00"],
            },
        ),
    )
    post("gone_org_event", "/v1/events", event_body(organizer_ids=["{gone_org}"]))
    post("gone_event", "/v1/events", event_body(title="中止になった会"))
    delete("/v1/events/{gone_event}")
    delete("/v1/organizations/{gone_org}")
    # Naming an unknown organiser makes the service catch up with the feed (and learn
    # that gone_org was deleted) without writing anything else.
    caught_up = api.post("/v1/events", json=event_body(organizer_ids=[MISSING_ID]), headers=AUTH)
    assert caught_up.status_code == 422, caught_up.text

    # Opportunities: open with a period, closed, without a period, deleted.
    post("opp", "/v1/opportunities", opportunity_body())
    post("closed_opp", "/v1/opportunities", opportunity_body(title="受付終了", status="closed"))
    post("ongoing_opp", "/v1/opportunities", opportunity_body(starts_at=None, ends_at=None))
    post("gone_opp", "/v1/opportunities", opportunity_body(title="取り下げた募集"))
    delete("/v1/opportunities/{gone_opp}")

    # Shifts: full (2 confirmed, 1 waitlisted), open, deadline passed, closed, past, deleted.
    full = shift_body(starts_at=START, ends_at="2030-06-01T14:00:00+09:00", capacity=2)
    post("shift", "/v1/opportunities/{opp}/shifts", full)
    sign_up("signup", "shift", EMAIL)
    sign_up("signup2", "shift", "taro@example.jp")
    sign_up("waitlisted", "shift", "jiro@example.jp")
    post("open_shift", "/v1/opportunities/{opp}/shifts", shift_body())
    post(
        "deadline_shift",
        "/v1/opportunities/{opp}/shifts",
        shift_body(signup_deadline="2020-01-01T00:00:00+09:00"),
    )
    post("closed_shift", "/v1/opportunities/{closed_opp}/shifts", shift_body())
    post("past_shift", "/v1/opportunities/{ongoing_opp}/shifts", shift_body())
    sign_up("past_signup", "past_shift", "past@example.jp")
    sign_up("cancelled", "past_shift", "cancelled@example.jp")
    assert api.post(f"/v1/signups/{refs['cancelled']}/cancel", headers=AUTH).status_code == 200
    patch("/v1/shifts/{past_shift}", {"starts_at": PAST_START, "ends_at": PAST_END})
    post("gone_shift", "/v1/opportunities/{opp}/shifts", shift_body())
    delete("/v1/shifts/{gone_shift}")

    rule = api.put(f"/v1/points-rules/{MUNICIPALITY}", json={"points_per_hour": 1}, headers=AUTH)
    assert rule.status_code == 200, rule.text

    def cursor(url: str, **params: Any) -> str:
        response = api.get(fill_template(url, refs), params={**params, "limit": 1}, headers=AUTH)
        assert response.status_code == 200, response.text
        value = response.json()["next_cursor"]
        assert value, response.text
        return str(value)

    cursors = {
        "list_events": cursor("/v1/events"),
        "list_occurrences": cursor("/v1/events/occurrences", **WINDOW),
        "list_opportunities": cursor("/v1/opportunities"),
        "list_shifts": cursor("/v1/opportunities/{opp}/shifts"),
        "list_signups": cursor("/v1/shifts/{shift}/signups"),
    }
    with api.engine.connect() as connection:  # type: ignore[attr-defined]
        gone = connection.execute(
            sa.text("SELECT deleted FROM organization_ref WHERE id = :id"), {"id": refs["gone_org"]}
        ).scalar_one()
    assert gone, "the events service did not learn that gone_org was deleted"
    return World(refs, tokens, cursors)


def run(api: Any, world: World, case: Case) -> Any:
    return run_case(api, world, case, lambda: snapshot(api))


CURRENT = {"If-Match": '"1"'}  # event, opp and open_shift of ``world`` are at version 1
ANY = {"If-Match": "*"}

# Every endpoint that takes a JSON body, with a valid body and the headers that let it through.
JSON_ENDPOINTS: list[tuple[str, str, str, dict[str, Any], dict[str, str]]] = [
    ("create_event", "POST", "/v1/events", event_body(), {}),
    ("update_event", "PATCH", "/v1/events/{event}", {"title": "新しい題"}, CURRENT),
    ("create_opportunity", "POST", "/v1/opportunities", opportunity_body(), {}),
    ("update_opportunity", "PATCH", "/v1/opportunities/{opp}", {"title": "新しい題"}, CURRENT),
    ("create_shift", "POST", "/v1/opportunities/{opp}/shifts", shift_body(), {}),
    ("update_shift", "PATCH", "/v1/shifts/{open_shift}", {"capacity": 6}, CURRENT),
    ("sign_up", "POST", "/v1/shifts/{open_shift}/signups", signup_body(), {}),
    (
        "record_attendance",
        "POST",
        "/v1/signups/{past_signup}/attendance",
        {"attended": True, "hours": 2},
        {},
    ),
    ("put_points_rule", "PUT", f"/v1/points-rules/{MUNICIPALITY}", {"points_per_hour": 2}, {}),
]

NOT_AN_OBJECT = [
    Case(
        f"{endpoint} refuses {what}",
        method,
        path,
        status,
        where,
        content=raw,
        headers={**JSON_CT, **headers},
    )
    for endpoint, method, path, _, headers in JSON_ENDPOINTS
    for what, raw, status, where in RAW_BODIES
]


@pytest.mark.parametrize("case", NOT_AN_OBJECT, ids=ids(NOT_AN_OBJECT))
def test_a_body_that_is_not_a_json_object_is_refused(api, world, case):
    run(api, world, case)


@pytest.mark.parametrize(
    ("endpoint", "method", "path", "body", "headers"),
    JSON_ENDPOINTS,
    ids=[e[0] for e in JSON_ENDPOINTS],
)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_json_body_sent_with_another_content_type_is_refused(
    api, world, endpoint, method, path, body, headers, content_type
):
    filled = json.loads(world.fill(json.dumps(body)))
    case = Case(
        endpoint,
        method,
        path,
        (415, 422),
        content=json.dumps(filled).encode(),
        headers={**headers, "Content-Type": content_type},
    )
    run(api, world, case)


# -- events ----------------------------------------------------------------------------------

WEEKLY = {"rrule": "FREQ=WEEKLY;COUNT=4"}
# Invalid event fields, refused by create and update alike: (what, fields, field named).
# Cross-field rules name ``body``; an update is judged on the merged record.
BAD_EVENT_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("a title of the wrong type", {"title": 123}, "body.title"),
    ("a blank title", {"title": "   "}, "body.title"),
    ("a 10 000-character title", {"title": LONG}, "body.title"),
    ("a NUL byte in the title", {"title": f"説明会{NUL}"}, "body.title"),
    ("an escape sequence in the title", {"title": "\x1b[2J説明会"}, "body.title"),
    ("a newline in the one-line title", {"title": "説明\n会"}, "body.title"),
    ("a lone surrogate in the title", {"title": "説明会\ud800"}, "body.title"),
    ("a 10 000-character description", {"description": LONG}, "body.description"),
    ("a NUL byte in the description", {"description": f"説明{NUL}"}, "body.description"),
    ("an unknown kind", {"kind": "party"}, "body.kind"),
    ("kind as a number", {"kind": 1}, "body.kind"),
    ("an unknown status", {"status": "archived"}, "body.status"),
    ("an unknown field", {"colour": "red"}, "body.colour"),
    ("a read-only id", {"id": MISSING_ID}, "body.id"),
    ("a read-only version", {"version": 99}, "body.version"),
    ("read-only organizers", {"organizers": []}, "body.organizers"),
    ("a read-only places_left", {"places_left": 5}, "body.places_left"),
    ("a start without a UTC offset", {"starts_at": "2030-06-01T10:00:00"}, "body.starts_at"),
    ("a start in words", {"starts_at": "tomorrow"}, "body.starts_at"),
    ("a start in year 1", {"starts_at": "0001-01-01T00:00:00+09:00"}, "body.starts_at"),
    ("an impossible date", {"starts_at": "2030-02-30T10:00:00+09:00"}, "body.starts_at"),
    ("an end before the start", {"ends_at": "2030-06-01T09:00:00+09:00"}, "body"),
    ("an end equal to the start", {"ends_at": START}, "body"),
    ("an event longer than 31 days", {"ends_at": "2030-07-03T12:00:00+09:00"}, "body"),
    ("neither venue nor online URL", {"venue": None}, "body"),
    ("a venue without a name", {"venue": {"municipality_code": MUNICIPALITY}}, "body.venue.name"),
    (
        "a venue in prefecture 48",
        {"venue": {"name": "会場", "municipality_code": PREFECTURE_48}},
        "body.venue.municipality_code",
    ),
    (
        "a venue with an unknown field",
        {"venue": {"name": "会場", "municipality_code": MUNICIPALITY, "floor": 3}},
        "body.venue.floor",
    ),
    (
        "a venue latitude without longitude",
        {"venue": {"name": "会場", "municipality_code": MUNICIPALITY, "latitude": 35.0}},
        "body.venue",
    ),
    (
        "a venue latitude of 91",
        {
            "venue": {
                "name": "会場",
                "municipality_code": MUNICIPALITY,
                "latitude": 91,
                "longitude": 139,
            }
        },
        "body.venue.latitude",
    ),
    ("a javascript: online URL", {"online_url": "javascript:alert(1)"}, "body.online_url"),
    (
        "an online URL over 2048 characters",
        {"online_url": "https://example.jp/" + LONG},
        "body.online_url",
    ),
    (
        "a municipality code with a wrong check digit",
        {"municipality_code": WRONG_CHECK_DIGIT_MUNICIPALITY},
        "body.municipality_code",
    ),
    (
        "a municipality code in prefecture 48",
        {"municipality_code": PREFECTURE_48},
        "body.municipality_code",
    ),
    ("a 5-digit municipality code", {"municipality_code": "10299"}, "body.municipality_code"),
    (
        "a municipality code with a NUL byte",
        {"municipality_code": f"10299{NUL}7"},
        "body.municipality_code",
    ),
    ("a 10 000-character municipality code", {"municipality_code": LONG}, "body.municipality_code"),
    ("a municipality code as a number", {"municipality_code": 102997}, "body.municipality_code"),
    ("a time zone other than Japan's", {"timezone": "Europe/Paris"}, "body.timezone"),
    ("all_day as text", {"all_day": "maybe"}, "body.all_day"),
    ("an unknown activity field", {"fields": ["cooking"]}, "body.fields.0"),
    ("21 activity fields", {"fields": ["environment"] * 21}, "body.fields"),
    ("capacity 0", {"capacity": 0}, "body.capacity"),
    ("capacity -1", {"capacity": -1}, "body.capacity"),
    ("capacity 10**30", {"capacity": 10**30}, "body.capacity"),
    ("capacity as text", {"capacity": "many"}, "body.capacity"),
    ("a negative fee", {"fee_jpy": -1}, "body.fee_jpy"),
    ("a fee of 10**30", {"fee_jpy": 10**30}, "body.fee_jpy"),
    ("a fee with a fraction", {"fee_jpy": 1.5}, "body.fee_jpy"),
    ("negative places taken", {"places_taken": -1}, "body.places_taken"),
    (
        "a registration deadline after the event",
        {"registration_deadline": "2030-06-02T00:00:00+09:00"},
        "body",
    ),
    (
        "a registration deadline in words",
        {"registration_deadline": "soon"},
        "body.registration_deadline",
    ),
    ("a 10 000-character target audience", {"target_audience": LONG}, "body.target_audience"),
    ("a NUL byte in the fee note", {"fee_note": f"無料{NUL}"}, "body.fee_note"),
    (
        "10 000-character accessibility notes",
        {"accessibility_notes": LONG},
        "body.accessibility_notes",
    ),
    ("a contact without a name", {"contact": {"email": "a@example.jp"}}, "body.contact.name"),
    (
        "a contact with a bad email",
        {"contact": {"name": "山田", "email": "nope"}},
        "body.contact.email",
    ),
    (
        "a contact with an unknown field",
        {"contact": {"name": "山田", "age": 40}},
        "body.contact.age",
    ),
    ("no organisers", {"organizer_ids": []}, "body.organizer_ids"),
    ("21 organisers", {"organizer_ids": [MISSING_ID] * 21}, "body.organizer_ids"),
    ("organisers as a string", {"organizer_ids": "{org}"}, "body.organizer_ids"),
    ("an organiser that is not an id", {"organizer_ids": ["../etc"]}, "body.organizer_ids.0"),
    (
        "an organiser id with a NUL byte",
        {"organizer_ids": [MISSING_ID + NUL]},
        "body.organizer_ids.0",
    ),
    ("an organiser unknown to the registry", {"organizer_ids": [MISSING_ID]}, "body.organizer_ids"),
    (
        "an organiser deleted from the registry",
        {"organizer_ids": ["{gone_org}"]},
        "body.organizer_ids",
    ),
    (
        "one unknown organiser among known ones",
        {"organizer_ids": ["{org}", MISSING_ID]},
        "body.organizer_ids.1",
    ),
    ("recurrence as a string", {"recurrence": "weekly"}, "body.recurrence"),
    ("a recurrence without a rule", {"recurrence": {}}, "body.recurrence.rrule"),
    (
        "a recurrence with an unknown field",
        {"recurrence": {**WEEKLY, "colour": "red"}},
        "body.recurrence.colour",
    ),
    ("an RRULE of FREQ=SECONDLY", {"recurrence": {"rrule": "FREQ=SECONDLY"}}, "rrule"),
    ("an RRULE of FREQ=MINUTELY", {"recurrence": {"rrule": "FREQ=MINUTELY;COUNT=3"}}, "rrule"),
    ("an RRULE of FREQ=HOURLY", {"recurrence": {"rrule": "FREQ=HOURLY;COUNT=3"}}, "rrule"),
    ("an RRULE with COUNT=5000", {"recurrence": {"rrule": "FREQ=DAILY;COUNT=5000"}}, "rrule"),
    ("an RRULE with COUNT=0", {"recurrence": {"rrule": "FREQ=DAILY;COUNT=0"}}, "rrule"),
    (
        "an RRULE with a 20-digit COUNT",
        {"recurrence": {"rrule": "FREQ=DAILY;COUNT=99999999999999999999"}},
        "rrule",
    ),
    ("an RRULE in words", {"recurrence": {"rrule": "every saturday"}}, "rrule"),
    ("an RRULE without FREQ", {"recurrence": {"rrule": "COUNT=3"}}, "rrule"),
    ("an RRULE with an unknown FREQ", {"recurrence": {"rrule": "FREQ=FORTNIGHTLY"}}, "rrule"),
    (
        "an RRULE whose first occurrence is not the start",
        {"recurrence": {"rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=4"}},
        "rrule",
    ),
    (
        "an RRULE that never occurs",
        {"recurrence": {"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}},
        "rrule",
    ),
    (
        "an RRULE with both COUNT and UNTIL",
        {"recurrence": {"rrule": "FREQ=DAILY;COUNT=3;UNTIL=20300610"}},
        "rrule",
    ),
    (
        "an RRULE running more than 5 years",
        {"recurrence": {"rrule": "FREQ=YEARLY;UNTIL=20400101"}},
        "rrule",
    ),
    (
        "an RRULE with UNTIL in words",
        {"recurrence": {"rrule": "FREQ=DAILY;UNTIL=tomorrow"}},
        "rrule",
    ),
    (
        "an RRULE with UNTIL in year 1",
        {"recurrence": {"rrule": "FREQ=DAILY;UNTIL=00010101T000000"}},
        "rrule",
    ),
    ("an RRULE with INTERVAL=0", {"recurrence": {"rrule": "FREQ=DAILY;INTERVAL=0"}}, "rrule"),
    ("an RRULE with a part twice", {"recurrence": {"rrule": "FREQ=DAILY;FREQ=WEEKLY"}}, "rrule"),
    ("an RRULE of two lines", {"recurrence": {"rrule": "FREQ=DAILY\nCOUNT=2"}}, "rrule"),
    ("an RRULE with a DTSTART", {"recurrence": {"rrule": "FREQ=DAILY;DTSTART=20300101"}}, "rrule"),
    ("a NUL byte in the RRULE", {"recurrence": {"rrule": f"FREQ=DAILY;COUNT=2{NUL}"}}, "rrule"),
    ("an RRULE of 600 characters", {"recurrence": {"rrule": "FREQ=DAILY;" + "x" * 600}}, "rrule"),
    ("an RRULE of 3 characters", {"recurrence": {"rrule": "FRE"}}, "rrule"),
    ("an RRULE as a number", {"recurrence": {"rrule": 7}}, "rrule"),
    (
        "cancelled occurrences as a string",
        {"recurrence": {**WEEKLY, "cancelled_occurrences": "2030-06-08"}},
        "body.recurrence.cancelled_occurrences",
    ),
    (
        "a cancelled occurrence in words",
        {"recurrence": {**WEEKLY, "cancelled_occurrences": ["next week"]}},
        "body.recurrence.cancelled_occurrences.0",
    ),
    (
        "a cancelled occurrence without a UTC offset",
        {"recurrence": {**WEEKLY, "cancelled_occurrences": ["2030-06-08T10:00:00"]}},
        "body.recurrence.cancelled_occurrences.0",
    ),
    (
        "a null cancelled occurrence",
        {"recurrence": {**WEEKLY, "cancelled_occurrences": [None]}},
        "body.recurrence.cancelled_occurrences.0",
    ),
    (
        "a cancelled occurrence as an object",
        {"recurrence": {**WEEKLY, "cancelled_occurrences": [{"at": START}]}},
        "body.recurrence.cancelled_occurrences.0",
    ),
    (
        "a cancelled occurrence in year 1",
        {"recurrence": {**WEEKLY, "cancelled_occurrences": ["0001-01-01T00:00:00+09:00"]}},
        "body.recurrence.cancelled_occurrences.0",
    ),
    (
        "1 001 cancelled occurrences",
        {"recurrence": {**WEEKLY, "cancelled_occurrences": [START] * 1001}},
        "body.recurrence.cancelled_occurrences",
    ),
]

EVENT_FIELD_CASES = (
    [
        Case(f"create_event refuses {what}", "POST", "/v1/events", 422, where, json=event_body(**f))
        for what, f, where in BAD_EVENT_FIELDS
    ]
    + [
        Case(
            f"update_event refuses {what}",
            "PATCH",
            "/v1/events/{event}",
            422,
            where,
            json=f,
            headers=CURRENT,
        )
        for what, f, where in BAD_EVENT_FIELDS
    ]
    + [
        Case(
            f"update_event refuses a null {name}",
            "PATCH",
            "/v1/events/{event}",
            422,
            "body",
            json={name: None},
            headers=CURRENT,
        )
        for name in ("title", "kind", "organizer_ids", "starts_at", "municipality_code", "status")
    ]
    + [
        Case(
            "create_event refuses a body without its required fields",
            "POST",
            "/v1/events",
            422,
            "body.title",
            json={},
        ),
        Case(
            "create_event without an API key is 401",
            "POST",
            "/v1/events",
            401,
            json=event_body(),
            auth=False,
        ),
        Case(
            "create_event with an unknown API key is 401",
            "POST",
            "/v1/events",
            401,
            json=event_body(),
            auth=False,
            headers={"Authorization": "Bearer nope"},
        ),
        Case(
            "update_event without an API key is 401",
            "PATCH",
            "/v1/events/{event}",
            401,
            json={"title": "乗っ取り"},
            auth=False,
            headers=CURRENT,
        ),
        Case(
            "delete_event without an API key is 401",
            "DELETE",
            "/v1/events/{event}",
            401,
            auth=False,
            headers=CURRENT,
        ),
        Case(
            "update_event refuses a start after the recurring series' first occurrence",
            "PATCH",
            "/v1/events/{series}",
            422,
            "rrule",
            json={"starts_at": "2030-06-02T10:00:00+09:00", "ends_at": "2030-06-02T12:00:00+09:00"},
            headers=ANY,
        ),
    ]
)


@pytest.mark.parametrize("case", EVENT_FIELD_CASES, ids=ids(EVENT_FIELD_CASES))
def test_an_invalid_event_field_is_refused_naming_the_field(api, world, case):
    run(api, world, case)


# -- opportunities -----------------------------------------------------------------------------

BAD_OPPORTUNITY_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("a title of the wrong type", {"title": ["a"]}, "body.title"),
    ("a 10 000-character title", {"title": LONG}, "body.title"),
    ("a NUL byte in the title", {"title": f"調理{NUL}"}, "body.title"),
    ("a 10 000-character description", {"description": LONG}, "body.description"),
    ("an unknown commitment", {"commitment": "weekly"}, "body.commitment"),
    ("an unknown status", {"status": "archived"}, "body.status"),
    ("minimum age 200", {"minimum_age": 200}, "body.minimum_age"),
    ("minimum age -1", {"minimum_age": -1}, "body.minimum_age"),
    ("minimum age as text", {"minimum_age": "adult"}, "body.minimum_age"),
    ("31 skills", {"skills_wanted": [f"技能{i}" for i in range(31)]}, "body.skills_wanted"),
    ("a skill of 51 characters", {"skills_wanted": ["x" * 51]}, "body.skills_wanted.0"),
    ("a NUL byte in a skill", {"skills_wanted": [f"調理{NUL}"]}, "body.skills_wanted.0"),
    ("skills as a string", {"skills_wanted": "調理"}, "body.skills_wanted"),
    ("an unknown activity field", {"fields": ["cooking"]}, "body.fields.0"),
    (
        "a municipality code in prefecture 48",
        {"municipality_code": PREFECTURE_48},
        "body.municipality_code",
    ),
    (
        "a municipality code with a wrong check digit",
        {"municipality_code": WRONG_CHECK_DIGIT_MUNICIPALITY},
        "body.municipality_code",
    ),
    ("a 10 000-character what to bring", {"what_to_bring": LONG}, "body.what_to_bring"),
    ("a NUL byte in what to bring", {"what_to_bring": f"エプロン{NUL}"}, "body.what_to_bring"),
    ("a period ending before it starts", {"ends_at": "2029-01-01T00:00:00+09:00"}, "body"),
    ("a start without a UTC offset", {"starts_at": "2030-01-01T00:00:00"}, "body.starts_at"),
    ("a start in year 1", {"starts_at": "0001-01-01T00:00:00+09:00"}, "body.starts_at"),
    ("an event id that is not an id", {"event_id": "x"}, "body.event_id"),
    ("an unknown event", {"event_id": MISSING_ID}, "body.event_id"),
    ("a deleted event", {"event_id": "{gone_event}"}, "body.event_id"),
    ("an unknown field", {"colour": "red"}, "body.colour"),
    ("a read-only organization_name", {"organization_name": "乗っ取り"}, "body.organization_name"),
    ("a read-only version", {"version": 7}, "body.version"),
]
OPPORTUNITY_FIELD_CASES = (
    [
        Case(
            f"create_opportunity refuses {what}",
            "POST",
            "/v1/opportunities",
            422,
            where,
            json=opportunity_body(**f),
        )
        for what, f, where in BAD_OPPORTUNITY_FIELDS
    ]
    + [
        Case(
            f"update_opportunity refuses {what}",
            "PATCH",
            "/v1/opportunities/{opp}",
            422,
            where,
            json=f,
            headers=CURRENT,
        )
        for what, f, where in BAD_OPPORTUNITY_FIELDS
    ]
    + [
        Case(
            f"create_opportunity refuses {what}",
            "POST",
            "/v1/opportunities",
            422,
            "body.organization_id",
            json=opportunity_body(organization_id=owner),
        )
        for what, owner in [
            ("an organisation unknown to the registry", MISSING_ID),
            ("an organisation deleted from the registry", "{gone_org}"),
            ("an organisation id that is not an id", "not-an-id"),
            ("an organisation id with a NUL byte", MISSING_ID + NUL),
            ("a null organisation", None),
        ]
    ]
    + [
        Case(
            "update_opportunity refuses moving it to another organisation",
            "PATCH",
            "/v1/opportunities/{opp}",
            422,
            "body.organization_id",
            json={"organization_id": "{other_org}"},
            headers=CURRENT,
        ),
        Case(
            "update_opportunity refuses a period that leaves its shifts outside",
            "PATCH",
            "/v1/opportunities/{opp}",
            422,
            "body.starts_at",
            json={"ends_at": "2030-03-01T00:00:00+09:00"},
            headers=CURRENT,
        ),
        Case(
            "update_opportunity refuses a null title",
            "PATCH",
            "/v1/opportunities/{opp}",
            422,
            "body",
            json={"title": None},
            headers=CURRENT,
        ),
        Case(
            "create_opportunity without an API key is 401",
            "POST",
            "/v1/opportunities",
            401,
            json=opportunity_body(),
            auth=False,
        ),
        Case(
            "create_opportunity refuses a body without its required fields",
            "POST",
            "/v1/opportunities",
            422,
            "body.title",
            json={},
        ),
    ]
)


@pytest.mark.parametrize("case", OPPORTUNITY_FIELD_CASES, ids=ids(OPPORTUNITY_FIELD_CASES))
def test_an_invalid_opportunity_field_is_refused_naming_the_field(api, world, case):
    run(api, world, case)


# -- shifts ----------------------------------------------------------------------------------

# Refused by create (on ``opp``) and update (of ``open_shift``, which has the same times).
BAD_SHIFT_FIELDS: list[tuple[str, dict[str, Any], int, str]] = [
    ("a start without a UTC offset", {"starts_at": "2030-06-02T09:00:00"}, 422, "body.starts_at"),
    ("a start in words", {"starts_at": "early"}, 422, "body.starts_at"),
    ("a start in year 1", {"starts_at": "0001-01-01T00:00:00+09:00"}, 422, "body.starts_at"),
    ("an end before the start", {"ends_at": "2030-06-02T08:00:00+09:00"}, 422, "body"),
    ("a shift longer than 24 hours", {"ends_at": "2030-06-03T10:00:00+09:00"}, 422, "body"),
    (
        "a sign-up deadline after the start",
        {"signup_deadline": "2030-06-02T10:00:00+09:00"},
        422,
        "body",
    ),
    ("capacity 0", {"capacity": 0}, 422, "body.capacity"),
    ("capacity -1", {"capacity": -1}, 422, "body.capacity"),
    ("capacity 10**30", {"capacity": 10**30}, 422, "body.capacity"),
    ("capacity as text", {"capacity": "two"}, 422, "body.capacity"),
    ("a capacity with a fraction", {"capacity": 1.5}, 422, "body.capacity"),
    ("a 10 000-character note", {"note": LONG}, 422, "body.note"),
    ("a NUL byte in the note", {"note": f"集合{NUL}"}, 422, "body.note"),
    ("an unknown field", {"colour": "red"}, 422, "body.colour"),
    ("a read-only confirmed_count", {"confirmed_count": 0}, 422, "body.confirmed_count"),
    (
        "a shift after its opportunity's period",
        {"starts_at": "2031-01-05T09:00:00+09:00", "ends_at": "2031-01-05T12:00:00+09:00"},
        422,
        "body.starts_at",
    ),
    (
        "a shift before its opportunity's period",
        {"starts_at": "2029-12-31T20:00:00+09:00", "ends_at": "2029-12-31T23:00:00+09:00"},
        422,
        "body.starts_at",
    ),
    (
        "a shift running past the end of its opportunity's period",
        {"starts_at": "2030-12-31T22:00:00+09:00", "ends_at": "2031-01-01T02:00:00+09:00"},
        422,
        "body.starts_at",
    ),
]
SHIFT_FIELD_CASES = (
    [
        Case(
            f"create_shift refuses {what}",
            "POST",
            "/v1/opportunities/{opp}/shifts",
            status,
            where,
            json=shift_body(**f),
        )
        for what, f, status, where in BAD_SHIFT_FIELDS
    ]
    + [
        Case(
            f"update_shift refuses {what}",
            "PATCH",
            "/v1/shifts/{open_shift}",
            status,
            where,
            json=f,
            headers=CURRENT,
        )
        for what, f, status, where in BAD_SHIFT_FIELDS
    ]
    + [
        Case(
            "create_shift refuses a body without its required fields",
            "POST",
            "/v1/opportunities/{opp}/shifts",
            422,
            "body.starts_at",
            json={},
        ),
        Case(
            "create_shift without an API key is 401",
            "POST",
            "/v1/opportunities/{opp}/shifts",
            401,
            json=shift_body(),
            auth=False,
        ),
        Case(
            "update_shift refuses a null capacity",
            "PATCH",
            "/v1/shifts/{open_shift}",
            422,
            "body",
            json={"capacity": None},
            headers=CURRENT,
        ),
        Case(
            "update_shift refuses lowering the capacity below the confirmed count (409)",
            "PATCH",
            "/v1/shifts/{shift}",
            409,
            json={"capacity": 1},
            headers=ANY,
        ),
        Case(
            "update_shift without an API key is 401",
            "PATCH",
            "/v1/shifts/{open_shift}",
            401,
            json={"capacity": 1},
            headers=CURRENT,
            auth=False,
        ),
    ]
)


@pytest.mark.parametrize("case", SHIFT_FIELD_CASES, ids=ids(SHIFT_FIELD_CASES))
def test_an_invalid_shift_is_refused_naming_the_field(api, world, case):
    run(api, world, case)


# -- sign-ups --------------------------------------------------------------------------------

BAD_SIGNUP_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("a body without an email", {"email": None}, "body.email"),
    ("an email without @", {"email": "not-an-email"}, "body.email"),
    ("an email with a space", {"email": "hanako @example.jp"}, "body.email"),
    ("an email with a NUL byte", {"email": f"sato{NUL}@example.jp"}, "body.email"),
    ("an email with an escape sequence", {"email": "sato\x1b[31m@example.jp"}, "body.email"),
    ("a 10 000-character email", {"email": LONG + "@example.jp"}, "body.email"),
    ("an email as a number", {"email": 42}, "body.email"),
    ("a blank name", {"name": " "}, "body.name"),
    ("a 10 000-character name", {"name": LONG}, "body.name"),
    ("a NUL byte in the name", {"name": f"佐藤{NUL}"}, "body.name"),
    ("a kanji reading", {"name_kana": "佐藤"}, "body.name_kana"),
    ("a phone of letters", {"phone": "call-me"}, "body.phone"),
    ("an unknown field", {"age": 40}, "body.age"),
    ("a read-only status", {"status": "confirmed"}, "body.status"),
    ("a chosen manage token", {"manage_token": "mine"}, "body.manage_token"),
]
SIGNUP_CASES = (
    [
        Case(
            f"sign_up refuses {what}",
            "POST",
            "/v1/shifts/{open_shift}/signups",
            422,
            where,
            json={k: v for k, v in signup_body(**f).items() if v is not None},
        )
        for what, f, where in BAD_SIGNUP_FIELDS
    ]
    + [
        Case(f"sign_up {what}", "POST", f"/v1/shifts/{{{shift}}}/signups", status, json=body)
        for what, shift, status, body in [
            ("a second time by the same person is 409", "shift", 409, signup_body(email=EMAIL)),
            (
                "a second time with the email in other case and spacing is 409",
                "shift",
                409,
                signup_body(email="  HANAKO@Example.JP "),
            ),
            (
                "a second time while waitlisted is 409",
                "shift",
                409,
                signup_body(email="jiro@example.jp"),
            ),
            ("after the shift has started is 409", "past_shift", 409, signup_body()),
            ("after the sign-up deadline is 409", "deadline_shift", 409, signup_body()),
            ("for a closed opportunity is 409", "closed_shift", 409, signup_body()),
            ("for a deleted shift is 410", "gone_shift", 410, signup_body()),
            ("for an unknown shift is 404", "missing", 404, signup_body()),
        ]
    ]
    + [
        Case(
            "sign_up without an API key is 401",
            "POST",
            "/v1/shifts/{open_shift}/signups",
            401,
            json=signup_body(),
            auth=False,
        ),
    ]
)


@pytest.mark.parametrize("case", SIGNUP_CASES, ids=ids(SIGNUP_CASES))
def test_a_bad_or_conflicting_sign_up_is_refused(api, world, case):
    response = run(api, world, case)
    if response.status_code == 409:
        assert response.json()["type"] in {
            "urn:kyodo:problem:already-signed-up",
            "urn:kyodo:problem:registration-closed",
        }


# Reading, cancelling and recording attendance: only the organiser (an API key) or the
# person (their X-Signup-Token) may; anyone else learns nothing and changes nothing.
PERSONAL = ["GET /v1/signups/{id}", "POST /v1/signups/{id}/cancel"]
BAD_CREDENTIALS: list[tuple[str, dict[str, Any], int, str | None]] = [
    ("without a key or a token is 403", {}, 403, None),
    ("with a wrong token is 403", {"X-Signup-Token": "guess"}, 403, None),
    ("with another sign-up's token is 403", {"X-Signup-Token": "{token_signup2}"}, 403, None),
    ("with an empty token is 403", {"X-Signup-Token": ""}, 403, None),
    ("with a token of 101 characters is 422", {"X-Signup-Token": "t" * 101}, 422, "header"),
    ("with an unknown API key is 401", {"Authorization": "Bearer nope"}, 401, None),
    ("with a Basic authorization is 401", {"Authorization": "Basic eDp5"}, 401, None),
]
CREDENTIAL_CASES = [
    Case(
        f"{op.split()[0]} {op.split()[1].replace('{id}', 'signup')} {what}",
        op.split()[0],
        op.split()[1].replace("{id}", "{signup}"),
        status,
        where,
        headers=headers,
        auth=False,
    )
    for op in PERSONAL
    for what, headers, status, where in BAD_CREDENTIALS
] + [
    Case(
        f"GET shift sign-ups {what}",
        "GET",
        "/v1/shifts/{shift}/signups",
        401,
        headers=headers,
        auth=False,
    )
    for what, headers in [
        ("without a key is 401", {}),
        ("with the person's token instead of a key is 401", {"X-Signup-Token": "{token_signup}"}),
        ("with an unknown key is 401", {"Authorization": "Bearer nope"}),
    ]
]


@pytest.mark.parametrize("case", CREDENTIAL_CASES, ids=ids(CREDENTIAL_CASES))
def test_a_sign_up_is_private_to_its_organiser_and_its_person(api, world, case):
    headers = {k: world.fill(v) if isinstance(v, str) else v for k, v in case.headers.items()}
    tokens = {f"token_{name}": token for name, token in world.tokens.items()}
    headers = {k: v.format(**tokens) if "{token_" in v else v for k, v in headers.items()}
    response = run(api, world, dataclasses.replace(case, headers=headers))
    for personal in (EMAIL, "佐藤", "サトウ", "090-1234-5678"):
        assert personal not in response.text, "a refusal leaked personal data"


ATTENDANCE = "/v1/signups/{past_signup}/attendance"
ATTENDANCE_CASES = [
    Case(f"record_attendance refuses {what}", "POST", ATTENDANCE, 422, where, json=body)
    for what, body, where in [
        ("25 hours", {"attended": True, "hours": 25}, "body.hours"),
        ("0.3 hours (not a multiple of 0.25)", {"attended": True, "hours": 0.3}, "body.hours"),
        ("negative hours", {"attended": True, "hours": -1}, "body.hours"),
        ("hours of 10**30", {"attended": True, "hours": 10**30}, "body.hours"),
        ("hours as text", {"attended": True, "hours": "three"}, "body.hours"),
        ("NaN hours", {"attended": True, "hours": float("nan")}, "body.hours"),
        ("infinite hours", {"attended": True, "hours": float("inf")}, "body.hours"),
        ("hours for someone who did not attend", {"attended": False, "hours": 2}, "body"),
        ("more hours than the shift lasted", {"attended": True, "hours": 4}, "body.hours"),
        ("a body without attended", {"hours": 2}, "body.attended"),
        ("attended as text", {"attended": "maybe"}, "body.attended"),
        ("an unknown field", {"attended": True, "rating": 5}, "body.rating"),
    ]
] + [
    Case(
        f"record_attendance {what}",
        "POST",
        f"/v1/signups/{{{signup}}}/attendance",
        status,
        json={"attended": True, "hours": 2},
        headers=headers,
        auth=auth,
    )
    for what, signup, status, headers, auth in [
        ("before the shift starts is 409", "signup", 409, {}, True),
        ("for a waitlisted sign-up is 409", "waitlisted", 409, {}, True),
        ("for a cancelled sign-up is 409", "cancelled", 409, {}, True),
        ("for an unknown sign-up is 404", "missing", 404, {}, True),
        ("without an API key is 401", "past_signup", 401, {}, False),
    ]
]


@pytest.mark.parametrize("case", ATTENDANCE_CASES, ids=ids(ATTENDANCE_CASES))
def test_bad_attendance_is_refused(api, world, case):
    run(api, world, case)


def test_the_person_with_their_token_cannot_record_their_own_attendance(api, world):
    headers = {"X-Signup-Token": world.tokens["past_signup"]}
    case = Case(
        "self-reported hours",
        "POST",
        ATTENDANCE,
        401,
        json={"attended": True, "hours": 2},
        headers=headers,
        auth=False,
    )
    run(api, world, case)


def test_cancelling_a_cancelled_sign_up_again_changes_nothing(api, world):
    before = snapshot(api)
    response = api.post(f"/v1/signups/{world.cancelled}/cancel", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert snapshot(api) == before


def test_no_personal_data_travels_in_the_outbox_or_public_reads(api, world):
    """Sign-up events go to other services and webhooks; shifts and totals are public."""
    with api.engine.connect() as connection:
        payloads = [
            str(row[0])
            for row in connection.execute(
                sa.text("SELECT payload FROM outbox WHERE entity = 'signup'")
            )
        ]
    assert payloads
    public = [
        api.get(f"/v1/shifts/{world.shift}").text,
        api.get(f"/v1/opportunities/{world.opp}/shifts").text,
        api.get(f"/v1/volunteer-hours/organizations/{world.org}").text,
    ]
    for text in payloads + public:
        for personal in (EMAIL, "佐藤", "サトウ", "090-1234-5678", "taro@example.jp"):
            assert personal not in text, text


# -- hours and points rules ----------------------------------------------------------------

HOURS_CASES = [
    Case(f"person_hours {what}", "GET", "/v1/volunteer-hours/people", status, where, params=params)
    for what, params, status, where in [
        ("without an email is 422", {}, 422, "query.email"),
        ("with a bad email is 422", {"email": "not-an-email"}, 422, "query.email"),
        ("with a NUL byte in the email is 422", {"email": f"a{NUL}@b.jp"}, 422, "query.email"),
        ("with a 10 000-character email is 422", {"email": LONG + "@b.jp"}, 422, "query.email"),
        ("with an unknown parameter is 422", {"email": EMAIL, "colour": "red"}, 422, "colour"),
        ("with limit 0 is 422", {"email": EMAIL, "limit": 0}, 422, "query.limit"),
    ]
] + [
    Case(
        "person_hours without an API key is 401",
        "GET",
        "/v1/volunteer-hours/people",
        401,
        params={"email": EMAIL},
        auth=False,
    ),
]


@pytest.mark.parametrize("case", HOURS_CASES, ids=ids(HOURS_CASES))
def test_bad_hours_queries_are_refused(api, world, case):
    run(api, world, case)


RULE = f"/v1/points-rules/{MUNICIPALITY}"
BAD_CODES = [
    ("a municipality code with a wrong check digit", WRONG_CHECK_DIGIT_MUNICIPALITY),
    ("a municipality code in prefecture 48", PREFECTURE_48),
    ("a 5-digit municipality code", "10299"),
    ("a municipality code with a NUL byte", "10299%007"),
    ("a 10 000-character municipality code", LONG),
]
POINTS_CASES = (
    [
        Case(f"put_points_rule refuses {what}", "PUT", RULE, 422, where, json=body)
        for what, body, where in [
            ("0 points per hour", {"points_per_hour": 0}, "body.points_per_hour"),
            ("negative points per hour", {"points_per_hour": -1}, "body.points_per_hour"),
            ("10**30 points per hour", {"points_per_hour": 10**30}, "body.points_per_hour"),
            ("NaN points per hour", {"points_per_hour": float("nan")}, "body.points_per_hour"),
            ("points per hour as text", {"points_per_hour": "one"}, "body.points_per_hour"),
            ("a body without points per hour", {"minimum_hours": 1}, "body.points_per_hour"),
            (
                "a minimum of 25 hours",
                {"points_per_hour": 1, "minimum_hours": 25},
                "body.minimum_hours",
            ),
            (
                "a maximum of 0 points",
                {"points_per_hour": 1, "max_points_per_signup": 0},
                "body.max_points_per_signup",
            ),
            ("an unknown field", {"points_per_hour": 1, "bonus": 2}, "body.bonus"),
        ]
    ]
    + [
        Case(
            "put_points_rule without an API key is 401",
            "PUT",
            RULE,
            401,
            json={"points_per_hour": 5},
            auth=False,
        ),
        Case(
            "get_points_rule of a municipality without a rule is 404",
            "GET",
            f"/v1/points-rules/{NO_RULE_MUNICIPALITY}",
            404,
        ),
    ]
    + [
        Case(
            f"{name} refuses {what}",
            method,
            f"/v1/points-rules/{code}",
            422,
            "path.municipality_code",
            json={"points_per_hour": 5} if method == "PUT" else NO_BODY,
        )
        for name, method in [("get_points_rule", "GET"), ("put_points_rule", "PUT")]
        for what, code in BAD_CODES
    ]
)


@pytest.mark.parametrize("case", POINTS_CASES, ids=ids(POINTS_CASES))
def test_a_bad_points_rule_is_refused(api, world, case):
    run(api, world, case)


# -- query parameters ------------------------------------------------------------------------

LISTINGS = {
    "list_events": "/v1/events",
    "list_occurrences": "/v1/events/occurrences",
    "events_calendar": "/v1/events.ics",
    "events_csv": "/v1/events.csv",
    "list_opportunities": "/v1/opportunities",
    "list_shifts": "/v1/opportunities/{opp}/shifts",
    "list_signups": "/v1/shifts/{shift}/signups",
}
EVENT_LISTINGS = ["list_events", "list_occurrences", "events_calendar", "events_csv"]
BAD_PAGING: list[tuple[str, dict[str, Any], str]] = [
    ("limit 0", {"limit": 0}, "query.limit"),
    ("limit -1", {"limit": -1}, "query.limit"),
    ("limit 201", {"limit": 201}, "query.limit"),
    ("limit 10**30", {"limit": 10**30}, "query.limit"),
    ("limit as text", {"limit": "ten"}, "query.limit"),
    ("a NUL byte as limit", {"limit": NUL}, "query.limit"),
    ("a cursor of 513 characters", {"cursor": "c" * 513}, "query.cursor"),
    ("an unknown parameter", {"colour": "red"}, "colour"),
    ("a misspelt filter", {"kinds": "seminar"}, "kinds"),
]
BAD_EVENT_FILTERS: list[tuple[str, dict[str, Any], str]] = [
    ("an unknown kind", {"kind": "party"}, "query.kind"),
    ("an unknown status", {"status": "archived"}, "query.status"),
    ("an unknown activity field", {"field": "cooking"}, "query.field"),
    ("an organiser that is not an id", {"organizer_id": "x"}, "query.organizer_id"),
    ("a municipality in prefecture 48", {"municipality_code": PREFECTURE_48}, "query.municipality"),
    ("a NUL byte in q", {"q": f"こども{NUL}"}, "query.q"),
    ("an escape sequence in q", {"q": "\x1b[2J"}, "query.q"),
    ("a 10 000-character q", {"q": LONG}, "query.q"),
    ("online as text", {"online": "maybe"}, "query.online"),
    ("has_places as text", {"has_places": "lots"}, "query.has_places"),
    ("a date in words", {"date_from": "tomorrow"}, "query.date_from"),
    ("a date without a UTC offset", {"date_from": "2030-05-01T00:00:00"}, "query.date_from"),
    ("a NUL byte in a date", {"date_from": f"2030-05-01{NUL}"}, "query.date_from"),
    (
        "a reversed window",
        {"date_from": WINDOW["date_to"], "date_to": WINDOW["date_from"]},
        "query",
    ),
    (
        "an empty window",
        {"date_from": WINDOW["date_from"], "date_to": WINDOW["date_from"]},
        "query",
    ),
    (
        "a window wider than 400 days",
        {"date_from": "2030-01-01T00:00:00+09:00", "date_to": "2031-03-01T00:00:00+09:00"},
        "query",
    ),
    (
        "a window starting in year 1",
        {"date_from": "0001-01-01T00:00:00+09:00", "date_to": "0001-02-01T00:00:00+09:00"},
        "query.date_from",
    ),
    ("a date_from at the end of time", {"date_from": "9999-12-31T00:00:00+00:00"}, "query"),
    ("a date_to at the start of time", {"date_to": "0001-01-02T00:00:00+00:00"}, "query"),
]
BAD_OPPORTUNITY_FILTERS: list[tuple[str, dict[str, Any], str]] = [
    ("an unknown commitment", {"commitment": "weekly"}, "query.commitment"),
    ("an unknown status", {"status": "archived"}, "query.status"),
    ("an unknown activity field", {"field": "cooking"}, "query.field"),
    ("an organisation that is not an id", {"organization_id": "x"}, "query.organization_id"),
    ("an event that is not an id", {"event_id": "x"}, "query.event_id"),
    ("has_open_shifts as text", {"has_open_shifts": "maybe"}, "query.has_open_shifts"),
    ("a NUL byte in q", {"q": NUL}, "query.q"),
    ("a municipality with a wrong check digit", {"municipality_code": "102998"}, "query"),
]


def _with_window(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Occurrences need a window: give the default one unless the case is about it."""
    if name != "list_occurrences" or "date_from" in params or "date_to" in params:
        return params
    return {**WINDOW, **params}


QUERY_CASES = [
    Case(
        f"{name} refuses {what}",
        "GET",
        path,
        422,
        where,
        params=_with_window(name, params),
    )
    for name, path in LISTINGS.items()
    for what, params, where in [
        *BAD_PAGING,
        *(BAD_EVENT_FILTERS if name in EVENT_LISTINGS else []),
        *(BAD_OPPORTUNITY_FILTERS if name == "list_opportunities" else []),
    ]
] + [
    Case(
        f"list_occurrences refuses {what}",
        "GET",
        "/v1/events/occurrences",
        422,
        where,
        params=params,
    )
    for what, params, where in [
        ("no window at all", {}, "query.date_from"),
        ("a window without its end", {"date_from": WINDOW["date_from"]}, "query.date_to"),
        ("a window without its start", {"date_to": WINDOW["date_to"]}, "query.date_from"),
    ]
]


@pytest.mark.parametrize("case", QUERY_CASES, ids=ids(QUERY_CASES))
def test_an_invalid_or_unknown_query_parameter_is_refused_naming_it(api, world, case):
    run(api, world, case)


REPEATED_FILTERS = [
    ("list_events", "/v1/events", "field", "health_welfare"),
    ("list_events", "/v1/events", "organizer_id", "{org}"),
    ("list_occurrences", "/v1/events/occurrences", "field", "health_welfare"),
    ("events_calendar", "/v1/events.ics", "organizer_id", "{org}"),
    ("events_csv", "/v1/events.csv", "field", "health_welfare"),
    ("list_opportunities", "/v1/opportunities", "field", "health_welfare"),
]


@pytest.mark.parametrize(
    ("listing", "path", "name", "value"),
    REPEATED_FILTERS,
    ids=[f"{listing} with {name} repeated 1 100 times" for listing, _, name, _ in REPEATED_FILTERS],
)
def test_a_filter_repeated_1100_times_is_answered_or_refused_never_a_server_error(
    api, world, listing, path, name, value
):
    params = [(name, world.fill(value))] * 1100
    if listing == "list_occurrences":
        params += list(WINDOW.items())
    before = snapshot(api)
    response = api.get(path, params=params)
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert_problem(response, (400, 422))
    assert snapshot(api) == before


# -- cursors -------------------------------------------------------------------------------

ID_LISTINGS = ["list_events", "list_opportunities", "list_shifts", "list_signups"]
CURSOR_CASES = [
    Case(
        f"{name} refuses a cursor of {what}",
        "GET",
        LISTINGS[name],
        400,
        params=_with_window(name, {"cursor": cursor}),
    )
    for name in [*ID_LISTINGS, "list_occurrences"]
    for what, cursor in {
        **GARBAGE_CURSORS,
        "base64 of an id position without its listing": b64({"v": 1, "id": MISSING_ID}),
        "base64 of an occurrence position without its time": b64({"v": 1, "id": MISSING_ID}),
    }.items()
] + [
    # The feeds are not paged: a cursor (or a limit) is an unknown parameter there.
    Case(
        f"{name} refuses a cursor of {what}",
        "GET",
        LISTINGS[name],
        422,
        params={"cursor": cursor},
    )
    for name in ["events_calendar", "events_csv"]
    for what, cursor in [("garbage", "!!!not-a-cursor!!!"), ("a NUL byte", NUL)]
]


@pytest.mark.parametrize("case", CURSOR_CASES, ids=ids(CURSOR_CASES))
def test_a_cursor_the_api_did_not_issue_is_400(api, world, case):
    response = run(api, world, case)
    expected = "invalid-cursor" if case.status == 400 else "validation-error"
    assert response.json()["type"] == f"urn:kyodo:problem:{expected}"


CROSS_CURSORS = [
    ("list_events", "list_opportunities"),
    ("list_events", "list_occurrences"),
    ("list_occurrences", "list_events"),
    ("list_occurrences", "list_opportunities"),
    ("list_opportunities", "list_events"),
    ("list_shifts", "list_signups"),
    ("list_signups", "list_shifts"),
    ("list_shifts", "list_opportunities"),
]


@pytest.mark.parametrize(
    ("listing", "cursor_of"),
    CROSS_CURSORS,
    ids=[f"{listing} refuses a cursor of {of}" for listing, of in CROSS_CURSORS],
)
def test_a_cursor_from_another_listing_is_400(api, world, listing, cursor_of):
    params = _with_window(listing, {"cursor": world.cursors[cursor_of]})
    run(api, world, Case(listing, "GET", LISTINGS[listing], 400, params=params))


# Well-formed cursors carrying hostile positions: the API may page from them or refuse
# them, but must never fail.
HOSTILE_ID_POSITIONS = {
    "an id with a NUL byte": NUL,
    "an id of 300 characters": "f" * 300,
    "an id with a lone surrogate": "\ud800",
    "an id with SQL": "' OR '1'='1",
}
HOSTILE_OCCURRENCE_POSITIONS = {
    "a time without a UTC offset": {"t": "2030-06-08T10:00:00", "id": MISSING_ID},
    "a date without a time": {"t": "2030-06-08", "id": MISSING_ID},
    "a time in year 1": {"t": "0001-01-01T00:00:00+09:00", "id": MISSING_ID},
    "a time at the end of time": {"t": "9999-12-31T23:59:59-23:59", "id": MISSING_ID},
    "a time in words": {"t": "next saturday", "id": MISSING_ID},
    "a time with a NUL byte": {"t": f"2030-06-08{NUL}", "id": MISSING_ID},
    "a time of 300 characters": {"t": "2" * 300, "id": MISSING_ID},
    "an id with a NUL byte": {"t": "2030-06-08T10:00:00+09:00", "id": NUL},
    "an id with a lone surrogate": {"t": "2030-06-08T10:00:00+09:00", "id": "\ud800"},
    "a time as a number": {"t": 1_900_000_000, "id": MISSING_ID},
}
HOSTILE_CURSOR_CASES = [
    (listing, what, b64({"v": 1, "id": position, "of": listing.removeprefix("list_")}))
    for listing in ID_LISTINGS
    for what, position in HOSTILE_ID_POSITIONS.items()
] + [
    ("list_occurrences", what, b64({"v": 1, **position}))
    for what, position in HOSTILE_OCCURRENCE_POSITIONS.items()
]


@pytest.mark.parametrize(
    ("listing", "what", "cursor"),
    HOSTILE_CURSOR_CASES,
    ids=[f"{listing} with {what}" for listing, what, _ in HOSTILE_CURSOR_CASES],
)
def test_a_well_formed_cursor_with_a_hostile_position_is_never_a_server_error(
    api, world, listing, what, cursor
):
    before = snapshot(api)
    params = _with_window(listing, {"cursor": cursor})
    response = api.get(world.fill(LISTINGS[listing]), params=params, headers=AUTH)
    assert response.status_code in (200, 400), response.text[:1000]
    if response.status_code == 400:
        assert_problem(response, 400)
    assert snapshot(api) == before


# -- path ids ------------------------------------------------------------------------------

BY_ID: list[tuple[str, str, str, Any, str]] = [
    ("get_event", "GET", "/v1/events/{id}", None, "event_id"),
    ("get_event_jsonld", "GET", "/v1/events/{id}/jsonld", None, "event_id"),
    ("get_event_calendar", "GET", "/v1/events/{id}/calendar.ics", None, "event_id"),
    ("update_event", "PATCH", "/v1/events/{id}", {"title": "新"}, "event_id"),
    ("delete_event", "DELETE", "/v1/events/{id}", None, "event_id"),
    ("get_opportunity", "GET", "/v1/opportunities/{id}", None, "opportunity_id"),
    ("update_opportunity", "PATCH", "/v1/opportunities/{id}", {"title": "新"}, "opportunity_id"),
    ("delete_opportunity", "DELETE", "/v1/opportunities/{id}", None, "opportunity_id"),
    ("list_shifts", "GET", "/v1/opportunities/{id}/shifts", None, "opportunity_id"),
    ("create_shift", "POST", "/v1/opportunities/{id}/shifts", shift_body(), "opportunity_id"),
    ("get_shift", "GET", "/v1/shifts/{id}", None, "shift_id"),
    ("update_shift", "PATCH", "/v1/shifts/{id}", {"capacity": 9}, "shift_id"),
    ("delete_shift", "DELETE", "/v1/shifts/{id}", None, "shift_id"),
    ("sign_up", "POST", "/v1/shifts/{id}/signups", signup_body(), "shift_id"),
    ("list_signups", "GET", "/v1/shifts/{id}/signups", None, "shift_id"),
    ("get_signup", "GET", "/v1/signups/{id}", None, "signup_id"),
    ("cancel_signup", "POST", "/v1/signups/{id}/cancel", None, "signup_id"),
    (
        "record_attendance",
        "POST",
        "/v1/signups/{id}/attendance",
        {"attended": True, "hours": 1},
        "signup_id",
    ),
    (
        "organization_hours",
        "GET",
        "/v1/volunteer-hours/organizations/{id}",
        None,
        "organization_id",
    ),
]
BAD_IDS: list[tuple[str, str, int, bool]] = [
    # (what, raw path segment, status, names the path parameter)
    ("an id that is not a UUID", "not-a-uuid", 422, True),
    ("an upper-case UUID", MISSING_ID.upper(), 422, True),
    ("a NUL byte", "%00", 422, True),
    ("a UUID followed by a NUL byte", MISSING_ID + "%00", 422, True),
    ("an escape sequence", "%1B%5B2J", 422, True),
    ("a 10 000-character id", LONG, 422, True),
    ("non-ASCII text", "%E3%82%A2", 422, True),
    ("a SQL fragment", "1'%20OR%20'1'='1", 422, True),
]
GONE = {"event_id": "{gone_event}", "opportunity_id": "{gone_opp}", "shift_id": "{gone_shift}"}
PATH_CASES = (
    [
        Case(
            f"{name} refuses {what}",
            method,
            path.replace("{id}", raw),
            status,
            f"path.{param}" if named else None,
            json=body if body is not None else NO_BODY,
            headers=ANY,
        )
        for name, method, path, body, param in BY_ID
        for what, raw, status, named in BAD_IDS
    ]
    + [
        Case(
            f"{name} of an unknown id is 404",
            method,
            path.replace("{id}", MISSING_ID),
            404,
            json=body if body is not None else NO_BODY,
            headers=ANY,
        )
        for name, method, path, body, param in BY_ID
        if param != "organization_id"
    ]
    + [
        Case(
            f"{name} of a deleted record is 410",
            method,
            path.replace("{id}", GONE[param]),
            410,
            json=body if body is not None else NO_BODY,
            headers=ANY,
        )
        for name, method, path, body, param in BY_ID
        if param in GONE
    ]
    + [
        Case("a path with an extra segment is 404", "GET", "/v1/events/{event}/jsonld/x", 404),
        Case("an unsupported method is 405", "PUT", "/v1/events/{event}", 405, json=event_body()),
        Case("DELETE on the collection is 405", "DELETE", "/v1/events", 405),
        Case("PATCH on a sign-up is 405", "PATCH", "/v1/signups/{signup}", 405, json={}),
    ]
)


@pytest.mark.parametrize("case", PATH_CASES, ids=ids(PATH_CASES))
def test_a_bad_or_unknown_path_id_is_refused(api, world, case):
    run(api, world, case)


# -- If-Match ------------------------------------------------------------------------------

CONDITIONAL_WRITES = [
    ("update_event", "PATCH", "/v1/events/{event}", {"title": "新しい題"}),
    ("delete_event", "DELETE", "/v1/events/{event}", None),
    ("update_opportunity", "PATCH", "/v1/opportunities/{opp}", {"title": "新しい題"}),
    ("delete_opportunity", "DELETE", "/v1/opportunities/{opp}", None),
    ("update_shift", "PATCH", "/v1/shifts/{open_shift}", {"capacity": 9}),
    ("delete_shift", "DELETE", "/v1/shifts/{open_shift}", None),
]
IF_MATCH_CASES = [
    Case(
        f"{name} {what}",
        method,
        path,
        status,
        where,
        json=body if body is not None else NO_BODY,
        headers=headers,
    )
    for name, method, path, body in CONDITIONAL_WRITES
    for what, headers, status, where in BAD_IF_MATCH
]


@pytest.mark.parametrize("case", IF_MATCH_CASES, ids=ids(IF_MATCH_CASES))
def test_a_write_without_the_current_etag_is_refused(api, world, case):
    response = run(api, world, case)
    if response.status_code == 412:
        assert response.headers["etag"] == '"1"'


# -- Idempotency-Key -----------------------------------------------------------------------

CREATES = [
    ("create_event", "/v1/events", event_body()),
    ("create_opportunity", "/v1/opportunities", opportunity_body()),
    ("create_shift", "/v1/opportunities/{opp}/shifts", shift_body()),
    ("sign_up", "/v1/shifts/{open_shift}/signups", signup_body()),
    ("cancel_signup", "/v1/signups/{signup}/cancel", None),
    ("record_attendance", ATTENDANCE, {"attended": True, "hours": 2}),
]
BAD_KEYS: dict[str, bytes] = {
    "a key of 256 characters": b"k" * 256,
    "a non-ASCII key": "冪等キー".encode(),
    "an empty key": b"",
    "a key with a space": b"my key",
    "a key with DEL": b"key\x7f",
}
IDEMPOTENCY_CASES = [
    Case(
        f"{name} refuses {what}",
        "POST",
        path,
        400,
        json=body if body is not None else NO_BODY,
        headers={"Idempotency-Key": key},
    )
    for name, path, body in CREATES
    for what, key in BAD_KEYS.items()
]


@pytest.mark.parametrize("case", IDEMPOTENCY_CASES, ids=ids(IDEMPOTENCY_CASES))
def test_a_bad_idempotency_key_is_400(api, world, case):
    response = run(api, world, case)
    assert response.json()["type"] == "urn:kyodo:problem:invalid-idempotency-key"


@pytest.mark.parametrize(
    ("endpoint", "path", "body", "where"),
    [
        ("create_event", "/v1/events", event_body(capacity=0), "body.capacity"),
        ("create_opportunity", "/v1/opportunities", opportunity_body(minimum_age=200), "age"),
        ("sign_up", "/v1/shifts/{shift}/signups", signup_body(email=EMAIL), None),
    ],
)
def test_a_refused_create_with_an_idempotency_key_keeps_no_key(
    api, world, endpoint, path, body, where
):
    status = 409 if where is None else 422
    case = Case(endpoint, "POST", path, status, where, json=body, headers={"Idempotency-Key": "k1"})
    run(api, world, case)


# -- oversized and chunked bodies ----------------------------------------------------------

OVERSIZED_CASES = [
    *oversized_json_cases(JSON_ENDPOINTS),
    Case(
        "a Content-Length over the limit is refused before the body is read",
        "POST",
        "/v1/events",
        413,
        content=b"{}",
        headers={**JSON_CT, "Content-Length": str(10**30)},
    ),
    Case(
        "a body over the limit is refused even without an API key",
        "POST",
        "/v1/shifts/{open_shift}/signups",
        413,
        content=oversized_json({"x": 1}),
        headers=JSON_CT,
        auth=False,
    ),
]


@pytest.mark.parametrize("case", OVERSIZED_CASES, ids=ids(OVERSIZED_CASES))
def test_a_body_over_the_limit_is_413(api, world, case):
    run(api, world, case)


CHUNKED_CASES = [
    pytest.param(endpoint, method, path, headers, with_key, id=f"{endpoint}-{label}")
    for endpoint, method, path, _, headers in JSON_ENDPOINTS
    for with_key, label in ((False, "plain"), (True, "with Idempotency-Key"))
    if method == "POST" or not with_key  # Idempotency-Key applies to POST only
]


@pytest.mark.parametrize(("endpoint", "method", "path", "headers", "with_key"), CHUNKED_CASES)
def test_a_chunked_body_without_content_length_over_the_limit_is_413(
    api, world, endpoint, method, path, headers, with_key
):
    extra = {"Idempotency-Key": "chunked"} if with_key else {}
    before = snapshot(api)
    response = api.request(
        method,
        world.fill(path),
        content=chunks(ONE_MIB + 1),
        headers={**AUTH, **headers, **extra, "Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)
    assert snapshot(api) == before


# -- properties ----------------------------------------------------------------------------

EVENT_KEYS = sorted(
    {*event_body(), "recurrence", "online_url", "all_day", "timezone", "registration_deadline"}
    | {"contact", "places_taken", "accessibility_notes", "target_audience", "fee_note"}
)
OPPORTUNITY_KEYS = sorted({*opportunity_body(), "event_id", "what_to_bring", "status"})
SIGNUP_KEYS = sorted(signup_body())

PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check_property(api, world: World, url: str, body: dict[str, Any]) -> None:
    before = snapshot(api)
    response = api.post(
        world.fill(url), content=json.dumps(body).encode(), headers={**AUTH, **JSON_CT}
    )
    assert response.status_code < 500, response.text
    after = snapshot(api)
    if response.status_code == 201:
        # One record and its one event in the outbox.
        assert len(after["events"]["outbox"]) == len(before["events"]["outbox"]) + 1
        return
    assert_problem(response, (400, 404, 409, 410, 422))
    assert after == before, "a refused create changed stored data"


def _owner(world: World, body: dict[str, Any], key: str, owner: str, many: bool) -> dict[str, Any]:
    value = [world.fill(owner)] if many else world.fill(owner)
    return {**body, key: value} if key in body else body


@PROPERTY_SETTINGS
@given(
    body=bodies(event_body(), EVENT_KEYS),
    owner=st.sampled_from(["{org}", "{gone_org}", MISSING_ID, "not-an-id"]),
)
def test_any_json_object_posted_as_an_event_is_a_4xx_or_a_201_and_only_201_writes(
    api, world, body, owner
):
    if body.get("organizer_ids") == ["{org}"]:
        body = _owner(world, body, "organizer_ids", owner, many=True)
    _check_property(api, world, "/v1/events", body)


@PROPERTY_SETTINGS
@given(
    body=bodies(opportunity_body(), OPPORTUNITY_KEYS),
    owner=st.sampled_from(["{org}", "{gone_org}", MISSING_ID, "not-an-id"]),
)
def test_any_json_object_posted_as_an_opportunity_is_a_4xx_or_a_201_and_only_201_writes(
    api, world, body, owner
):
    if body.get("organization_id") == "{org}":
        body = _owner(world, body, "organization_id", owner, many=False)
    _check_property(api, world, "/v1/opportunities", body)


@PROPERTY_SETTINGS
@given(
    body=bodies(signup_body(), SIGNUP_KEYS),
    shift=st.sampled_from(["{open_shift}", "{shift}", "{past_shift}", "{closed_shift}"]),
)
def test_any_json_object_posted_as_a_sign_up_is_a_4xx_or_a_201_and_only_201_writes(
    api, world, body, shift
):
    _check_property(api, world, f"/v1/shifts/{shift}/signups", body)
