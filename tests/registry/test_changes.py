"""The change feed: every change in order, deletions included, resumable."""

from __future__ import annotations

from conftest import AUTH


def _all_changes(api, cursor=None, **params):
    items = []
    while True:
        query = {"limit": 2, **params, **({"cursor": cursor} if cursor else {})}
        page = api.get("/v1/registry/changes", params=query).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor


def test_feed_lists_every_change_in_order_with_state(api, make_org, make_resource):
    org = make_org()
    resource = make_resource(org["id"])
    api.patch(
        f"/v1/organizations/{org['id']}", json={"name": "改名"}, headers={**AUTH, "If-Match": '"1"'}
    )
    api.delete(f"/v1/resources/{resource['id']}", headers={**AUTH, "If-Match": '"1"'})
    items, _ = _all_changes(api)
    assert [(c["type"], c["action"], c["version"]) for c in items] == [
        ("organization", "created", 1),
        ("resource", "created", 1),
        ("organization", "updated", 2),
        ("resource", "deleted", 2),
    ]
    assert items[2]["data"]["name"] == "改名"
    assert items[3]["data"] is None
    assert items[0]["id"] == org["id"]


def test_polling_with_the_last_cursor_returns_only_new_changes(api, make_org):
    make_org(name="一")
    items, cursor = _all_changes(api)
    assert len(items) == 1
    empty = api.get("/v1/registry/changes", params={"cursor": cursor}).json()
    assert empty["items"] == [] and empty["next_cursor"] == cursor
    second = make_org(name="二")
    new, _ = _all_changes(api, cursor)
    assert [c["id"] for c in new] == [second["id"]]


def test_feed_filters_by_entity_type(api, make_org, make_resource):
    org = make_org()
    make_resource(org["id"])
    items, _ = _all_changes(api, type="resource")
    assert {c["type"] for c in items} == {"resource"}


def test_a_rolled_back_change_leaves_no_event(api, make_org):
    make_org(kind="company", corporate_number="6070001000004")
    before, _ = _all_changes(api)
    duplicate = {
        "name": "重複",
        "kind": "company",
        "corporate_number": "6070001000004",
        "municipality_code": "102997",
    }
    assert api.post("/v1/organizations", json=duplicate, headers=AUTH).status_code == 409
    after, _ = _all_changes(api)
    assert after == before


def test_each_change_item_resumes_from_its_own_cursor(api, make_org):
    first, second = make_org(name="一"), make_org(name="二")
    items, _ = _all_changes(api)
    rest = api.get("/v1/registry/changes", params={"cursor": items[0]["cursor"]}).json()
    assert [c["id"] for c in rest["items"]] == [second["id"]]
    assert items[0]["id"] == first["id"]
