"""Object-level rules of issues: only an issue's organisation writes it or sees its drafts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import AUTH
from test_issues_api import issue_body, post_issue
from test_matches_kit import bearer, bind_keys, org_client


@pytest.fixture
def keys(api, services, make_org) -> Iterator[dict[str, Any]]:
    """Organisation A (with a key), organisation B (with a key), and A's open and draft issues."""
    a, b = (
        make_org(name="A こども食堂"),
        make_org(name="B 自治会", kind="neighbourhood_association"),
    )
    undo = bind_keys(api, {"key-a": org_client("a", a["id"]), "key-b": org_client("b", b["id"])})
    try:
        yield {
            "a": a,
            "b": b,
            "open": post_issue(api, a["id"]),
            "draft": post_issue(api, a["id"], title="下書きの課題", status="draft"),
        }
    finally:
        undo()


def test_an_organisation_posts_only_its_own_issues(api, keys):
    mine = api.post("/v1/issues", json=issue_body(keys["a"]["id"]), headers=bearer("key-a"))
    assert mine.status_code == 201, mine.text
    theirs = api.post("/v1/issues", json=issue_body(keys["a"]["id"]), headers=bearer("key-b"))
    assert theirs.status_code == 403
    assert theirs.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("method", "body"),
    [("PATCH", {"title": "乗っ取り"}), ("PATCH", {"status": "closed"}), ("DELETE", None)],
)
def test_another_organisation_cannot_change_an_issue(api, keys, method, body):
    path = f"/v1/issues/{keys['open']['id']}"
    headers = {**bearer("key-b"), "If-Match": "*"}
    response = api.request(method, path, json=body, headers=headers)
    assert response.status_code == 403
    assert api.get(path).json() == keys["open"]  # unchanged
    allowed = api.request(method, path, json=body, headers={**bearer("key-a"), "If-Match": "*"})
    assert allowed.status_code in (200, 204)


def test_drafts_are_seen_only_by_their_organisation(api, keys):
    draft = f"/v1/issues/{keys['draft']['id']}"
    assert api.get(draft, headers=bearer("key-a")).status_code == 200
    assert api.get(draft, headers=bearer("key-b")).status_code == 404
    assert api.get(f"{draft}/candidates", headers=bearer("key-b")).status_code == 404
    patch = api.patch(draft, json={"status": "open"}, headers={**bearer("key-b"), "If-Match": "*"})
    assert patch.status_code == 404  # a draft does not exist for others, even to write
    params = {"status": ["draft", "open"]}

    def listed(key: str) -> set[str]:
        page = api.get("/v1/issues", params=params, headers=bearer(key)).json()
        return {item["id"] for item in page["items"]}

    assert listed("key-a") == {keys["open"]["id"], keys["draft"]["id"]}
    assert listed("key-b") == {keys["open"]["id"]}
    admin = api.get("/v1/issues", params=params, headers=AUTH).json()["items"]
    assert {i["id"] for i in admin} == {keys["open"]["id"], keys["draft"]["id"]}


def test_issues_go_with_their_deleted_organisation(api, keys, make_resource):
    offer = make_resource(keys["b"]["id"], type="goods")
    opportunities = f"/v1/resources/{offer['id']}/opportunities"
    assert [i["issue_id"] for i in api.get(opportunities).json()["items"]] == [keys["open"]["id"]]
    org = keys["a"]["id"]
    assert (
        api.delete(f"/v1/organizations/{org}", headers={**AUTH, "If-Match": "*"}).status_code == 204
    )
    issue = f"/v1/issues/{keys['open']['id']}"
    assert api.get(f"{issue}/candidates").status_code == 410  # the ranking catches up first
    assert api.get(issue).status_code == 410
    assert api.get("/v1/issues").json()["items"] == []
    assert api.get(opportunities).json()["items"] == []
