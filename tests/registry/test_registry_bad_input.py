"""Hostile input to every registry endpoint: always a 4xx problem, never a 500, never a write.

Each case sends one kind of bad input to one endpoint and requires:

* a 4xx status (the expected one) answered as ``application/problem+json`` with
  ``type``, ``title``, ``status`` (equal to the HTTP status) and ``detail``;
* for validation failures, ``errors`` naming the field at fault;
* the stored data unchanged: the whole change feed and the reads (with ETags) of
  the records the case could touch are the same before and after.

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
from conftest import AUTH, organization_body, resource_body
from fastapi.testclient import TestClient
from hostile import (
    BAD_IF_MATCH,
    GARBAGE_CURSORS,
    JSON_CT,
    LONG,
    MISSING_ID,
    NUL,
    ONE_MIB,
    PREFECTURE_48,
    RAW_BODIES,
    TEN_MIB,
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
from hostile import NO_BODY as _NO_BODY
from hostile import fill_body as _fill_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.main import create_app

WRONG_CHECK_DIGIT_CORPORATE = "2070005002034"  # 1070005002034 is valid
CSV_HEADER = "name,kind,municipality_code,corporate_number\n"


# -- the world a case runs in, and its snapshot --------------------------------------------
#
# A refused request must change nothing, so one world (per backend) serves every case: it is
# only rebuilt when a case did change it (a bug, or a test that writes on purpose).

TABLES = {  # in an order that can be emptied (resources reference organisations)
    "resource": "id",
    "organization": "id",
    "outbox": "seq",
    "idempotency_key": "client_scope, key",
}


@dataclass
class World:
    org: str  # live organisation with contacts and a resource
    other_org: str  # a second live organisation (another corporate number)
    res: str  # live resource of ``org``
    gone_org: str  # deleted organisation
    gone_res: str  # deleted resource (of ``other_org``)
    org_cursor: str  # a real cursor of GET /v1/organizations
    feed_cursor: str  # a real cursor of GET /v1/registry/changes
    baseline: dict[str, Any] = dataclasses.field(default_factory=dict)

    def fill(self, template: str) -> str:
        return fill_template(
            template,
            {
                "org": self.org,
                "other_org": self.other_org,
                "res": self.res,
                "gone_org": self.gone_org,
                "gone_res": self.gone_res,
                "missing": MISSING_ID,
            },
        )


def snapshot(engine: sa.Engine) -> dict[str, Any]:
    """Every stored row of the registry: records, tombstones, the outbox (the change feed)
    and idempotency keys. A refused request must leave all of it as it was."""
    return snapshot_tables(engine, TABLES)


def _empty(engine: sa.Engine) -> None:
    empty_tables(engine, list(TABLES))


@pytest.fixture(scope="module")
def client(services) -> Iterator[TestClient]:
    """One client of the embedded gateway for the whole module (per backend)."""
    with TestClient(create_app(services), base_url="http://kyodo.test") as test_client:
        test_client.engine = services["registry"].state.engine  # type: ignore[attr-defined]
        test_client.world = None  # type: ignore[attr-defined]
        yield test_client


@pytest.fixture
def api(client) -> TestClient:
    """This module's client (shadows conftest's, which would empty the database per test)."""
    return client


@pytest.fixture
def world(client) -> World:
    """The world of every case: built once, rebuilt only when a test changed it."""
    current: World | None = client.world
    if current is None or snapshot(client.engine) != current.baseline:
        _empty(client.engine)
        current = client.world = _build_world(client)
        current.baseline = snapshot(client.engine)
    return current


def _build_world(api: TestClient) -> World:
    org = _created(
        api.post(
            "/v1/organizations",
            json=organization_body(
                corporate_number="1070005002034",
                contacts=[{"name": "山田 花子", "email": "hanako@example.jp"}],
            ),
            headers=AUTH,
        )
    )
    other = _created(
        api.post(
            "/v1/organizations",
            json=organization_body(
                name="株式会社桜ヶ丘ガス", kind="company", corporate_number="6070001000004"
            ),
            headers=AUTH,
        )
    )
    res = _created(
        api.post(f"/v1/organizations/{org}/resources", json=resource_body(), headers=AUTH)
    )
    gone_res = _created(
        api.post(f"/v1/organizations/{other}/resources", json=resource_body(), headers=AUTH)
    )
    gone_org = _created(
        api.post("/v1/organizations", json=organization_body(name="解散した会"), headers=AUTH)
    )
    for url in (f"/v1/resources/{gone_res}", f"/v1/organizations/{gone_org}"):
        assert api.delete(url, headers={**AUTH, "If-Match": "*"}).status_code == 204
    org_cursor = api.get("/v1/organizations", params={"limit": 1}).json()["next_cursor"]
    feed_cursor = api.get("/v1/registry/changes", params={"limit": 1}).json()["next_cursor"]
    assert org_cursor and feed_cursor
    return World(org, other, res, gone_org, gone_res, org_cursor, feed_cursor)


def _created(response) -> str:
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


# -- the case tables -----------------------------------------------------------------------


def run(api, world: World, case: Case):
    return run_case(api, world, case, lambda: snapshot(api.engine))


CURRENT = {"If-Match": '"1"'}  # the organisation and resource of ``world`` are at version 1

# Every endpoint that takes a JSON body, with a valid body and the headers that let it through.
JSON_ENDPOINTS: list[tuple[str, str, str, dict[str, Any], dict[str, str]]] = [
    ("create_organization", "POST", "/v1/organizations", organization_body(), {}),
    ("update_organization", "PATCH", "/v1/organizations/{org}", {"name": "新しい名前"}, CURRENT),
    (
        "replace_contacts",
        "PUT",
        "/v1/organizations/{org}/contacts",
        {"items": [{"name": "佐藤 一郎"}]},
        CURRENT,
    ),
    (
        "create_organization_resource",
        "POST",
        "/v1/organizations/{org}/resources",
        resource_body(),
        {},
    ),
    (
        "create_resource",
        "POST",
        "/v1/resources",
        {**resource_body(), "organization_id": "{org}"},
        {},
    ),
    ("update_resource", "PATCH", "/v1/resources/{res}", {"title": "新しい題"}, CURRENT),
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
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "text/csv"]
)
def test_a_json_body_sent_with_another_content_type_is_refused(
    api, world, endpoint, method, path, body, headers, content_type
):
    raw = json.dumps(_fill_body(body, world)).encode()
    case = Case(
        endpoint,
        method,
        path,
        (415, 422),
        content=raw,
        headers={**headers, "Content-Type": content_type},
    )
    run(api, world, case)


# Invalid organisation fields: (what, body fields, field named in errors).
BAD_ORGANIZATION_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("name of the wrong type", {"name": 123}, "body.name"),
    ("name as a list", {"name": ["a"]}, "body.name"),
    ("an empty name", {"name": "   "}, "body.name"),
    ("a 10 000-character name", {"name": LONG}, "body.name"),
    ("a NUL byte in the name", {"name": f"さくら{NUL}会"}, "body.name"),
    ("an escape sequence in the name", {"name": "\x1b[2Jさくら"}, "body.name"),
    ("DEL in the name", {"name": "さくら\x7f"}, "body.name"),
    ("a lone surrogate in the name", {"name": "さくら\ud800"}, "body.name"),
    ("a newline in the one-line name", {"name": "さくら\n会"}, "body.name"),
    ("an unknown kind", {"kind": "alien_mothership"}, "body.kind"),
    ("kind as a number", {"kind": 1}, "body.kind"),
    (
        "a 法人番号 with a wrong check digit",
        {"corporate_number": WRONG_CHECK_DIGIT_CORPORATE},
        "body.corporate_number",
    ),
    ("a 法人番号 of 5 digits", {"corporate_number": "12345"}, "body.corporate_number"),
    ("a 法人番号 of letters", {"corporate_number": "abcdefghijklm"}, "body.corporate_number"),
    ("a 法人番号 as a JSON number", {"corporate_number": 1070005002034}, "body.corporate_number"),
    (
        "a 法人番号 with a NUL byte",
        {"corporate_number": f"107000500203{NUL}4"},
        "body.corporate_number",
    ),
    ("a 10 000-character 法人番号", {"corporate_number": LONG}, "body.corporate_number"),
    (
        "a 法人番号 in Arabic-Indic digits",
        {"corporate_number": "١٠٧٠٠٠٥٠٠٢٠٣٤"},
        "body.corporate_number",
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
    ("a postal code of 3 digits", {"postal_code": "123"}, "body.postal_code"),
    ("latitude 91", {"latitude": 91, "longitude": 139.0}, "body.latitude"),
    ("longitude 181", {"latitude": 35.0, "longitude": 181}, "body.longitude"),
    ("latitude 10**30", {"latitude": 10**30, "longitude": 139.0}, "body.latitude"),
    ("latitude as text", {"latitude": "north", "longitude": 139.0}, "body.latitude"),
    ("a javascript: website", {"website": "javascript:alert(1)"}, "body.website"),
    ("a NUL byte in the website host", {"website": f"http://exa{NUL}mple.jp"}, "body.website"),
    ("a website over 2048 characters", {"website": "https://example.jp/" + LONG}, "body.website"),
    ("an email without @", {"email": "not-an-email"}, "body.email"),
    ("a NUL byte in the email", {"email": f"info{NUL}@example.jp"}, "body.email"),
    ("an escape sequence in the email", {"email": "info\x1b[31m@example.jp"}, "body.email"),
    ("a 10 000-character email", {"email": LONG + "@example.jp"}, "body.email"),
    ("a phone of letters", {"phone": "call-me-maybe"}, "body.phone"),
    ("fields as a string", {"fields": "health_welfare"}, "body.fields"),
    ("an unknown activity field", {"fields": ["cooking"]}, "body.fields.0"),
    ("21 activity fields", {"fields": ["health_welfare"] * 21}, "body.fields"),
    ("a 10 000-character description", {"description": LONG}, "body.description"),
    ("a NUL byte in the description", {"description": f"説明{NUL}"}, "body.description"),
    ("an impossible date", {"established_on": "2024-02-30"}, "body.established_on"),
    ("a date in words", {"established_on": "yesterday"}, "body.established_on"),
    ("a kanji reading", {"name_kana": "漢字"}, "body.name_kana"),
    ("a 10 000-character reading", {"name_kana": "ア" * 10_000}, "body.name_kana"),
    (
        "a certification ending before it starts",
        {
            "certification": {
                "status": "certified",
                "valid_from": "2024-04-01",
                "valid_until": "2023-04-01",
            }
        },
        "body.certification",
    ),
    (
        "an unknown certification status",
        {
            "certification": {
                "status": "gold",
                "valid_from": "2024-04-01",
                "valid_until": "2025-04-01",
            }
        },
        "body.certification.status",
    ),
    ("an unknown field", {"colour": "red"}, "body.colour"),
    ("a read-only id", {"id": MISSING_ID}, "body.id"),
    ("a read-only version", {"version": 99}, "body.version"),
    ("a read-only sector", {"sector": "business"}, "body.sector"),
]
# Only where contacts are part of the body (the create).
BAD_CONTACTS: list[tuple[str, Any, str]] = [
    ("a NUL byte in a contact name", [{"name": f"山田{NUL}"}], "body.contacts.0.name"),
    ("a contact with an unknown field", [{"name": "山田", "age": 40}], "body.contacts.0.age"),
    (
        "a contact email with a NUL byte",
        [{"name": "山田", "email": f"a{NUL}@b.jp"}],
        "body.contacts.0.email",
    ),
    ("21 contacts", [{"name": "山田"}] * 21, "body.contacts"),
    ("contacts as an object", {"name": "山田"}, "body.contacts"),
]

ORGANIZATION_FIELD_CASES = (
    [
        Case(
            f"create_organization refuses {what}",
            "POST",
            "/v1/organizations",
            422,
            where,
            json=organization_body(**fields),
        )
        for what, fields, where in BAD_ORGANIZATION_FIELDS
    ]
    + [
        Case(
            f"create_organization refuses {what}",
            "POST",
            "/v1/organizations",
            422,
            where,
            json=organization_body(contacts=contacts),
        )
        for what, contacts, where in BAD_CONTACTS
    ]
    + [
        Case(
            f"update_organization refuses {what}",
            "PATCH",
            "/v1/organizations/{org}",
            422,
            where,
            json=fields,
            headers=CURRENT,
        )
        for what, fields, where in BAD_ORGANIZATION_FIELDS
    ]
    + [
        Case(
            "update_organization refuses contacts (they have their own endpoint)",
            "PATCH",
            "/v1/organizations/{org}",
            422,
            "body.contacts",
            json={"contacts": []},
            headers=CURRENT,
        ),
        Case(
            "update_organization refuses a null name",
            "PATCH",
            "/v1/organizations/{org}",
            422,
            "body",
            json={"name": None},
            headers=CURRENT,
        ),
        Case(
            "update_organization refuses a null kind",
            "PATCH",
            "/v1/organizations/{org}",
            422,
            "body",
            json={"kind": None},
            headers=CURRENT,
        ),
        Case(
            "update_organization refuses a latitude without longitude",
            "PATCH",
            "/v1/organizations/{org}",
            422,
            "body",
            json={"latitude": 35.0},
            headers=CURRENT,
        ),
        Case(
            "update_organization refuses a certification for a company",
            "PATCH",
            "/v1/organizations/{other_org}",
            422,
            "body",
            json={
                "certification": {
                    "status": "certified",
                    "valid_from": "2024-04-01",
                    "valid_until": "2025-04-01",
                }
            },
            headers=CURRENT,
        ),
        Case(
            "update_organization refuses a 法人番号 registered to another organisation",
            "PATCH",
            "/v1/organizations/{org}",
            409,
            "body.corporate_number",
            json={"corporate_number": "6070001000004"},
            headers=CURRENT,
        ),
        Case(
            "create_organization refuses a 法人番号 already registered",
            "POST",
            "/v1/organizations",
            409,
            "body.corporate_number",
            json=organization_body(corporate_number="1070005002034"),
        ),
        Case(
            "create_organization refuses a latitude without longitude",
            "POST",
            "/v1/organizations",
            422,
            "body",
            json=organization_body(latitude=35.0),
        ),
        Case(
            "create_organization refuses a certification for a company",
            "POST",
            "/v1/organizations",
            422,
            "body",
            json=organization_body(
                kind="company",
                certification={
                    "status": "certified",
                    "valid_from": "2024-04-01",
                    "valid_until": "2025-04-01",
                },
            ),
        ),
        Case(
            "create_organization refuses a body without its required fields",
            "POST",
            "/v1/organizations",
            422,
            "body.name",
            json={},
        ),
        Case(
            "create_organization without an API key is 401",
            "POST",
            "/v1/organizations",
            401,
            json=organization_body(),
            auth=False,
        ),
        Case(
            "create_organization with an unknown API key is 401",
            "POST",
            "/v1/organizations",
            401,
            json=organization_body(),
            auth=False,
            headers={"Authorization": "Bearer nope"},
        ),
        Case(
            "create_organization with a Basic authorization is 401",
            "POST",
            "/v1/organizations",
            401,
            json=organization_body(),
            auth=False,
            headers={"Authorization": "Basic eDp5"},
        ),
    ]
)


@pytest.mark.parametrize("case", ORGANIZATION_FIELD_CASES, ids=ids(ORGANIZATION_FIELD_CASES))
def test_an_invalid_organization_field_is_refused_naming_the_field(api, world, case):
    run(api, world, case)


FUNDING = {"type": "funding"}
BAD_RESOURCE_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("an unknown resource type", {"type": "spaceship"}, "body.type"),
    ("type as a list", {"type": ["venue"]}, "body.type"),
    ("a title of the wrong type", {"title": 42}, "body.title"),
    ("a 10 000-character title", {"title": LONG}, "body.title"),
    ("a NUL byte in the title", {"title": f"調理室{NUL}"}, "body.title"),
    ("a bell character in the title", {"title": "調理室\x07"}, "body.title"),
    ("a 10 000-character description", {"description": LONG}, "body.description"),
    ("a NUL byte in the conditions", {"conditions": f"条件{NUL}"}, "body.conditions"),
    ("an unknown activity field", {"fields": ["cooking"]}, "body.fields.0"),
    ("municipality codes as a string", {"municipality_codes": "102997"}, "body.municipality_codes"),
    (
        "a municipality code with a wrong check digit",
        {"municipality_codes": [WRONG_CHECK_DIGIT_MUNICIPALITY]},
        "body.municipality_codes.0",
    ),
    (
        "a municipality code in prefecture 48",
        {"municipality_codes": [PREFECTURE_48]},
        "body.municipality_codes.0",
    ),
    ("a 5-digit municipality code", {"municipality_codes": ["10299"]}, "body.municipality_codes.0"),
    ("201 municipality codes", {"municipality_codes": ["102997"] * 201}, "body.municipality_codes"),
    ("a negative service radius", {"service_radius_km": -1}, "body.service_radius_km"),
    ("a service radius of 10**30", {"service_radius_km": 10**30}, "body.service_radius_km"),
    ("a service radius as text", {"service_radius_km": "far"}, "body.service_radius_km"),
    ("capacity -1", {"availability": {"capacity": -1}}, "body.availability.capacity"),
    ("capacity 10**30", {"availability": {"capacity": 10**30}}, "body.availability.capacity"),
    ("capacity as text", {"availability": {"capacity": "many"}}, "body.availability.capacity"),
    (
        "an unknown weekday",
        {"availability": {"days_of_week": ["someday"]}},
        "body.availability.days_of_week.0",
    ),
    (
        "availability ending before it starts",
        {"availability": {"starts_on": "2024-05-01", "ends_on": "2024-04-01"}},
        "body.availability",
    ),
    (
        "an unknown availability field",
        {"availability": {"capacity": 1, "colour": "red"}},
        "body.availability.colour",
    ),
    (
        "a funding maximum below its minimum",
        {**FUNDING, "funding": {"amount_min_jpy": 100_000, "amount_max_jpy": 10}},
        "body.funding",
    ),
    (
        "a negative funding amount",
        {**FUNDING, "funding": {"amount_min_jpy": -1}},
        "body.funding.amount_min_jpy",
    ),
    (
        "a funding amount of 10**30",
        {**FUNDING, "funding": {"amount_max_jpy": 10**30}},
        "body.funding.amount_max_jpy",
    ),
    (
        "a deadline before the opening",
        {
            **FUNDING,
            "funding": {"application_opens_on": "2024-05-01", "application_deadline": "2024-04-01"},
        },
        "body.funding",
    ),
    ("an unknown status", {"status": "deleted"}, "body.status"),
    ("an unknown field", {"colour": "red"}, "body.colour"),
    ("a read-only organization_name", {"organization_name": "乗っ取り"}, "body.organization_name"),
]

RESOURCE_CREATES = [
    ("create_organization_resource", "/v1/organizations/{org}/resources", {}),
    ("create_resource", "/v1/resources", {"organization_id": "{org}"}),
]
RESOURCE_FIELD_CASES = (
    [
        Case(
            f"{endpoint} refuses {what}",
            "POST",
            path,
            422,
            where,
            json={**resource_body(**fields), **owner},
        )
        for endpoint, path, owner in RESOURCE_CREATES
        for what, fields, where in BAD_RESOURCE_FIELDS
    ]
    + [
        Case(
            f"update_resource refuses {what}",
            "PATCH",
            "/v1/resources/{res}",
            422,
            where,
            json=fields,
            headers=CURRENT,
        )
        for what, fields, where in BAD_RESOURCE_FIELDS
    ]
    + [
        Case(
            f"{endpoint} refuses funding details on a venue",
            "POST",
            path,
            422,
            "body",
            json={**resource_body(funding={"amount_min_jpy": 1}), **owner},
        )
        for endpoint, path, owner in RESOURCE_CREATES
    ]
    + [
        Case(
            "update_resource refuses funding details on a venue",
            "PATCH",
            "/v1/resources/{res}",
            422,
            "body",
            json={"funding": {"amount_min_jpy": 1}},
            headers=CURRENT,
        ),
        Case(
            "update_resource refuses a null title",
            "PATCH",
            "/v1/resources/{res}",
            422,
            "body",
            json={"title": None},
            headers=CURRENT,
        ),
        Case(
            "update_resource refuses moving the resource to another organisation",
            "PATCH",
            "/v1/resources/{res}",
            422,
            "body.organization_id",
            json={"organization_id": "{other_org}"},
            headers=CURRENT,
        ),
        Case(
            "create_resource refuses a body without organization_id",
            "POST",
            "/v1/resources",
            422,
            "body.organization_id",
            json=resource_body(),
        ),
        Case(
            "create_resource refuses an organization_id that is not an id",
            "POST",
            "/v1/resources",
            422,
            "body.organization_id",
            json=resource_body(organization_id="../../etc/passwd"),
        ),
        Case(
            "create_resource refuses an organization_id with a NUL byte",
            "POST",
            "/v1/resources",
            422,
            "body.organization_id",
            json=resource_body(organization_id=MISSING_ID + NUL),
        ),
        Case(
            "create_resource for an unknown organisation is 404",
            "POST",
            "/v1/resources",
            404,
            json=resource_body(organization_id=MISSING_ID),
        ),
        Case(
            "create_resource for a deleted organisation is 410",
            "POST",
            "/v1/resources",
            410,
            json=resource_body(organization_id="{gone_org}"),
        ),
        Case(
            "create_organization_resource for a deleted organisation is 410",
            "POST",
            "/v1/organizations/{gone_org}/resources",
            410,
            json=resource_body(),
        ),
        Case(
            "create_resource without an API key is 401",
            "POST",
            "/v1/resources",
            401,
            json=resource_body(organization_id="{org}"),
            auth=False,
        ),
    ]
)


@pytest.mark.parametrize("case", RESOURCE_FIELD_CASES, ids=ids(RESOURCE_FIELD_CASES))
def test_an_invalid_resource_field_is_refused_naming_the_field(api, world, case):
    case = Case(**{**case.__dict__, "json": _fill_body(case.json, world)})
    run(api, world, case)


CONTACT_CASES = [
    Case(
        f"replace_contacts refuses {what}",
        "PUT",
        "/v1/organizations/{org}/contacts",
        422,
        where,
        json=body,
        headers=CURRENT,
    )
    for what, body, where in [
        ("a body without items", {}, "body.items"),
        ("items as an object", {"items": {"name": "山田"}}, "body.items"),
        ("21 contacts", {"items": [{"name": "山田"}] * 21}, "body.items"),
        ("a NUL byte in a name", {"items": [{"name": f"山田{NUL}"}]}, "body.items.0.name"),
        ("a 10 000-character name", {"items": [{"name": LONG}]}, "body.items.0.name"),
        (
            "a kanji reading",
            {"items": [{"name": "山田", "name_kana": "山田"}]},
            "body.items.0.name_kana",
        ),
        ("an invalid email", {"items": [{"name": "山田", "email": "nope"}]}, "body.items.0.email"),
        (
            "a NUL byte in an email",
            {"items": [{"name": "山田", "email": f"a{NUL}b@c.jp"}]},
            "body.items.0.email",
        ),
        (
            "a phone of letters",
            {"items": [{"name": "山田", "phone": "abcdefg"}]},
            "body.items.0.phone",
        ),
        ("an unknown contact field", {"items": [{"name": "山田", "age": 3}]}, "body.items.0.age"),
        ("an unknown top-level field", {"items": [], "extra": 1}, "body.extra"),
    ]
] + [
    Case(
        "replace_contacts without an API key is 401",
        "PUT",
        "/v1/organizations/{org}/contacts",
        401,
        json={"items": []},
        headers=CURRENT,
        auth=False,
    ),
    Case(
        "reading contacts without an API key is 401",
        "GET",
        "/v1/organizations/{org}/contacts",
        401,
        auth=False,
    ),
]


@pytest.mark.parametrize("case", CONTACT_CASES, ids=ids(CONTACT_CASES))
def test_invalid_contacts_are_refused_naming_the_field(api, world, case):
    run(api, world, case)


# -- query parameters ----------------------------------------------------------------------

LISTINGS = {
    "list_organizations": "/v1/organizations",
    "list_resources": "/v1/resources",
    "list_organization_resources": "/v1/organizations/{org}/resources",
    "list_changes": "/v1/registry/changes",
}
BAD_PAGING: list[tuple[str, Any, str]] = [
    ("limit 0", {"limit": 0}, "query.limit"),
    ("limit 201", {"limit": 201}, "query.limit"),
    ("limit 10**30", {"limit": 10**30}, "query.limit"),
    ("a negative limit", {"limit": -1}, "query.limit"),
    ("a fractional limit", {"limit": "1.5"}, "query.limit"),
    ("a limit in words", {"limit": "ten"}, "query.limit"),
    ("an empty limit", {"limit": ""}, "query.limit"),
    ("a NUL byte as the limit", {"limit": NUL}, "query.limit"),
    ("a cursor over 512 characters", {"cursor": "A" * 600}, "query.cursor"),
    ("an unknown query parameter", {"colour": "red"}, "query.colour"),
    ("a misspelt filter", {"limt": "5"}, "query.limt"),
]
BAD_FILTERS: dict[str, list[tuple[str, Any, str]]] = {
    "common": [
        ("a NUL byte in the search text", {"q": f"子ども{NUL}"}, "query.q"),
        ("an escape sequence in the search text", {"q": "\x1b[2J"}, "query.q"),
        ("a 10 000-character search text", {"q": LONG}, "query.q"),
        ("an unknown activity field", {"field": "cooking"}, "query.field"),
        ("an unknown kind", {"kind": "alien"}, "query.kind"),
        ("an unknown sector", {"sector": "mafia"}, "query.sector"),
        ("updated_since in words", {"updated_since": "yesterday"}, "query.updated_since"),
        (
            "updated_since without an offset",
            {"updated_since": "2024-01-01T00:00:00"},
            "query.updated_since",
        ),
        (
            "updated_since with a NUL byte",
            {"updated_since": f"2024-01-01T00:00:00+09:00{NUL}"},
            "query.updated_since",
        ),
    ],
    "list_organizations": [
        (
            "a municipality code with a wrong check digit",
            {"municipality_code": WRONG_CHECK_DIGIT_MUNICIPALITY},
            "query.municipality_code",
        ),
        (
            "a municipality code in prefecture 48",
            {"municipality_code": PREFECTURE_48},
            "query.municipality_code",
        ),
        ("a 5-digit municipality code", {"municipality_code": "10299"}, "query.municipality_code"),
        (
            "a municipality code with a NUL byte",
            {"municipality_code": f"10299{NUL}7"},
            "query.municipality_code",
        ),
        ("prefecture 48", {"prefecture_code": "48"}, "query.prefecture_code"),
        ("prefecture 00", {"prefecture_code": "00"}, "query.prefecture_code"),
        ("a 法人番号 of letters", {"corporate_number": "abcdefghijklm"}, "query.corporate_number"),
        (
            "a 法人番号 with a NUL byte",
            {"corporate_number": f"107000500203{NUL}"},
            "query.corporate_number",
        ),
        ("certified as maybe", {"certified": "maybe"}, "query.certified"),
        ("an unknown resource type", {"resource_type": "spaceship"}, "query.resource_type"),
    ],
    "list_resources": [
        ("an unknown resource type", {"type": "spaceship"}, "query.type"),
        ("an unknown status", {"status": "deleted"}, "query.status"),
        (
            "a municipality code in prefecture 48",
            {"municipality_code": PREFECTURE_48},
            "query.municipality_code",
        ),
        (
            "an organization_id that is not an id",
            {"organization_id": "not-an-id"},
            "query.organization_id",
        ),
        (
            "an organization_id with a NUL byte",
            {"organization_id": MISSING_ID + NUL},
            "query.organization_id",
        ),
        ("an impossible deadline_from", {"deadline_from": "2024-13-01"}, "query.deadline_from"),
        ("deadline_to in words", {"deadline_to": "soon"}, "query.deadline_to"),
    ],
    "list_changes": [
        ("an unknown entity type", {"type": "event"}, "query.type"),
        ("a NUL byte as the entity type", {"type": NUL}, "query.type"),
    ],
}
BAD_FILTERS["list_organization_resources"] = BAD_FILTERS["list_resources"][:4]
QUERY_CASES = [
    Case(f"{name} refuses {what}", "GET", path, 422, where, params=params)
    for name, path in LISTINGS.items()
    for what, params, where in [
        *BAD_PAGING,
        *(BAD_FILTERS["common"] if name != "list_changes" else []),
        *BAD_FILTERS[name],
    ]
] + [
    Case(
        "import_organizations refuses dry_run=maybe",
        "POST",
        "/v1/organizations/import",
        422,
        "query.dry_run",
        params={"dry_run": "maybe"},
        content=CSV_HEADER.encode(),
        headers={"Content-Type": "text/csv"},
    ),
    Case(
        "import_organizations refuses a NUL byte as dry_run",
        "POST",
        "/v1/organizations/import",
        422,
        "query.dry_run",
        params={"dry_run": NUL},
        content=CSV_HEADER.encode(),
        headers={"Content-Type": "text/csv"},
    ),
]


@pytest.mark.parametrize("case", QUERY_CASES, ids=ids(QUERY_CASES))
def test_an_invalid_or_unknown_query_parameter_is_refused_naming_it(api, world, case):
    run(api, world, case)


# -- cursors -------------------------------------------------------------------------------


CURSOR_CASES = [
    Case(f"{name} refuses a cursor of {what}", "GET", path, 400, params={"cursor": cursor})
    for name, path in LISTINGS.items()
    for what, cursor in GARBAGE_CURSORS.items()
]


@pytest.mark.parametrize("case", CURSOR_CASES, ids=ids(CURSOR_CASES))
def test_a_cursor_the_api_did_not_issue_is_400(api, world, case):
    response = run(api, world, case)
    assert response.json()["type"] == "urn:kyodo:problem:invalid-cursor"


@pytest.mark.parametrize(
    ("listing", "cursor_of"),
    [
        ("list_organizations", "feed"),
        ("list_resources", "feed"),
        ("list_organization_resources", "feed"),
        ("list_changes", "organizations"),
    ],
)
def test_a_cursor_from_another_listing_is_400(api, world, listing, cursor_of):
    cursor = world.feed_cursor if cursor_of == "feed" else world.org_cursor
    run(api, world, Case(listing, "GET", LISTINGS[listing], 400, params={"cursor": cursor}))


# Well-formed cursors carrying hostile positions: the API may page from them or refuse
# them, but must never fail (NUL cannot even be sent to PostgreSQL; 10**30 fits no column).
HOSTILE_POSITIONS = {
    "an id with a NUL byte": {"id": NUL},
    "an id of 300 characters": {"id": "f" * 300},
    "an id with a lone surrogate": {"id": "\ud800"},
    "a sequence of 10**30": {"seq": 10**30},
    "a sequence of -(10**30)": {"seq": -(10**30)},
    "a negative sequence": {"seq": -1},
}


HOSTILE_CURSOR_CASES = [
    (listing, what)
    for listing in LISTINGS
    for what, position in HOSTILE_POSITIONS.items()
    if ("seq" if listing == "list_changes" else "id") in position
]


@pytest.mark.parametrize(("listing", "what"), HOSTILE_CURSOR_CASES)
def test_a_well_formed_cursor_with_a_hostile_position_is_never_a_server_error(
    api, world, listing, what
):
    position = HOSTILE_POSITIONS[what]
    cursor = b64({"v": 1, **position})
    before = snapshot(api.engine)
    response = api.get(world.fill(LISTINGS[listing]), params={"cursor": cursor})
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert_problem(response, 400)
    assert snapshot(api.engine) == before


def test_a_cursor_of_the_organization_listing_on_the_resource_listing_is_never_an_error(api, world):
    """Both listings page by id, so the token is interchangeable; it must not fail."""
    response = api.get("/v1/resources", params={"cursor": world.org_cursor})
    assert response.status_code in (200, 400), response.text


# -- path ids ------------------------------------------------------------------------------

BY_ID = [
    ("get_organization", "GET", "/v1/organizations/{id}", None, "organization_id"),
    ("update_organization", "PATCH", "/v1/organizations/{id}", {"name": "新"}, "organization_id"),
    ("delete_organization", "DELETE", "/v1/organizations/{id}", None, "organization_id"),
    ("get_contacts", "GET", "/v1/organizations/{id}/contacts", None, "organization_id"),
    (
        "replace_contacts",
        "PUT",
        "/v1/organizations/{id}/contacts",
        {"items": []},
        "organization_id",
    ),
    (
        "list_organization_resources",
        "GET",
        "/v1/organizations/{id}/resources",
        None,
        "organization_id",
    ),
    (
        "create_organization_resource",
        "POST",
        "/v1/organizations/{id}/resources",
        resource_body(),
        "organization_id",
    ),
    ("get_resource", "GET", "/v1/resources/{id}", None, "resource_id"),
    ("update_resource", "PATCH", "/v1/resources/{id}", {"title": "新"}, "resource_id"),
    ("delete_resource", "DELETE", "/v1/resources/{id}", None, "resource_id"),
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
    ("an unknown UUID", MISSING_ID, 404, False),
]
PATH_CASES = (
    [
        Case(
            f"{name} refuses {what}",
            method,
            path.replace("{id}", raw),
            status,
            f"path.{param}" if named else None,
            json=body if body is not None else _NO_BODY,
            headers={"If-Match": "*"},
        )
        for name, method, path, body, param in BY_ID
        for what, raw, status, named in BAD_IDS
    ]
    + [
        Case(
            f"{name} of a deleted record is 410",
            method,
            path.replace("{id}", "{gone_org}" if param == "organization_id" else "{gone_res}"),
            410,
            json=body if body is not None else _NO_BODY,
            headers={"If-Match": "*"},
        )
        for name, method, path, body, param in BY_ID
    ]
    + [
        Case(
            "a path escaping the organisations with ../ is 404",
            "GET",
            "/v1/organizations/..%2F..%2Fhealthz",
            404,
        ),
        Case(
            "a path with an extra segment is 404", "GET", "/v1/organizations/{org}/contacts/x", 404
        ),
        Case(
            "an unsupported method is 405",
            "PUT",
            "/v1/organizations/{org}",
            405,
            json=organization_body(),
        ),
        Case("DELETE on the collection is 405", "DELETE", "/v1/organizations", 405),
    ]
)


@pytest.mark.parametrize("case", PATH_CASES, ids=ids(PATH_CASES))
def test_a_bad_or_unknown_path_id_is_refused(api, world, case):
    run(api, world, case)


# -- If-Match ------------------------------------------------------------------------------

CONDITIONAL_WRITES = [
    ("update_organization", "PATCH", "/v1/organizations/{org}", {"name": "新しい名前"}),
    ("delete_organization", "DELETE", "/v1/organizations/{org}", None),
    ("replace_contacts", "PUT", "/v1/organizations/{org}/contacts", {"items": []}),
    ("update_resource", "PATCH", "/v1/resources/{res}", {"title": "新しい題"}),
    ("delete_resource", "DELETE", "/v1/resources/{res}", None),
]
IF_MATCH_CASES = [
    Case(
        f"{name} {what}",
        method,
        path,
        status,
        where,
        json=body if body is not None else _NO_BODY,
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


def test_an_etag_goes_stale_once_the_organization_changes(api, world):
    url = f"/v1/organizations/{world.org}"
    assert api.patch(url, json={"name": "改名"}, headers={**AUTH, **CURRENT}).status_code == 200
    for method, path, body in [
        ("PATCH", url, {"name": "また改名"}),
        ("PUT", url + "/contacts", {"items": []}),
        ("DELETE", url, None),
    ]:
        case = Case(
            f"{method} {path}",
            method,
            path,
            412,
            json=body if body is not None else _NO_BODY,
            headers=CURRENT,
        )
        run(api, world, case)


# -- Idempotency-Key -----------------------------------------------------------------------

CREATES = [
    ("create_organization", "/v1/organizations", organization_body(), None),
    ("create_organization_resource", "/v1/organizations/{org}/resources", resource_body(), None),
    ("create_resource", "/v1/resources", {**resource_body(), "organization_id": "{org}"}, None),
    ("import_organizations", "/v1/organizations/import", None, CSV_HEADER + "会,company,102997,\n"),
]
BAD_KEYS: dict[str, bytes] = {
    "a key of 256 characters": b"k" * 256,
    "a key of 10 000 characters": LONG.encode(),
    "a non-ASCII key": "冪等キー".encode(),
    "a Latin-1 key": "clé".encode("latin-1"),
    "an empty key": b"",
    "a key with a space": b"my key",
    "a key with a tab": b"my\tkey",
    "a key with DEL": b"key\x7f",
}
IDEMPOTENCY_CASES = [
    Case(
        f"{name} refuses {what}",
        "POST",
        path,
        400,
        json=body if body is not None else _NO_BODY,
        content=csv.encode() if csv is not None else None,
        headers={"Idempotency-Key": key, **({"Content-Type": "text/csv"} if csv else {})},
    )
    for name, path, body, csv in CREATES
    for what, key in BAD_KEYS.items()
]


@pytest.mark.parametrize("case", IDEMPOTENCY_CASES, ids=ids(IDEMPOTENCY_CASES))
def test_a_bad_idempotency_key_is_400(api, world, case):
    case = Case(**{**case.__dict__, "json": _fill_body(case.json, world)})
    response = run(api, world, case)
    assert response.json()["type"] == "urn:kyodo:problem:invalid-idempotency-key"


def test_an_idempotency_key_reused_for_another_body_is_422_and_writes_nothing(api, world):
    headers = {"Idempotency-Key": "same-key-twice"}
    first = api.post(
        "/v1/organizations", json=organization_body(name="最初の会"), headers={**AUTH, **headers}
    )
    assert first.status_code == 201
    case = Case(
        "reuse",
        "POST",
        "/v1/organizations",
        422,
        json=organization_body(name="別の会"),
        headers=headers,
    )
    response = run(api, world, case)
    assert response.json()["type"] == "urn:kyodo:problem:idempotency-key-reused"


def test_a_failed_first_attempt_frees_its_idempotency_key(api, world):
    headers = {"Idempotency-Key": "retry-after-fix"}
    bad = Case(
        "bad",
        "POST",
        "/v1/organizations",
        422,
        "body.municipality_code",
        json=organization_body(municipality_code=PREFECTURE_48),
        headers=headers,
    )
    run(api, world, bad)
    again = api.post("/v1/organizations", json=organization_body(), headers={**AUTH, **headers})
    assert again.status_code == 201, again.text


# -- oversized and chunked bodies ----------------------------------------------------------


OVERSIZED_CASES = [
    *oversized_json_cases(JSON_ENDPOINTS),
    Case(
        "import_organizations refuses a CSV over 10 MiB",
        "POST",
        "/v1/organizations/import",
        413,
        content=(CSV_HEADER + "会,company,102997,\n" * (TEN_MIB // 18 + 10)).encode(),
        headers={"Content-Type": "text/csv"},
    ),
    Case(
        "a body over the limit is refused even without an API key",
        "POST",
        "/v1/organizations",
        413,
        content=oversized_json({"x": 1}),
        headers=JSON_CT,
        auth=False,
    ),
    Case(
        "a Content-Length over the limit is refused before the body is read",
        "POST",
        "/v1/organizations",
        413,
        content=b"{}",
        headers={**JSON_CT, "Content-Length": str(10**30)},
    ),
]


@pytest.mark.parametrize("case", OVERSIZED_CASES, ids=ids(OVERSIZED_CASES))
def test_a_body_over_the_limit_is_413(api, world, case):
    run(api, world, case)


CHUNKED = [
    (endpoint, method, path, headers, ONE_MIB)
    for endpoint, method, path, _, headers in JSON_ENDPOINTS
] + [("import_organizations", "POST", "/v1/organizations/import", {}, TEN_MIB)]


CHUNKED_CASES = [
    pytest.param(*case, with_key, id=f"{case[0]}-{'with Idempotency-Key' if with_key else 'plain'}")
    for case in CHUNKED
    for with_key in (False, True)
    if case[1] == "POST" or not with_key  # Idempotency-Key applies to POST only
]


@pytest.mark.parametrize(
    ("endpoint", "method", "path", "headers", "limit", "with_key"), CHUNKED_CASES
)
def test_a_chunked_body_without_content_length_over_the_limit_is_413(
    api, world, endpoint, method, path, headers, limit, with_key
):
    content_type = "text/csv" if endpoint == "import_organizations" else "application/json"
    extra = {"Idempotency-Key": "chunked"} if with_key else {}
    before = snapshot(api.engine)
    response = api.request(
        method,
        world.fill(path),
        content=chunks(limit + 1),
        headers={**AUTH, **headers, **extra, "Content-Type": content_type},
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)
    assert snapshot(api.engine) == before


# -- CSV import ----------------------------------------------------------------------------

GOOD_ROW = "さくら子ども会,任意団体,102997,\n"
IMPORT = "/v1/organizations/import"
CSV_OK = {"Content-Type": "text/csv"}


def csv_case(
    what: str,
    text: str | bytes,
    status: int | tuple[int, ...],
    where: str | None,
    headers: dict[str, str] | None = None,
) -> Case:
    raw = text.encode() if isinstance(text, str) else text
    return Case(
        f"import_organizations refuses {what}",
        "POST",
        IMPORT,
        status,
        where,
        content=raw,
        headers=CSV_OK if headers is None else headers,
    )


CSV_CASES = [
    csv_case("a JSON content type", CSV_HEADER + GOOD_ROW, 415, None, JSON_CT),
    csv_case("text/plain", CSV_HEADER + GOOD_ROW, 415, None, {"Content-Type": "text/plain"}),
    csv_case("a body without a content type", CSV_HEADER + GOOD_ROW, 415, None, {}),
    csv_case(
        "multipart/form-data",
        CSV_HEADER + GOOD_ROW,
        415,
        None,
        {"Content-Type": "multipart/form-data; boundary=x"},
    ),
    csv_case(
        "an unknown charset",
        CSV_HEADER + GOOD_ROW,
        422,
        "body",
        {"Content-Type": "text/csv; charset=klingon"},
    ),
    csv_case(
        "CP932 bytes labelled UTF-8",
        (CSV_HEADER + GOOD_ROW).encode("cp932"),
        422,
        "body",
        {"Content-Type": "text/csv; charset=utf-8"},
    ),
    csv_case(
        "bytes that are neither UTF-8 nor CP932",
        CSV_HEADER.encode() + b"\x81\x20,\x85\x40\n",
        422,
        "body",
    ),
    csv_case("UTF-16 text", (CSV_HEADER + GOOD_ROW).encode("utf-16"), 422, "body"),
    csv_case("an empty file", "", 422, None),
    csv_case(
        "a header with an unknown column",
        "name,kind,municipality_code,colour\n",
        422,
        "row 1.colour",
    ),
    csv_case("a header without a required column", "name,kind\n", 422, "row 1"),
    csv_case("a duplicate column", "name,kind,municipality_code,name\n", 422, "row 1"),
    csv_case(
        "one bad municipality code among good rows",
        CSV_HEADER + GOOD_ROW + f"悪い会,任意団体,{PREFECTURE_48},\n" + GOOD_ROW,
        422,
        "row 3.municipality_code",
    ),
    csv_case(
        "one bad 法人番号 among good rows",
        CSV_HEADER + GOOD_ROW + f"悪い会,企業,102997,{WRONG_CHECK_DIGIT_CORPORATE}\n",
        422,
        "row 3.corporate_number",
    ),
    csv_case(
        "a 法人番号 already registered",
        CSV_HEADER + GOOD_ROW + "重複会,企業,102997,1070005002034\n",
        422,
        "row 3.corporate_number",
    ),
    csv_case(
        "the same 法人番号 twice in the file",
        CSV_HEADER + "甲,企業,102997,5011101000004\n乙,企業,102997,5011101000004\n",
        422,
        "row 3.corporate_number",
    ),
    csv_case(
        "an unknown kind", CSV_HEADER + GOOD_ROW + "謎の会,秘密結社,102997,\n", 422, "row 3.kind"
    ),
    csv_case(
        "an unknown activity field",
        "name,kind,municipality_code,fields\n会,任意団体,102997,料理;13\n",
        422,
        "row 2.fields.0",
    ),
    csv_case(
        "a row with too many cells",
        CSV_HEADER + GOOD_ROW + "会,任意団体,102997,,extra\n",
        422,
        "row 3",
    ),
    csv_case(
        "a NUL byte in a cell", CSV_HEADER + f"さくら{NUL}会,任意団体,102997,\n", 422, "row 2.name"
    ),
    csv_case(
        "an escape sequence in a cell",
        CSV_HEADER + "\x1b[2Jさくら,任意団体,102997,\n",
        422,
        "row 2.name",
    ),
    csv_case(
        "a 10 000-character name", CSV_HEADER + f"{LONG},任意団体,102997,\n", 422, "row 2.name"
    ),
    csv_case(
        "a 200 000-character cell (over the csv module's field limit)",
        CSV_HEADER + f"{'x' * 200_000},任意団体,102997,\n",
        422,
        None,
    ),
    csv_case(
        "an unterminated quoted cell", CSV_HEADER + GOOD_ROW + '"会,任意団体,102997,\n', 422, None
    ),
    csv_case(
        "latitude 91",
        "name,kind,municipality_code,latitude,longitude\n会,任意団体,102997,91,139\n",
        422,
        "row 2.latitude",
    ),
    csv_case("more than 10 000 rows", CSV_HEADER + GOOD_ROW * 10_001, 422, None),
]


@pytest.mark.parametrize("case", CSV_CASES, ids=ids(CSV_CASES))
def test_a_bad_csv_import_is_refused_whole(api, world, case):
    run(api, world, case)


@pytest.mark.parametrize("dry_run", ["false", "true"])
def test_a_bad_row_fails_the_whole_import_in_either_mode(api, world, dry_run):
    text = CSV_HEADER + GOOD_ROW * 3 + f"悪い会,任意団体,{WRONG_CHECK_DIGIT_MUNICIPALITY},\n"
    case = Case(
        "bad row",
        "POST",
        IMPORT,
        422,
        "row 5.municipality_code",
        content=text.encode("cp932"),
        params={"dry_run": dry_run},
        headers={"Content-Type": "text/csv; charset=Shift_JIS"},
    )
    response = run(api, world, case)
    assert "nothing was imported" in response.json()["detail"]


def test_an_import_without_an_api_key_is_401(api, world):
    case = Case(
        "anonymous import",
        "POST",
        IMPORT,
        401,
        content=(CSV_HEADER + GOOD_ROW).encode(),
        headers=CSV_OK,
        auth=False,
    )
    run(api, world, case)


# -- properties ----------------------------------------------------------------------------

ORGANIZATION_KEYS = sorted(
    {*organization_body(), "corporate_number", "latitude", "longitude", "website", "email"}
    | {"phone", "contacts", "certification", "established_on", "postal_code"}
)
RESOURCE_KEYS = sorted(
    {*resource_body(), "organization_id", "availability", "funding", "service_radius_km"}
    | {"status", "conditions"}
)


def _check_property(api, world: World, url: str, body: dict[str, Any]) -> None:
    before = snapshot(api.engine)
    response = api.post(url, content=json.dumps(body).encode(), headers={**AUTH, **JSON_CT})
    assert response.status_code < 500, response.text
    after = snapshot(api.engine)
    if response.status_code == 201:
        # Exactly one record and its one event.
        assert len(after["outbox"]) == len(before["outbox"]) + 1
        return
    assert_problem(response, (400, 404, 409, 410, 422))
    assert after == before, "a refused create changed stored data"


PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(body=bodies(organization_body(), ORGANIZATION_KEYS))
def test_any_json_object_posted_as_an_organization_is_a_4xx_or_a_201_and_only_201_writes(
    api, world, body
):
    _check_property(api, world, "/v1/organizations", body)


@PROPERTY_SETTINGS
@given(
    body=bodies({**resource_body(), "organization_id": "{org}"}, RESOURCE_KEYS),
    owner=st.sampled_from(["{org}", "{gone_org}", MISSING_ID, "not-an-id"]),
)
def test_any_json_object_posted_as_a_resource_is_a_4xx_or_a_201_and_only_201_writes(
    api, world, body, owner
):
    if body.get("organization_id") == "{org}":
        body = {**body, "organization_id": world.fill(owner)}
    _check_property(api, world, "/v1/resources", body)
