"""Hostile input to the issue and ranking endpoints: a 4xx problem, never a 500, never a write.

The same campaign as the registry's and the events service's (see ``tests/hostile.py``):
one world per backend, one hostile request per case, every row of the matching and
registry databases compared before and after (``feed_position.updated_at`` aside:
every catch-up with the registry's feed stamps it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import AUTH, SERVICE_TABLES, forget_rankings, organization_body, resource_body
from fastapi.testclient import TestClient
from hostile import (
    BAD_IF_MATCH,
    GARBAGE_CURSORS,
    JSON_CT,
    LONG,
    MISSING_ID,
    NO_BODY,
    NUL,
    PREFECTURE_48,
    RAW_BODIES,
    WRONG_CHECK_DIGIT_MUNICIPALITY,
    Case,
    bodies,
    empty_tables,
    fill_body,
    fill_template,
    ids,
    oversized_json_cases,
    run_case,
    snapshot_tables,
)
from hypothesis import HealthCheck, given, settings
from test_issues_api import issue_body

from gateway.main import create_app

MATCHING_TABLES = {
    "case_study": "id",
    "match": "id",
    "issue": "id",
    "resource_doc": "id",
    "organization_doc": "id",
    "feed_position": "source",
    "fitted_weights": "id",
    "outbox": "seq",
    "idempotency_key": "client_scope, key",
}
assert set(MATCHING_TABLES) == set(SERVICE_TABLES["matching"])
REGISTRY_TABLES = {
    "resource": "id",
    "organization": "id",
    "outbox": "seq",
    "idempotency_key": "client_scope, key",
}
VOLATILE = {"feed_position": {"updated_at"}}


@dataclasses.dataclass
class World:
    refs: dict[str, str]
    cursor: str
    baseline: dict[str, Any] = dataclasses.field(default_factory=dict)

    def fill(self, template: str) -> str:
        return fill_template(template, {**self.refs, "missing": MISSING_ID})


def snapshot(client: Any) -> dict[str, Any]:
    return {
        "matching": snapshot_tables(client.engine, MATCHING_TABLES, VOLATILE),
        "registry": snapshot_tables(client.registry_engine, REGISTRY_TABLES),
    }


@pytest.fixture(scope="module")
def client(services) -> Iterator[TestClient]:
    with TestClient(create_app(services), base_url="http://kyodo.test") as test_client:
        test_client.engine = services["matching"].state.engine  # type: ignore[attr-defined]
        test_client.registry_engine = services["registry"].state.engine  # type: ignore[attr-defined]
        test_client.world = None  # type: ignore[attr-defined]
        test_client.services = services  # type: ignore[attr-defined]
        yield test_client


@pytest.fixture
def api(client) -> TestClient:
    """This module's client (shadows conftest's, which would empty the databases per test)."""
    return client


@pytest.fixture
def world(client) -> World:
    current: World | None = client.world
    if current is None or snapshot(client) != current.baseline:
        empty_tables(client.registry_engine, list(REGISTRY_TABLES))
        empty_tables(client.engine, list(MATCHING_TABLES))
        forget_rankings(client.services)
        current = client.world = _build_world(client)
        current.baseline = snapshot(client)
    return current


def _build_world(api: TestClient) -> World:
    refs: dict[str, str] = {}

    def post(name: str, url: str, body: dict[str, Any]) -> None:
        response = api.post(fill_template(url, refs), json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        refs[name] = response.json()["id"]

    post("org", "/v1/organizations", organization_body())
    post(
        "other_org",
        "/v1/organizations",
        organization_body(name="桜ヶ丘食品株式会社", kind="company"),
    )
    post("resource", "/v1/organizations/{other_org}/resources", resource_body(type="goods"))
    post("gone_resource", "/v1/organizations/{other_org}/resources", resource_body())
    gone = api.delete(f"/v1/resources/{refs['gone_resource']}", headers={**AUTH, "If-Match": "*"})
    assert gone.status_code == 204
    post("issue", "/v1/issues", issue_body(refs["org"]))
    post("second_issue", "/v1/issues", issue_body(refs["org"], title="二つめの課題"))
    post("draft", "/v1/issues", issue_body(refs["org"], status="draft"))
    post("gone_issue", "/v1/issues", issue_body(refs["org"], title="取り下げた課題"))
    deleted = api.delete(f"/v1/issues/{refs['gone_issue']}", headers={**AUTH, "If-Match": "*"})
    assert deleted.status_code == 204
    # The read model learns of the deleted resource when a ranking catches up.
    ranked = api.get(f"/v1/resources/{refs['resource']}/opportunities")
    assert ranked.status_code == 200, ranked.text
    cursor = api.get("/v1/issues", params={"limit": 1}).json()["next_cursor"]
    assert cursor
    return World(refs, cursor)


def run(api: Any, world: World, case: Case) -> Any:
    return run_case(api, world, case, lambda: snapshot(api))


CURRENT = {"If-Match": '"1"'}
JSON_ENDPOINTS: list[tuple[str, str, str, dict[str, Any], dict[str, str]]] = [
    ("create_issue", "POST", "/v1/issues", issue_body("{org}"), {}),
    ("update_issue", "PATCH", "/v1/issues/{issue}", {"title": "新しい題"}, CURRENT),
]

# -- bodies --------------------------------------------------------------------------------

BODY_CASES = (
    [
        Case(
            f"{name}: {what}",
            method,
            path,
            status,
            field,
            content=raw,
            headers={**JSON_CT, **headers},
        )
        for name, method, path, _, headers in JSON_ENDPOINTS
        for what, raw, status, field in RAW_BODIES
    ]
    + [
        Case(
            f"create_issue: {what}",
            "POST",
            "/v1/issues",
            status,
            field,
            json={**issue_body("{org}"), **change},
        )
        for what, change, status, field in [
            ("unknown organisation", {"organization_id": MISSING_ID}, 422, "organization_id"),
            ("organisation id not a UUID", {"organization_id": "org-1"}, 422, "organization_id"),
            ("a title of 10 000 characters", {"title": LONG}, 422, "title"),
            ("a NUL in the title", {"title": f"a{NUL}b"}, 422, "title"),
            ("a lone surrogate in the title", {"title": "\ud800"}, 422, "title"),
            ("a description over 4 000", {"description": "あ" * 4001}, 422, "description"),
            ("no needed types", {"needed_resource_types": []}, 422, "needed_resource_types"),
            ("eleven needed types", {"needed_resource_types": ["goods"] * 11}, 422, "needed"),
            ("an unknown field of activity", {"fields": ["cooking"]}, 422, "fields"),
            ("fields not a list", {"fields": "child_development"}, 422, "fields"),
            ("prefecture 48", {"municipality_code": PREFECTURE_48}, 422, "municipality_code"),
            (
                "wrong check digit",
                {"municipality_code": WRONG_CHECK_DIGIT_MUNICIPALITY},
                422,
                "code",
            ),
            ("latitude 91", {"latitude": 91, "longitude": 139}, 422, "latitude"),
            ("latitude NaN as a string", {"latitude": "NaN", "longitude": 139}, 422, "latitude"),
            ("a year-1 date", {"starts_on": "0001-01-01"}, 422, "body"),
            ("a date that is no date", {"ends_on": "2027-02-30"}, 422, "ends_on"),
            ("status matched at birth", {"status": "matched"}, 422, "status"),
            ("mass-assigned id", {"id": MISSING_ID}, 422, "id"),
            ("mass-assigned version", {"version": 5}, 422, "version"),
            (
                "mass-assigned created_at",
                {"created_at": "2020-01-01T00:00:00+09:00"},
                422,
                "created",
            ),
            ("eleven notes", {"resource_notes": [{"type": "goods"}] * 11}, 422, "resource_notes"),
            ("a note with an extra key", {"resource_notes": [{"type": "goods", "x": 1}]}, 422, "x"),
        ]
    ]
    + [
        Case(
            f"update_issue: {what}",
            "PATCH",
            "/v1/issues/{issue}",
            status,
            field,
            json=change,
            headers=CURRENT,
        )
        for what, change, status, field in [
            (
                "moving the issue to another organisation",
                {"organization_id": "{other_org}"},
                422,
                "org",
            ),
            ("a null title", {"title": None}, 422, "body"),
            ("a null status", {"status": None}, 422, "body"),
            ("an unknown status", {"status": "done"}, 422, "status"),
            ("back to draft", {"status": "draft"}, 409, None),
            ("an end before the start", {"ends_on": "2026-01-01"}, 422, "body"),
            ("needed types emptied", {"needed_resource_types": []}, 422, "needed_resource_types"),
            ("a note for a type not needed", {"resource_notes": [{"type": "venue"}]}, 422, "body"),
            ("mass-assigned version", {"version": 9}, 422, "version"),
        ]
    ]
)


@pytest.mark.parametrize("case", BODY_CASES, ids=ids(BODY_CASES))
def test_a_bad_body_is_refused(api, world, case):
    run(api, world, case)


# -- paths ---------------------------------------------------------------------------------

BY_ID = [
    ("GET", "/v1/issues/{id}", None),
    ("PATCH", "/v1/issues/{id}", {"title": "x"}),
    ("DELETE", "/v1/issues/{id}", None),
    ("GET", "/v1/issues/{id}/candidates", None),
    ("GET", "/v1/issues/{id}/coalitions", None),
]
PATH_CASES = (
    [
        Case(
            f"{method} {path} with {what}",
            method,
            path.format(id=bad),
            status,
            json=body or NO_BODY,
            headers={"If-Match": "*"},
        )
        for method, path, body in BY_ID
        for what, bad, status in [
            ("an id that is no UUID", "issue-1", 422),
            ("SQL in the id", "1%27%20OR%201=1--", 422),
            ("a missing id", MISSING_ID, 404),
            ("a deleted issue", "{gone_issue}", 410),
        ]
    ]
    + [
        Case(f"opportunities of {what}", "GET", f"/v1/resources/{bad}/opportunities", status)
        for what, bad, status in [
            ("an id that is no UUID", "res-1", 422),
            ("a missing resource", MISSING_ID, 404),
            ("a deleted resource", "{gone_resource}", 410),
        ]
    ]
    + [
        Case("a draft is not public", "GET", "/v1/issues/{draft}", 404, auth=False),
        Case(
            "candidates of a draft are not public",
            "GET",
            "/v1/issues/{draft}/candidates",
            404,
            auth=False,
        ),
        Case(
            "an unsupported method is 405",
            "PUT",
            "/v1/issues/{issue}",
            405,
            json=issue_body("{org}"),
        ),
        Case("DELETE on the collection is 405", "DELETE", "/v1/issues", 405),
        Case("POST on candidates is 405", "POST", "/v1/issues/{issue}/candidates", 405, json={}),
        Case("an extra segment is 404", "GET", "/v1/issues/{issue}/candidates/x", 404),
    ]
)


@pytest.mark.parametrize("case", PATH_CASES, ids=ids(PATH_CASES))
def test_a_bad_or_unknown_path_is_refused(api, world, case):
    run(api, world, case)


# -- query parameters ----------------------------------------------------------------------

QUERY_CASES = [
    Case(f"{path} with {what}", "GET", path, status, field, params=params)
    for path, cases in [
        (
            "/v1/issues",
            [
                ("limit 0", {"limit": 0}, 422, "limit"),
                ("limit 201", {"limit": 201}, 422, "limit"),
                ("an unknown status", {"status": "done"}, 422, "status"),
                ("an unknown parameter", {"colour": "red"}, 422, "colour"),
                ("a q of 10 000 characters", {"q": LONG}, 422, "q"),
                ("a NUL in q", {"q": NUL}, 422, "q"),
                ("51 fields", {"field": ["health_welfare"] * 51}, 422, "field"),
                ("prefecture 48", {"prefecture_code": "48"}, 422, "prefecture_code"),
                ("a bad updated_since", {"updated_since": "yesterday"}, 422, "updated_since"),
                *[(f"a cursor: {k}", {"cursor": v}, 400, None) for k, v in GARBAGE_CURSORS.items()],
            ],
        ),
        (
            "/v1/issues/{issue}/candidates",
            [
                ("limit 0", {"limit": 0}, 422, "limit"),
                ("limit 101", {"limit": 101}, 422, "limit"),
                ("limit not a number", {"limit": "ten"}, 422, "limit"),
                ("an unknown type", {"resource_type": "money"}, 422, "resource_type"),
                ("an unknown sector", {"sector": "mafia"}, 422, "sector"),
                ("a bad municipality", {"municipality_code": PREFECTURE_48}, 422, "municipality"),
                ("an unknown parameter", {"weights": "text:1"}, 422, "weights"),
            ],
        ),
        (
            "/v1/issues/{issue}/coalitions",
            [
                ("0 proposals", {"proposals": 0}, 422, "proposals"),
                ("11 proposals", {"proposals": 11}, 422, "proposals"),
                ("max_size 9", {"max_size": 9}, 422, "max_size"),
            ],
        ),
        (
            "/v1/resources/{resource}/opportunities",
            [
                ("limit 1000", {"limit": 1000}, 422, "limit"),
                ("an unknown parameter", {"q": "x"}, 422, "q"),
            ],
        ),
    ]
    for what, params, status, field in cases
]


@pytest.mark.parametrize("case", QUERY_CASES, ids=ids(QUERY_CASES))
def test_a_bad_query_is_refused(api, world, case):
    run(api, world, case)


def test_listing_drafts_needs_a_key(api, world):
    case = Case("drafts", "GET", "/v1/issues", 401, params={"status": "draft"}, auth=False)
    run(api, world, case)


def test_a_cursor_of_another_listing_is_refused(api, world):
    other = api.get("/v1/organizations", params={"limit": 1}).json()["next_cursor"]
    run(api, world, Case("registry cursor", "GET", "/v1/issues", 400, params={"cursor": other}))
    assert api.get("/v1/issues", params={"cursor": world.cursor}).status_code == 200


# -- preconditions, keys, sizes ------------------------------------------------------------

IF_MATCH_CASES = [
    Case(f"{name} {what}", method, "/v1/issues/{issue}", status, where, json=body, headers=headers)
    for name, method, body in [
        ("update", "PATCH", {"title": "新しい題"}),
        ("delete", "DELETE", NO_BODY),
    ]
    for what, headers, status, where in BAD_IF_MATCH
]


@pytest.mark.parametrize("case", IF_MATCH_CASES, ids=ids(IF_MATCH_CASES))
def test_a_write_without_the_current_etag_is_refused(api, world, case):
    run(api, world, case)


AUTH_CASES = [
    Case("create without a key", "POST", "/v1/issues", 401, json=issue_body("{org}"), auth=False),
    Case(
        "update without a key",
        "PATCH",
        "/v1/issues/{issue}",
        401,
        json={},
        headers=CURRENT,
        auth=False,
    ),
    Case("delete without a key", "DELETE", "/v1/issues/{issue}", 401, headers=CURRENT, auth=False),
    Case(
        "a wrong key",
        "POST",
        "/v1/issues",
        401,
        json=issue_body("{org}"),
        auth=False,
        headers={"Authorization": "Bearer nope"},
    ),
    Case(
        "a wrong key on a read",
        "GET",
        "/v1/issues/{issue}/candidates",
        401,
        auth=False,
        headers={"Authorization": "Bearer nope"},
    ),
    Case(
        "a bad Idempotency-Key",
        "POST",
        "/v1/issues",
        400,
        json=issue_body("{org}"),
        headers={"Idempotency-Key": "k" * 256},
    ),
]


@pytest.mark.parametrize("case", AUTH_CASES, ids=ids(AUTH_CASES))
def test_unauthenticated_or_malformed_writes_are_refused(api, world, case):
    run(api, world, case)


OVERSIZED_CASES = oversized_json_cases(JSON_ENDPOINTS)


@pytest.mark.parametrize("case", OVERSIZED_CASES, ids=ids(OVERSIZED_CASES))
def test_a_body_over_the_limit_is_413(api, world, case):
    run(api, world, case)


ISSUE_KEYS = sorted({*issue_body("x"), "latitude", "longitude", "status", "id"})


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies(issue_body("{org}"), ISSUE_KEYS))
def test_any_json_object_posted_as_an_issue_is_a_4xx_or_a_201(api, world, body):
    before = snapshot(api)
    response = api.post("/v1/issues", json=fill_body(body, world), headers=AUTH)
    assert response.status_code in (201, 401, 409, 422), response.text
    if response.status_code != 201:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert snapshot(api) == before
