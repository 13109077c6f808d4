"""Local issues: posting, reading, listing, updating, status moves, deleting."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import AUTH

MUNICIPALITY = "102997"


def issue_body(organization_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organization_id": organization_id,
        "title": "こども食堂の運営パートナー募集",
        "description": "毎週土曜のこども食堂で、食材と調理の手伝いが足りません。",
        "fields": ["child_development"],
        "needed_resource_types": ["goods", "volunteers"],
        "resource_notes": [{"type": "goods", "note": "米・野菜", "quantity": "月50食分"}],
        "municipality_code": MUNICIPALITY,
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "collaboration_forms": ["partnership"],
        "origin": "citizen_proposed",
    }
    body.update(overrides)
    return body


@pytest.fixture
def org(make_org) -> dict[str, Any]:
    return make_org(name="桜ヶ丘こども食堂ネットワーク", kind="volunteer_group")


def post_issue(api, organization_id: str, **overrides: Any) -> dict[str, Any]:
    response = api.post("/v1/issues", json=issue_body(organization_id, **overrides), headers=AUTH)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_post_issue_names_its_organisation_and_is_readable(api, org):
    response = api.post("/v1/issues", json=issue_body(org["id"]), headers=AUTH)
    assert response.status_code == 201, response.text
    issue = response.json()
    assert response.headers["Location"] == f"/v1/issues/{issue['id']}"
    assert response.headers["ETag"] == '"1"'
    assert issue["organization_name"] == "桜ヶ丘こども食堂ネットワーク"
    assert issue["status"] == "open"
    assert issue["prefecture_code"] == "10"
    assert issue["resource_notes"][0]["quantity"] == "月50食分"
    read = api.get(f"/v1/issues/{issue['id']}")
    assert read.status_code == 200
    assert read.json() == issue
    assert api.get(f"/v1/issues/{issue['id']}", headers={"If-None-Match": '"1"'}).status_code == 304


def test_issue_for_an_unknown_organisation_is_refused(api):
    response = api.post(
        "/v1/issues", json=issue_body("0193abcd-0000-7000-8000-00000000beef"), headers=AUTH
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unknown_organization"
    assert api.get("/v1/issues").json()["items"] == []


def test_issue_of_a_just_deleted_organisation_is_refused(api, org):
    version = api.get(f"/v1/organizations/{org['id']}").headers["ETag"]
    api.delete(f"/v1/organizations/{org['id']}", headers={**AUTH, "If-Match": version})
    response = api.post("/v1/issues", json=issue_body(org["id"]), headers=AUTH)
    assert response.status_code == 422


def test_writes_need_a_key(api, org):
    response = api.post("/v1/issues", json=issue_body(org["id"]))
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"needed_resource_types": []}, "needed_resource_types"),
        ({"needed_resource_types": ["money"]}, "needed_resource_types"),
        ({"resource_notes": [{"type": "venue", "note": "調理室"}]}, "body"),
        ({"starts_on": "2027-12-01", "ends_on": "2027-01-01"}, "body"),
        ({"latitude": 36.3}, "body"),
        ({"origin": "corporate"}, "origin"),
        ({"status": "matched"}, "status"),
        ({"collaboration_forms": ["merger"]}, "collaboration_forms"),
        ({"municipality_code": "102998"}, "municipality_code"),
        ({"title": ""}, "title"),
        ({"id": "0193abcd-0000-7000-8000-00000000beef"}, "id"),
        ({"version": 7}, "version"),
    ],
)
def test_invalid_issue_is_a_problem(api, org, overrides, field):
    response = api.post("/v1/issues", json=issue_body(org["id"], **overrides), headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any(field in error["field"] for error in response.json()["errors"])
    assert api.get("/v1/issues").json()["items"] == []


def test_list_filters(api, org, make_org):
    city = make_org(name="桜ヶ丘市 市民協働課", kind="government")
    food = post_issue(api, org["id"])
    elderly = post_issue(
        api,
        city["id"],
        title="高齢者の見守り活動の担い手",
        description="一人暮らしのお年寄りの見守り訪問をしてくれる団体を探しています。",
        fields=["health_welfare"],
        needed_resource_types=["volunteers"],
        resource_notes=[],
        collaboration_forms=["commission"],
        origin="government_proposed",
        municipality_code="131016",
    )

    def listed(**params: Any) -> set[str]:
        return {i["id"] for i in api.get("/v1/issues", params=params).json()["items"]}

    assert listed() == {food["id"], elderly["id"]}
    assert listed(field="health_welfare") == {elderly["id"]}
    assert listed(needed_resource_type="goods") == {food["id"]}
    assert listed(collaboration_form="commission") == {elderly["id"]}
    assert listed(origin="government_proposed") == {elderly["id"]}
    assert listed(municipality_code="102997") == {food["id"]}
    assert listed(prefecture_code="13") == {elderly["id"]}
    assert listed(organization_id=org["id"]) == {food["id"]}
    assert listed(q="子供") == {food["id"]}  # 表記ゆれ: こども食堂
    assert listed(q="シニア 見守り") == set() or listed(q="見守り") == {elderly["id"]}
    assert listed(q="見守り") == {elderly["id"]}


def test_pagination_is_stable(api, org):
    made = [post_issue(api, org["id"], title=f"課題 {n}")["id"] for n in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/v1/issues", params=params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(made)


def test_drafts_are_for_callers_with_a_key(api, org):
    draft = post_issue(api, org["id"], status="draft")
    assert api.get(f"/v1/issues/{draft['id']}").status_code == 404
    assert api.get(f"/v1/issues/{draft['id']}", headers=AUTH).status_code == 200
    assert api.get("/v1/issues").json()["items"] == []
    assert api.get("/v1/issues", params={"status": "draft"}).status_code == 401
    keyed = api.get("/v1/issues", params={"status": "draft"}, headers=AUTH).json()
    assert [i["id"] for i in keyed["items"]] == [draft["id"]]


def test_update_needs_if_match_and_keeps_rules(api, org):
    issue = post_issue(api, org["id"])
    path = f"/v1/issues/{issue['id']}"
    assert api.patch(path, json={"title": "新しい題"}, headers=AUTH).status_code == 428
    stale = api.patch(path, json={"title": "新しい題"}, headers={**AUTH, "If-Match": '"9"'})
    assert stale.status_code == 412
    broken = api.patch(path, json={"ends_on": "2026-01-01"}, headers={**AUTH, "If-Match": '"1"'})
    assert broken.status_code == 422
    moved = api.patch(
        path, json={"organization_id": org["id"]}, headers={**AUTH, "If-Match": '"1"'}
    )
    assert moved.status_code == 422
    done = api.patch(path, json={"title": "新しい題"}, headers={**AUTH, "If-Match": '"1"'})
    assert done.status_code == 200
    assert done.json()["title"] == "新しい題"
    assert done.json()["version"] == 2
    assert done.headers["ETag"] == '"2"'


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        ("draft", "open", True),
        ("draft", "closed", True),
        ("draft", "matched", False),
        ("open", "matched", True),
        ("open", "closed", True),
        ("open", "draft", False),
        ("closed", "open", True),
        ("closed", "matched", False),
    ],
)
def test_status_moves(api, org, start, to, allowed):
    issue = post_issue(api, org["id"], status="draft" if start == "draft" else "open")
    path, version = f"/v1/issues/{issue['id']}", 1
    if start == "closed":
        api.patch(path, json={"status": "closed"}, headers={**AUTH, "If-Match": '"1"'})
        version = 2
    response = api.patch(path, json={"status": to}, headers={**AUTH, "If-Match": f'"{version}"'})
    if allowed:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == to
    else:
        assert response.status_code == 409
        assert api.get(path, headers=AUTH).json()["version"] == version


def test_delete_leaves_410(api, org):
    issue = post_issue(api, org["id"])
    path = f"/v1/issues/{issue['id']}"
    assert api.delete(path, headers=AUTH).status_code == 428
    assert api.delete(path, headers={**AUTH, "If-Match": '"1"'}).status_code == 204
    assert api.get(path).status_code == 410
    assert api.get("/v1/issues").json()["items"] == []


def test_idempotent_post(api, org):
    headers = {**AUTH, "Idempotency-Key": "issue-1"}
    first = api.post("/v1/issues", json=issue_body(org["id"]), headers=headers)
    again = api.post("/v1/issues", json=issue_body(org["id"]), headers=headers)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(api.get("/v1/issues").json()["items"]) == 1
