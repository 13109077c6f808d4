"""Japanese-aware search, filters and cursor pagination of organisations."""

from __future__ import annotations

import pytest
from conftest import AUTH


@pytest.mark.parametrize("query", ["子供", "こども", "ｺﾄﾞﾓ", "子ども食堂", "コドモ", "食堂"])
def test_search_finds_kodomo_shokudo_under_every_spelling(api, make_org, query):
    target = make_org(name="さくらがおか子ども食堂", kind="volunteer_group", description="")
    make_org(name="東町高齢者見守りの会", kind="volunteer_group", description="高齢者の見守り")
    found = api.get("/v1/organizations", params={"q": query}).json()["items"]
    assert [o["id"] for o in found] == [target["id"]]


def test_search_does_not_match_unrelated_records(api, make_org):
    make_org(name="東町高齢者見守りの会", kind="volunteer_group", description="高齢者の見守り")
    assert api.get("/v1/organizations", params={"q": "子供"}).json()["items"] == []


def test_search_treats_like_wildcards_literally(api, make_org):
    make_org(name="100%リサイクル推進会", kind="volunteer_group")
    make_org(name="リサイクル推進会", kind="volunteer_group")
    found = api.get("/v1/organizations", params={"q": "100%"}).json()["items"]
    assert [o["name"] for o in found] == ["100%リサイクル推進会"]


def test_search_by_kana_reading(api, make_org):
    target = make_org(name="桜ヶ丘ガス", name_kana="サクラガオカガス", kind="company")
    found = api.get("/v1/organizations", params={"q": "さくらがおかがす"}).json()["items"]
    assert [o["id"] for o in found] == [target["id"]]


def test_filters_combine(api, make_org):
    a = make_org(name="A会", kind="volunteer_group", fields=["environment"])
    make_org(name="B会", kind="volunteer_group", fields=["tourism"])
    make_org(name="C社", kind="company", fields=["environment"])
    params = {"kind": "volunteer_group", "field": "environment"}
    found = api.get("/v1/organizations", params=params).json()["items"]
    assert [o["id"] for o in found] == [a["id"]]


def test_municipality_and_prefecture_filters(api, make_org):
    sakura = make_org(name="桜ヶ丘の会", municipality_code="102997")
    maebashi = make_org(name="前橋の会", municipality_code="102016")
    make_org(name="鹿児島の会", municipality_code="462012")

    def ids(**params):
        return {o["id"] for o in api.get("/v1/organizations", params=params).json()["items"]}

    assert ids(municipality_code="102016") == {maebashi["id"]}
    assert ids(prefecture_code="10") == {sakura["id"], maebashi["id"]}


def test_certified_filter(api, make_org):
    cert = {"status": "certified", "valid_from": "2025-04-01", "valid_until": "2030-03-31"}
    certified = make_org(name="認定の会", certification=cert)
    make_org(name="普通の会")
    found = api.get("/v1/organizations", params={"certified": "true"}).json()["items"]
    assert [o["id"] for o in found] == [certified["id"]]
    others = api.get("/v1/organizations", params={"certified": "false"}).json()["items"]
    assert certified["id"] not in {o["id"] for o in others}


def test_updated_since_filter(api, make_org):
    old = make_org(name="古い会")
    cutoff = api.get(f"/v1/organizations/{old['id']}").json()["updated_at"]
    newer = make_org(name="新しい会")
    found = api.get("/v1/organizations", params={"updated_since": cutoff}).json()["items"]
    assert newer["id"] in {o["id"] for o in found}


def test_pages_cover_every_item_once_in_a_stable_order(api, make_org):
    created = [make_org(name=f"団体{i:02d}")["id"] for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        response = api.get("/v1/organizations", params=params)
        body = response.json()
        seen += [o["id"] for o in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            break
        assert 'rel="next"' in response.headers["link"]
    assert seen == created
    assert pages == 3


def test_link_header_keeps_filters(api, make_org):
    for i in range(3):
        make_org(name=f"環境の会{i}", fields=["environment"])
    response = api.get("/v1/organizations", params={"limit": 1, "field": "environment"})
    assert "field=environment" in response.headers["link"]


def test_cursor_of_another_listing_is_rejected(api, make_org):
    make_org()
    feed_cursor = api.get("/v1/registry/changes").json()["next_cursor"]
    response = api.get("/v1/organizations", params={"cursor": feed_cursor})
    assert response.status_code == 400
    assert response.json()["type"] == "urn:kyodo:problem:invalid-cursor"


def test_write_requires_auth_but_listing_is_public(api):
    assert api.get("/v1/organizations").status_code == 200
    assert api.get("/v1/organizations", headers=AUTH).status_code == 200
