"""Scopes in the matching service (OWASP API5), with keys made through the gateway.

Which organisation may write or see an issue or a match is specified in
``tests/matching`` (test_issues_access.py, test_matches_visibility.py). What they
leave out is here: a key of the right organisation without `matching:write` is
refused with 403 `insufficient_scope`, anonymous issue writes with 401, and
either refusal leaves issues and matches as they were.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import AUTH
from hostile import assert_problem

NO_MATCHING_WRITE = ("registry:write", "events:write")
MUNICIPALITY = "102997"


def issue_body(organization_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organization_id": organization_id,
        "title": "こども食堂の会場を探しています",
        "description": "毎週土曜のこども食堂に使える調理室が必要です。",
        "fields": ["child_development"],
        "needed_resource_types": ["venue"],
        "municipality_code": MUNICIPALITY,
        "origin": "citizen_proposed",
    }
    body.update(overrides)
    return body


@pytest.fixture
def world(api, make_org, make_resource, make_key) -> dict[str, Any]:
    """An issue of a こども食堂 network, a match with a neighbourhood association's
    kitchen, and keys of both sides."""
    issue_org = make_org(name="桜ヶ丘こども食堂ネットワーク", kind="volunteer_group")
    partner = make_org(name="本町自治会", kind="neighbourhood_association")
    resource = make_resource(partner["id"], type="venue", title="公民館の調理室")
    issue = api.post("/v1/issues", json=issue_body(issue_org["id"]), headers=AUTH)
    assert issue.status_code == 201, issue.text
    match = api.post(
        "/v1/matches",
        json={"issue_id": issue.json()["id"], "resource_id": resource["id"]},
        headers=AUTH,
    )
    assert match.status_code == 201, match.text
    return {
        "org": issue_org["id"],
        "issue": issue.json()["id"],
        "match": match.json()["id"],
        "resource": resource["id"],
        "issue side": make_key(issue_org["id"]),
        "issue side without matching:write": make_key(issue_org["id"], scopes=NO_MATCHING_WRITE),
        "partner side without matching:write": make_key(partner["id"], scopes=NO_MATCHING_WRITE),
    }


def stored(api: Any, world: dict[str, Any]) -> Any:
    issues = api.get("/v1/issues", params={"status": ["draft", "open", "matched"]}, headers=AUTH)
    match = api.get(f"/v1/matches/{world['match']}", headers=AUTH)
    return issues.json(), match.json()


ISSUE_WRITES: dict[str, tuple[str, str, Any]] = {
    "post an issue": ("POST", "/v1/issues", issue_body("{org}", title="別の課題")),
    "update the issue": ("PATCH", "/v1/issues/{issue}", {"title": "書き換え"}),
    "close the issue": ("PATCH", "/v1/issues/{issue}", {"status": "closed"}),
    "delete the issue": ("DELETE", "/v1/issues/{issue}", None),
}
MATCH_OPERATIONS: dict[str, tuple[str, str, Any]] = {
    "propose a match": (
        "POST",
        "/v1/matches",
        {"issue_id": "{issue}", "resource_id": "{resource}"},
    ),
    "list matches": ("GET", "/v1/matches", None),
    "read the match": ("GET", "/v1/matches/{match}", None),
    "move the match": ("POST", "/v1/matches/{match}/transitions", {"to": "in_discussion"}),
    "note progress": ("POST", "/v1/matches/{match}/progress-notes", {"note": "打合せ済み"}),
}


def send(api: Any, world: dict[str, Any], operation: tuple[str, str, Any], caller: str) -> Any:
    method, path, body = operation
    headers = {**world.get(caller, {}), "If-Match": "*"}
    if body is not None:
        body = {k: v.format(**world) if isinstance(v, str) else v for k, v in body.items()}
    return api.request(method, path.format(**world), json=body, headers=headers)


@pytest.mark.parametrize("caller", ["issue side without matching:write"])
@pytest.mark.parametrize("operation", [*ISSUE_WRITES, *MATCH_OPERATIONS])
def test_a_key_without_matching_write_gets_insufficient_scope(api, world, operation, caller):
    before = stored(api, world)
    response = send(api, world, {**ISSUE_WRITES, **MATCH_OPERATIONS}[operation], caller)
    assert_problem(response, 403)
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="matching:write"' in challenge
    assert stored(api, world) == before


@pytest.mark.parametrize("operation", list(MATCH_OPERATIONS))
def test_the_partner_side_without_matching_write_gets_insufficient_scope(api, world, operation):
    before = stored(api, world)
    response = send(api, world, MATCH_OPERATIONS[operation], "partner side without matching:write")
    assert_problem(response, 403)
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert stored(api, world) == before


@pytest.mark.parametrize("operation", list(ISSUE_WRITES))
def test_anonymous_issue_writes_get_401(api, world, operation):
    before = stored(api, world)
    response = send(api, world, ISSUE_WRITES[operation], "anonymous")
    assert_problem(response, 401)
    assert stored(api, world) == before


def test_the_same_organisation_with_the_scope_may(api, world):
    update = send(api, world, ISSUE_WRITES["update the issue"], "issue side")
    assert update.status_code == 200, update.text
    read = send(api, world, MATCH_OPERATIONS["read the match"], "issue side")
    assert read.status_code == 200, read.text
