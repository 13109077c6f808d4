"""Object-level authorisation in the events service (OWASP API1, API3, API5).

An event is changed by a key acting for one of its organisers (and for every
organiser it adds or removes); an opportunity, its shifts and the personal data
of its sign-ups belong to the opportunity's organisation, and it is part only of
an event that organisation organises; a sign-up is also the person's, through
their token. Drafts do not exist for others (404; an unknown `event_id`, 422). Any key with
`events:write` may sign a person up (a front end acts for the citizen). Every
refusal leaves the stored data exactly as it was, read back as the administrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from conftest import AUTH, jst
from hostile import assert_problem, request_as

NO_EVENTS_WRITE = ("registry:write", "matching:write")
PERSON = {"name": "佐藤 花子", "name_kana": "サトウ ハナコ", "email": "hanako@example.jp"}
PRIVATE = ("佐藤", "サトウ", "hanako@example.jp")
FORBIDDEN = "urn:kyodo:problem:forbidden"
DRAFT_TITLE = "非公開の下書き"
ATTENDED = {"attended": True, "hours": 2}
MUNICIPALITY = "102997"
ANOTHER_MUNICIPALITY = "131016"  # 千代田区


@dataclass
class World:
    ids: dict[str, str]  # org, other, event, draft, opportunity, shift, signup
    token: str  # the person's X-Signup-Token
    keys: dict[str, dict[str, str]]

    def fill(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.format(**self.ids)
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        return value


def event_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "防災ワークショップ",
        "kind": "training",
        "organizer_ids": ["{org}"],
        "starts_at": jst(20, 10),
        "ends_at": jst(20, 12),
        "venue": {"name": "桜ヶ丘市民活動センター", "municipality_code": MUNICIPALITY},
        "municipality_code": MUNICIPALITY,
        "status": "published",
    }
    body.update(overrides)
    return body


@pytest.fixture
def world(api, organizer, make_org, make_event, make_opportunity, make_shift, make_key) -> World:
    other = make_org(name="みどり町自治会", kind="neighbourhood_association")
    opportunity = make_opportunity()
    shift = make_shift(opportunity, capacity=5)
    front_end = make_key()  # a citizens' app: events:write, no organisation
    signup = api.post(f"/v1/shifts/{shift['id']}/signups", json=PERSON, headers=front_end)
    assert signup.status_code == 201, signup.text
    # The shift took place, so its organiser can record attendance.
    moved = api.patch(
        f"/v1/shifts/{shift['id']}",
        json={"starts_at": jst(-1, 9), "ends_at": jst(-1, 13)},
        headers={**AUTH, "If-Match": "*"},
    )
    assert moved.status_code == 200, moved.text
    ids = {
        "org": organizer["id"],
        "other": other["id"],
        "event": make_event()["id"],
        "draft": make_event(title=DRAFT_TITLE, status="draft")["id"],
        "opportunity": opportunity["id"],
        "shift": shift["id"],
        "signup": signup.json()["id"],
    }
    keys = {
        "owner": make_key(organizer["id"]),
        "another organisation": make_key(other["id"]),
        "a key bound to no organisation": front_end,
        "the owner's key without events:write": make_key(organizer["id"], scopes=NO_EVENTS_WRITE),
        "anonymous": {},
        "admin": AUTH,
    }
    return World(ids=ids, token=signup.json()["manage_token"], keys=keys)


def stored(api: Any, world: World) -> dict[str, Any]:
    """Everything a refused request could have changed, read back as the administrator."""

    def read(path: str, **params: Any) -> Any:
        response = api.get(world.fill(path), params=params, headers=AUTH)
        return response.status_code, response.json()

    return {
        "event": read("/v1/events/{event}"),
        "draft": read("/v1/events/{draft}"),
        "events": read("/v1/events", status=["draft", "published", "cancelled"], limit=100),
        "opportunity": read("/v1/opportunities/{opportunity}"),
        "opportunities": read("/v1/opportunities", limit=100),
        "shift": read("/v1/shifts/{shift}"),
        "shifts": read("/v1/opportunities/{opportunity}/shifts", limit=100),
        "signup": read("/v1/signups/{signup}"),
        "signups": read("/v1/shifts/{shift}/signups", limit=100),
    }


# Everything only an organiser may do, on the organisation's records: (method, path, body).
OPERATIONS: dict[str, tuple[str, str, Any]] = {
    "create an event it organises": ("POST", "/v1/events", event_body()),
    "update the event": ("PATCH", "/v1/events/{event}", {"title": "乗っ取り"}),
    "cancel the event": ("PATCH", "/v1/events/{event}", {"status": "cancelled"}),
    "delete the event": ("DELETE", "/v1/events/{event}", None),
    "create an opportunity for it": (
        "POST",
        "/v1/opportunities",
        {"organization_id": "{org}", "title": "偽の募集", "municipality_code": MUNICIPALITY},
    ),
    "update the opportunity": ("PATCH", "/v1/opportunities/{opportunity}", {"title": "乗っ取り"}),
    "close the opportunity": ("PATCH", "/v1/opportunities/{opportunity}", {"status": "closed"}),
    "delete the opportunity": ("DELETE", "/v1/opportunities/{opportunity}", None),
    "add a shift": (
        "POST",
        "/v1/opportunities/{opportunity}/shifts",
        {"starts_at": jst(9, 9), "ends_at": jst(9, 12), "capacity": 3},
    ),
    "update the shift": ("PATCH", "/v1/shifts/{shift}", {"capacity": 9}),
    "delete the shift": ("DELETE", "/v1/shifts/{shift}", None),
    "list the sign-ups": ("GET", "/v1/shifts/{shift}/signups", None),
    "read a sign-up": ("GET", "/v1/signups/{signup}", None),
    "cancel a sign-up": ("POST", "/v1/signups/{signup}/cancel", None),
    "record attendance": ("POST", "/v1/signups/{signup}/attendance", ATTENDED),
}
# Without a key a sign-up answers 403 like a wrong token (the person may hold one).
ANONYMOUS_403 = {"read a sign-up", "cancel a sign-up"}


def send(api: Any, world: World, operation: str, caller: str, **extra: str) -> Any:
    headers = {**world.keys[caller], **extra}
    return request_as(api, OPERATIONS[operation], headers, world.fill)


@pytest.mark.parametrize("caller", ["another organisation", "a key bound to no organisation"])
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_another_organisation_cannot_touch_an_organisations_events_or_volunteers(
    api, world, operation, caller
):
    before = stored(api, world)
    response = send(api, world, operation, caller)
    assert_problem(response, 403)
    assert response.json()["type"] == FORBIDDEN
    for personal in PRIVATE:
        assert personal not in response.text
    assert stored(api, world) == before


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_a_key_without_events_write_gets_insufficient_scope(api, world, operation):
    before = stored(api, world)
    response = send(api, world, operation, "the owner's key without events:write")
    assert_problem(response, 403)
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="events:write"' in challenge
    assert stored(api, world) == before


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_anonymous_callers_are_refused(api, world, operation):
    before = stored(api, world)
    response = send(api, world, operation, "anonymous")
    assert_problem(response, 403 if operation in ANONYMOUS_403 else 401)
    for personal in PRIVATE:
        assert personal not in response.text
    assert stored(api, world) == before


@pytest.mark.parametrize("caller", ["owner", "admin"])
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_the_organising_organisation_and_the_administrator_may(api, world, operation, caller):
    response = send(api, world, operation, caller)
    assert response.status_code in (200, 201, 204), response.text
    if operation in {"list the sign-ups", "read a sign-up"}:
        assert PERSON["email"] in response.text


# -- drafts ---------------------------------------------------------------------------


def test_a_draft_event_does_not_exist_for_others(api, world):
    before = stored(api, world)
    for caller in ("another organisation", "a key bound to no organisation", "anonymous"):
        headers = world.keys[caller]
        for suffix in ("", "/jsonld", "/calendar.ics"):
            response = api.get(world.fill("/v1/events/{draft}") + suffix, headers=headers)
            assert_problem(response, 404)
        if caller == "anonymous":
            continue
        for method, body in (("PATCH", {"status": "published"}), ("DELETE", None)):
            response = api.request(
                method,
                world.fill("/v1/events/{draft}"),
                json=body,
                headers={**headers, "If-Match": "*"},
            )
            assert_problem(response, 404)  # not even a 403: nothing to learn
    assert stored(api, world) == before
    for caller in ("owner", "admin"):
        assert api.get(world.fill("/v1/events/{draft}"), headers=world.keys[caller]).is_success


def test_drafts_are_listed_only_to_their_organisers(api, world):
    params = {"status": ["draft", "published"]}
    window = {**params, "date_from": jst(0, 0), "date_to": jst(30, 0)}

    def listed(caller: str) -> dict[str, bool]:
        def get(path: str, query: dict[str, Any]) -> Any:
            response = api.get(path, params=query, headers=world.keys[caller])
            assert response.status_code == 200, response.text
            return response

        events = get("/v1/events", params).json()["items"]
        occurrences = get("/v1/events/occurrences", window).json()["items"]
        return {
            "list": world.ids["draft"] in {e["id"] for e in events},
            "occurrences": world.ids["draft"] in {o["event_id"] for o in occurrences},
            "ics": DRAFT_TITLE in get("/v1/events.ics", params).text,
            "csv": DRAFT_TITLE in get("/v1/events.csv", params).text,
        }

    everywhere = {"list": True, "occurrences": True, "ics": True, "csv": True}
    nowhere = dict.fromkeys(everywhere, False)
    assert listed("another organisation") == nowhere
    assert listed("a key bound to no organisation") == nowhere
    assert listed("owner") == everywhere
    assert listed("admin") == everywhere
    assert listed("another organisation") == nowhere  # what the owner saw was not cached for all


# -- organisers -----------------------------------------------------------------------


def test_an_event_names_only_organisers_the_key_acts_for(api, world, make_key):
    co_organised = event_body(organizer_ids=["{org}", "{other}"])
    before = stored(api, world)
    refused = api.post("/v1/events", json=world.fill(co_organised), headers=world.keys["owner"])
    assert_problem(refused, 403)
    assert world.ids["other"] in refused.json()["detail"]
    assert stored(api, world) == before
    both = make_key(world.ids["org"], world.ids["other"])
    created = api.post("/v1/events", json=world.fill(co_organised), headers=both)
    assert created.status_code == 201, created.text


def test_adding_an_organiser_needs_a_key_acting_for_it(api, world, make_key):
    path = world.fill("/v1/events/{event}")
    add = {"organizer_ids": [world.ids["org"], world.ids["other"]]}
    before = stored(api, world)
    refused = api.patch(path, json=add, headers={**world.keys["owner"], "If-Match": "*"})
    assert_problem(refused, 403)
    assert stored(api, world) == before
    both = {**make_key(world.ids["org"], world.ids["other"]), "If-Match": "*"}
    assert api.patch(path, json=add, headers=both).status_code == 200
    # Now a co-organiser, the other organisation's key may change the event too.
    other = {**world.keys["another organisation"], "If-Match": "*"}
    changed = api.patch(path, json={"title": "共催の防災ワークショップ"}, headers=other)
    assert changed.status_code == 200, changed.text


def test_removing_an_organiser_needs_a_key_acting_for_it(api, world, make_event):
    co_organised = make_event(organizer_ids=[world.ids["org"], world.ids["other"]])
    path = f"/v1/events/{co_organised['id']}"
    owner = {**world.keys["owner"], "If-Match": "*"}
    other = {**world.keys["another organisation"], "If-Match": "*"}
    before = stored(api, world)
    refused = api.patch(path, json={"organizer_ids": [world.ids["org"]]}, headers=owner)
    assert_problem(refused, 403)
    assert refused.json()["type"] == FORBIDDEN
    assert world.ids["other"] in refused.json()["detail"]
    assert stored(api, world) == before
    # The co-organiser was not removed: its key still changes the event.
    changed = api.patch(path, json={"title": "共催の説明会"}, headers=other)
    assert changed.status_code == 200, changed.text
    # Reordering removes nobody; an organiser may leave; the administrator may remove one.
    reordered = api.patch(
        path, json={"organizer_ids": [world.ids["other"], world.ids["org"]]}, headers=owner
    )
    assert reordered.status_code == 200, reordered.text
    left = api.patch(path, json={"organizer_ids": [world.ids["org"]]}, headers=other)
    assert left.status_code == 200, left.text
    assert [o["id"] for o in left.json()["organizers"]] == [world.ids["org"]]
    shared = make_event(organizer_ids=[world.ids["org"], world.ids["other"]])
    removed = api.patch(
        f"/v1/events/{shared['id']}",
        json={"organizer_ids": [world.ids["other"]]},
        headers={**AUTH, "If-Match": "*"},
    )
    assert removed.status_code == 200, removed.text


def test_replacing_a_co_organiser_needs_a_key_acting_for_it_too(
    api, world, make_org, make_event, make_key
):
    third = make_org(name="桜ヶ丘市社会福祉協議会", kind="social_welfare_council")
    co_organised = make_event(organizer_ids=[world.ids["org"], world.ids["other"]])
    path = f"/v1/events/{co_organised['id']}"
    swap = {"organizer_ids": [world.ids["org"], third["id"]]}
    before = stored(api, world)
    for headers in (make_key(world.ids["org"], third["id"]), world.keys["owner"]):
        refused = api.patch(path, json=swap, headers={**headers, "If-Match": "*"})
        assert_problem(refused, 403)
    assert stored(api, world) == before
    every = make_key(world.ids["org"], world.ids["other"], third["id"])
    swapped = api.patch(path, json=swap, headers={**every, "If-Match": "*"})
    assert swapped.status_code == 200, swapped.text


# -- opportunities and events ---------------------------------------------------------

MISSING_EVENT = "019a2b3c-0000-7000-8000-000000000000"


def opportunity_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "organization_id": "{other}",
        "title": "受付の手伝い",
        "municipality_code": MUNICIPALITY,
    }
    body.update(overrides)
    return body


def unknown_event(response: Any) -> dict[str, Any]:
    """The refusal of an event id that names nothing the caller may see."""
    assert_problem(response, 422, "body.event_id")
    body = response.json()
    return {"detail": body["detail"], "errors": body["errors"]}


def test_an_opportunity_joins_only_an_event_its_organisation_organises(
    api, world, make_opportunity
):
    theirs = make_opportunity(organization_id=world.ids["other"], title="みどり町の清掃")
    other = world.keys["another organisation"]
    before = stored(api, world)
    missing = unknown_event(
        api.post(
            "/v1/opportunities",
            json=world.fill(opportunity_body(event_id=MISSING_EVENT)),
            headers=other,
        )
    )
    for caller in ("another organisation", "admin"):
        headers = world.keys[caller]
        refused = api.post(
            "/v1/opportunities",
            json=world.fill(opportunity_body(event_id="{event}")),
            headers=headers,
        )
        assert_problem(refused, 422, "body.event_id")
        assert refused.json()["errors"][0]["code"] == "not_an_organizer"
        refused = api.patch(
            f"/v1/opportunities/{theirs['id']}",
            json=world.fill({"event_id": "{event}"}),
            headers={**headers, "If-Match": "*"},
        )
        assert_problem(refused, 422, "body.event_id")
        assert refused.json()["errors"][0]["code"] == "not_an_organizer"
    # Another organisation's draft does not exist for it: the answer of an unknown id.
    draft = world.fill(opportunity_body(event_id="{draft}"))
    assert unknown_event(api.post("/v1/opportunities", json=draft, headers=other)) == missing
    patched = api.patch(
        f"/v1/opportunities/{theirs['id']}",
        json=world.fill({"event_id": "{draft}"}),
        headers={**other, "If-Match": "*"},
    )
    assert unknown_event(patched) == missing
    # The administrator sees the draft, and is told why instead.
    refused = api.post("/v1/opportunities", json=draft, headers=AUTH)
    assert refused.json()["errors"][0]["code"] == "not_an_organizer"
    assert stored(api, world) == before
    assert api.get(f"/v1/opportunities/{theirs['id']}", headers=AUTH).json()["event_id"] is None
    listed = api.get("/v1/opportunities", params={"limit": 100})
    assert world.ids["draft"] not in listed.text and world.ids["event"] not in listed.text


def test_an_organiser_attaches_its_opportunities_to_its_events(api, world, make_event):
    owner = world.keys["owner"]
    for event in ("{event}", "{draft}"):
        body = world.fill(opportunity_body(organization_id="{org}", event_id=event))
        created = api.post("/v1/opportunities", json=body, headers=owner)
        assert created.status_code == 201, created.text
        assert created.json()["event_id"] == world.ids[event.strip("{}")]
    moved = api.patch(
        world.fill("/v1/opportunities/{opportunity}"),
        json=world.fill({"event_id": "{draft}"}),
        headers={**owner, "If-Match": "*"},
    )
    assert moved.status_code == 200 and moved.json()["event_id"] == world.ids["draft"]
    # A co-organiser's opportunity may join the event it co-organises.
    shared = make_event(organizer_ids=[world.ids["org"], world.ids["other"]], status="draft")
    body = world.fill(opportunity_body(event_id=shared["id"]))
    other = world.keys["another organisation"]
    created = api.post("/v1/opportunities", json=body, headers=other)
    assert created.status_code == 201, created.text
    detached = api.patch(
        f"/v1/opportunities/{created.json()['id']}",
        json={"event_id": None},
        headers={**other, "If-Match": "*"},
    )
    assert detached.status_code == 200 and detached.json()["event_id"] is None


# -- sign-ups -------------------------------------------------------------------------


def test_any_events_key_signs_a_person_up_but_not_without_the_scope(api, world, make_shift):
    shift = make_shift()
    path = f"/v1/shifts/{shift['id']}/signups"
    person = {**PERSON, "email": "jiro@example.jp"}
    without_scope = api.post(
        path, json=person, headers=world.keys["the owner's key without events:write"]
    )
    assert_problem(without_scope, 403)
    assert_problem(api.post(path, json=person), 401)
    assert api.get(f"/v1/shifts/{shift['id']}", headers=AUTH).json()["confirmed_count"] == 0
    for caller in ("a key bound to no organisation", "another organisation"):
        email = f"{caller.split()[1]}@example.jp"
        answer = api.post(path, json={**person, "email": email}, headers=world.keys[caller])
        assert answer.status_code == 201, answer.text
        assert answer.json()["manage_token"]


def test_the_person_reads_and_cancels_with_their_token_whoever_relays_it(api, world):
    token = {"X-Signup-Token": world.token}
    for caller in ("anonymous", "another organisation", "a key bound to no organisation"):
        read = send(api, world, "read a sign-up", caller, **token)
        assert read.status_code == 200 and read.json()["email"] == PERSON["email"]
    cancelled = send(api, world, "cancel a sign-up", "a key bound to no organisation", **token)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_the_person_cannot_record_their_own_attendance_even_through_a_key(api, world):
    before = stored(api, world)
    token = {"X-Signup-Token": world.token}
    response = send(api, world, "record attendance", "a key bound to no organisation", **token)
    assert_problem(response, 403)
    assert stored(api, world) == before


# -- hours and points rules -------------------------------------------------------------


def test_a_persons_hours_are_theirs_and_each_organisations_own(api, world):
    attended = send(api, world, "record attendance", "owner")
    assert attended.status_code == 200, attended.text
    query = {"email": PERSON["email"]}

    def hours(caller: str, **extra: str) -> float:
        headers = {**world.keys[caller], **extra}
        response = api.get("/v1/volunteer-hours/people", params=query, headers=headers)
        assert response.status_code == 200, response.text
        return float(response.json()["hours"])

    assert hours("admin") == 2
    assert hours("owner") == 2  # hours given to the organisation itself
    assert hours("another organisation") == 0
    assert hours("a key bound to no organisation") == 0
    assert hours("a key bound to no organisation", **{"X-Signup-Token": world.token}) == 2
    assert hours("another organisation", **{"X-Signup-Token": "a-guess"}) == 0
    scopeless = api.get(
        "/v1/volunteer-hours/people",
        params=query,
        headers=world.keys["the owner's key without events:write"],
    )
    assert_problem(scopeless, 403)
    public = api.get(world.fill("/v1/volunteer-hours/organizations/{org}"))
    assert public.json()["hours"] == 2


def test_a_points_rule_is_set_by_its_municipality(api, world, make_org, make_key):
    city = make_org(name="桜ヶ丘市役所", kind="government", municipality_code=MUNICIPALITY)
    elsewhere = make_org(
        name="千代田区役所", kind="government", municipality_code=ANOTHER_MUNICIPALITY
    )
    path = f"/v1/points-rules/{MUNICIPALITY}"
    rule = {"points_per_hour": 1.5}
    for headers, status in [
        (world.keys["owner"], 403),  # an organisation in the city, not the city
        (make_key(elsewhere["id"]), 403),
        (make_key(city["id"], scopes=NO_EVENTS_WRITE), 403),
        ({}, 401),
    ]:
        assert_problem(api.put(path, json=rule, headers=headers), status)
        assert_problem(api.get(path), 404)  # nothing was set
    city_key = make_key(city["id"])
    assert api.put(path, json=rule, headers=city_key).status_code == 200
    assert api.put(path, json={"points_per_hour": 2}, headers=AUTH).status_code == 200
    assert api.get(path).json()["points_per_hour"] == 2


def test_deleting_a_co_organised_event_needs_every_organiser(api, world, make_event, make_key):
    co_organised = make_event(organizer_ids=[world.ids["org"], world.ids["other"]])
    path = f"/v1/events/{co_organised['id']}"
    before = api.get(path, headers=AUTH).json()
    for key in (world.keys["owner"], world.keys["another organisation"]):
        refused = api.delete(path, headers={**key, "If-Match": "*"})
        assert_problem(refused, 403)
    assert api.get(path, headers=AUTH).json() == before
    both = make_key(world.ids["org"], world.ids["other"])
    assert api.delete(path, headers={**both, "If-Match": "*"}).status_code == 204
    alone = make_event(organizer_ids=[world.ids["org"]])
    deleted = api.delete(
        f"/v1/events/{alone['id']}", headers={**world.keys["owner"], "If-Match": "*"}
    )
    assert deleted.status_code == 204
