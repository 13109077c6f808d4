"""Object properties (OWASP API3): what clients may set, and what they may read.

Mass assignment: a body that tries to set a server-owned property (ids, versions,
timestamps, counters, the owner of a record on update, tokens) is refused with a
422 naming the property, and nothing is stored, even for the record's own
organisation. Exposure: public reads carry no private or internal property, and
a caller who does not own a record sees the same public view as anyone.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import AUTH, jst, organization_body, resource_body
from hostile import MISSING_ID, assert_problem

MUNICIPALITY = "102997"
CONTACT = {"name": "山田 花子", "email": "hanako@example.jp", "phone": "090-1111-2222"}
PERSON = {"name": "佐藤 次郎", "name_kana": "サトウ ジロウ", "email": "jiro@example.jp"}
PRIVATE = ("山田", "hanako@example.jp", "090-1111-2222", "佐藤", "サトウ", "jiro@example.jp")
# Stored columns that no public view may carry.
INTERNAL = {
    "contacts",
    "search_text",
    "deleted_at",
    "token_hash",
    "person_key",
    "queue_position",
    "signup_seq",
    "local_weekday",
    "local_hour",
    "series_ends_at",
    "manage_token",
}
TIMESTAMP = "2020-01-01T00:00:00+09:00"


@pytest.fixture
def world(
    api, organizer, make_org, make_resource, make_event, make_opportunity, make_shift, make_key
) -> dict[str, Any]:
    """Organisation A (contacts, a resource, an event, an opportunity with a shift and a
    sign-up, a points rule), organisation B, and A's key."""
    org = organizer["id"]
    contacts = api.put(
        f"/v1/organizations/{org}/contacts",
        json={"items": [CONTACT]},
        headers={**AUTH, "If-Match": "*"},
    )
    assert contacts.status_code == 200, contacts.text
    opportunity = make_opportunity()
    shift = make_shift(opportunity)
    signup = api.post(f"/v1/shifts/{shift['id']}/signups", json=PERSON, headers=AUTH)
    assert signup.status_code == 201, signup.text
    rule = api.put(f"/v1/points-rules/{MUNICIPALITY}", json={"points_per_hour": 1}, headers=AUTH)
    assert rule.status_code == 200, rule.text
    return {
        "org": org,
        "other": make_org(name="みどり町自治会", kind="neighbourhood_association")["id"],
        "resource": make_resource(org)["id"],
        "event": make_event()["id"],
        "opportunity": opportunity["id"],
        "shift": shift["id"],
        "signup": signup.json()["id"],
        "owner": make_key(org),
    }


def stored(api: Any, world: dict[str, Any]) -> dict[str, Any]:
    """Every record a refused body could have changed, read back as the administrator."""
    paths = [
        "/v1/organizations?limit=100",
        "/v1/organizations/{org}/contacts",
        "/v1/resources?limit=100",
        "/v1/events?limit=100",
        "/v1/opportunities?limit=100",
        "/v1/opportunities/{opportunity}/shifts?limit=100",
        "/v1/shifts/{shift}/signups?limit=100",
        f"/v1/points-rules/{MUNICIPALITY}",
    ]
    return {path: api.get(path.format(**world), headers=AUTH).json() for path in paths}


# (what, method, path, field, value): each body is a valid one plus the one property.
def _server_owned(
    what: str, method: str, path: str, valid: dict[str, Any], fields: dict[str, Any]
) -> list[tuple[str, str, str, dict[str, Any], str]]:
    return [
        (f"{what} setting {field}", method, path, {**valid, field: value}, field)
        for field, value in fields.items()
    ]


_RECORD = {"id": MISSING_ID, "version": 99, "created_at": TIMESTAMP, "updated_at": TIMESTAMP}
_DELETED = {"deleted_at": TIMESTAMP}
_EVENT = {
    "title": "防災訓練",
    "kind": "training",
    "organizer_ids": ["{org}"],
    "starts_at": jst(20, 10),
    "ends_at": jst(20, 12),
    "online_url": "https://example.jp/live",
    "municipality_code": MUNICIPALITY,
}
_OPPORTUNITY = {
    "organization_id": "{org}",
    "title": "清掃ボランティア",
    "municipality_code": "102997",
}
_SHIFT = {"starts_at": jst(9, 9), "ends_at": jst(9, 12), "capacity": 3}
MASS_ASSIGNMENT = [
    *_server_owned(
        "updating an organisation",
        "PATCH",
        "/v1/organizations/{org}",
        {"description": "更新"},
        {
            **_RECORD,
            **_DELETED,
            "sector": "business",
            "prefecture_code": "13",
            "contacts": [CONTACT],
            "search_text": "x",
        },
    ),
    *_server_owned(
        "replacing contacts",
        "PUT",
        "/v1/organizations/{org}/contacts",
        {"items": [CONTACT]},
        {"version": 99, "organization_id": "{other}"},
    ),
    *_server_owned(
        "offering a resource under an organisation",
        "POST",
        "/v1/organizations/{org}/resources",
        resource_body(),
        {
            **_RECORD,
            "organization_id": "{other}",
            "organization_name": "偽",
            "sector": "business",
            "application_deadline": "2030-01-01",
        },
    ),
    *_server_owned(
        "offering a resource",
        "POST",
        "/v1/resources",
        resource_body(organization_id="{org}"),
        {**_RECORD, "organization_name": "偽", "organization_kind": "company"},
    ),
    *_server_owned(
        "updating a resource",
        "PATCH",
        "/v1/resources/{resource}",
        {"title": "更新"},
        {**_RECORD, **_DELETED, "organization_id": "{other}", "organization_name": "偽"},
    ),
    *_server_owned(
        "creating an event",
        "POST",
        "/v1/events",
        _EVENT,
        {**_RECORD, "organizers": [], "places_left": 0, "series_ends_at": TIMESTAMP},
    ),
    *_server_owned(
        "updating an event",
        "PATCH",
        "/v1/events/{event}",
        {"title": "更新"},
        {**_RECORD, **_DELETED, "organizers": [{"id": "{other}", "name": "偽"}], "sequence": 9},
    ),
    *_server_owned(
        "creating an opportunity",
        "POST",
        "/v1/opportunities",
        _OPPORTUNITY,
        {**_RECORD, "organization_name": "偽"},
    ),
    *_server_owned(
        "updating an opportunity",
        "PATCH",
        "/v1/opportunities/{opportunity}",
        {"title": "更新"},
        {**_RECORD, **_DELETED, "organization_id": "{other}"},
    ),
    *_server_owned(
        "adding a shift",
        "POST",
        "/v1/opportunities/{opportunity}/shifts",
        _SHIFT,
        {
            **_RECORD,
            "opportunity_id": MISSING_ID,
            "confirmed_count": 0,
            "waitlist_count": 0,
            "places_left": 99,
        },
    ),
    *_server_owned(
        "updating a shift",
        "PATCH",
        "/v1/shifts/{shift}",
        {"capacity": 4},
        {**_RECORD, "opportunity_id": MISSING_ID, "confirmed_count": 0, "signup_seq": 0},
    ),
    *_server_owned(
        "signing up",
        "POST",
        "/v1/shifts/{shift}/signups",
        {**PERSON, "email": "saburo@example.jp"},
        {
            **_RECORD,
            "shift_id": MISSING_ID,
            "status": "confirmed",
            "attended": True,
            "hours": 8,
            "token_hash": "0" * 64,
            "manage_token": "mine",
            "person_key": "0" * 64,
            "waitlist_position": 1,
        },
    ),
    *_server_owned(
        "recording attendance",
        "POST",
        "/v1/signups/{signup}/attendance",
        {"attended": True, "hours": 1},
        {"status": "confirmed", "email": "other@example.jp", "version": 99},
    ),
    *_server_owned(
        "setting a points rule",
        "PUT",
        f"/v1/points-rules/{MUNICIPALITY}",
        {"points_per_hour": 2},
        {"municipality_code": "131016", "version": 99, "updated_at": TIMESTAMP},
    ),
]


def _filled(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: _filled(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, world) for v in value]
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [case[1:] for case in MASS_ASSIGNMENT],
    ids=[case[0] for case in MASS_ASSIGNMENT],
)
@pytest.mark.parametrize("caller", ["owner", "admin"])
def test_server_owned_properties_cannot_be_assigned(api, world, caller, method, path, body, field):
    headers = {**(AUTH if caller == "admin" else world["owner"]), "If-Match": "*"}
    before = stored(api, world)
    response = api.request(method, _filled(path, world), json=_filled(body, world), headers=headers)
    assert_problem(response, 422, f"body.{field}")
    assert stored(api, world) == before


def test_creating_an_organisation_cannot_assign_server_owned_properties(api, world):
    before = stored(api, world)
    for field, value in {
        **_RECORD,
        **_DELETED,
        "sector": "business",
        "prefecture_code": "13",
        "search_text": "x",
    }.items():
        response = api.post(
            "/v1/organizations", json=organization_body(**{field: value}), headers=AUTH
        )
        assert_problem(response, 422, f"body.{field}")
    assert stored(api, world) == before


def test_valid_bodies_without_the_extra_property_are_accepted(api, world):
    """The refusals above are about the one property, not about the rest of the body."""
    answered = {}
    for what, method, path, body, field in MASS_ASSIGNMENT:
        if field != "version":
            continue  # one case per operation
        caller = AUTH if "points rule" in what else world["owner"]
        response = api.request(
            method,
            _filled(path, world),
            json=_filled(_without(body, field), world),
            headers={**caller, "If-Match": "*"},
        )
        answered[what] = response.status_code
    # Attendance is for a shift that has begun: the body passed, the rule answered.
    assert answered.pop("recording attendance setting version") == 409
    assert set(answered.values()) <= {200, 201}, answered


def _without(body: dict[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != field}


# -- what each caller reads --------------------------------------------------------------


PUBLIC_READS = [
    "/v1/organizations/{org}",
    "/v1/organizations",
    "/v1/organizations/{org}/resources",
    "/v1/resources/{resource}",
    "/v1/resources",
    "/v1/registry/changes",
    "/v1/events/{event}",
    "/v1/events",
    "/v1/events/{event}/jsonld",
    "/v1/opportunities/{opportunity}",
    "/v1/opportunities",
    "/v1/opportunities/{opportunity}/shifts",
    "/v1/shifts/{shift}",
    "/v1/volunteer-hours/organizations/{org}",
    f"/v1/points-rules/{MUNICIPALITY}",
]


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_public_reads_carry_no_private_or_internal_property(api, world, make_key):
    other = make_key(world["other"])
    for path in PUBLIC_READS:
        filled = path.format(**world)
        views = {
            caller: api.get(filled, headers=headers)
            for caller, headers in {
                "anonymous": {},
                "another organisation": other,
                "owner": world["owner"],
            }.items()
        }
        for caller, response in views.items():
            assert response.status_code == 200, (caller, path, response.text)
            for personal in PRIVATE:
                assert personal not in response.text, (caller, path, personal)
            assert not _keys(response.json()) & INTERNAL, (caller, path)
        anonymous = views["anonymous"].json()
        assert views["another organisation"].json() == anonymous, path  # no more for a key
    found = api.get("/v1/organizations", params={"q": CONTACT["name"]}, headers=world["owner"])
    assert found.json()["items"] == []  # contacts are not searchable either


def test_a_sign_up_shows_its_token_once_and_its_digests_never(api, world):
    for path in ("/v1/signups/{signup}", "/v1/shifts/{shift}/signups"):
        response = api.get(path.format(**world), headers=world["owner"])
        assert response.status_code == 200, response.text
        assert PERSON["email"] in response.text  # the organiser sees the person
        assert not _keys(response.json()) & INTERNAL, path
