"""Organisations: create, read, list, update, delete, contacts."""

from __future__ import annotations

from conftest import AUTH, organization_body


def test_created_organization_is_readable_with_etag_and_derived_sector(api, make_org):
    org = make_org(kind="company", name="株式会社桜ヶ丘ガス", corporate_number="6070001000004")
    assert org["sector"] == "business"
    assert org["version"] == 1
    assert org["prefecture_code"] == "10"
    response = api.get(f"/v1/organizations/{org['id']}")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json() == org


def test_create_answers_201_with_location(api):
    response = api.post("/v1/organizations", json=organization_body(), headers=AUTH)
    assert response.status_code == 201
    assert response.headers["location"] == f"/v1/organizations/{response.json()['id']}"


def test_if_none_match_with_current_etag_answers_304(api, make_org):
    org = make_org()
    response = api.get(f"/v1/organizations/{org['id']}", headers={"If-None-Match": '"1"'})
    assert response.status_code == 304


def test_write_without_key_is_401_and_writes_nothing(api):
    response = api.post("/v1/organizations", json=organization_body())
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert api.get("/v1/organizations").json()["items"] == []


def test_unknown_key_is_401_even_for_reads(api):
    response = api.get("/v1/organizations", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_contacts_never_appear_in_public_reads_or_feed(api, make_org):
    org = make_org(
        contacts=[{"name": "山田 花子", "name_kana": "やまだ はなこ", "role": "事務局長"}]
    )
    public = api.get(f"/v1/organizations/{org['id']}").text
    listing = api.get("/v1/organizations").text
    feed = api.get("/v1/registry/changes").text
    for text in (public, listing, feed):
        assert "山田" not in text
    assert api.get(f"/v1/organizations/{org['id']}/contacts").status_code == 401
    contacts = api.get(f"/v1/organizations/{org['id']}/contacts", headers=AUTH).json()
    assert contacts["items"][0]["name_kana"] == "ヤマダ ハナコ"


def test_replacing_contacts_needs_if_match_and_bumps_version(api, make_org):
    org = make_org()
    url = f"/v1/organizations/{org['id']}/contacts"
    body = {"items": [{"name": "佐藤 一郎", "email": "sato@example.jp"}]}
    assert api.put(url, json=body, headers=AUTH).status_code == 428
    response = api.put(url, json=body, headers={**AUTH, "If-Match": '"1"'})
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    assert api.get(f"/v1/organizations/{org['id']}").json()["version"] == 2


def test_patch_changes_only_sent_fields_and_bumps_version(api, make_org):
    org = make_org()
    response = api.patch(
        f"/v1/organizations/{org['id']}",
        json={"description": "フードドライブを毎月開催"},
        headers={**AUTH, "If-Match": '"1"'},
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated["description"] == "フードドライブを毎月開催"
    assert updated["name"] == org["name"]
    assert updated["version"] == 2
    assert response.headers["etag"] == '"2"'


def test_patch_without_if_match_is_428_and_stale_is_412(api, make_org):
    org = make_org()
    url = f"/v1/organizations/{org['id']}"
    assert api.patch(url, json={"name": "別名"}, headers=AUTH).status_code == 428
    api.patch(url, json={"name": "一回目"}, headers={**AUTH, "If-Match": '"1"'})
    stale = api.patch(url, json={"name": "二回目"}, headers={**AUTH, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["etag"] == '"2"'
    assert api.get(url).json()["name"] == "一回目"


def test_if_match_star_overrides_version_check(api, make_org):
    org = make_org()
    response = api.patch(
        f"/v1/organizations/{org['id']}", json={"name": "上書き"}, headers={**AUTH, "If-Match": "*"}
    )
    assert response.status_code == 200


def test_patch_cannot_null_a_required_field(api, make_org):
    org = make_org()
    response = api.patch(
        f"/v1/organizations/{org['id']}", json={"name": None}, headers={**AUTH, "If-Match": '"1"'}
    )
    assert response.status_code == 422


def test_patch_that_breaks_a_cross_field_rule_is_refused(api, make_org):
    org = make_org(latitude=36.35, longitude=139.05)
    response = api.patch(
        f"/v1/organizations/{org['id']}",
        json={"latitude": None},
        headers={**AUTH, "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert api.get(f"/v1/organizations/{org['id']}").json()["latitude"] == 36.35


def test_changing_kind_changes_sector(api, make_org):
    org = make_org(kind="volunteer_group")
    response = api.patch(
        f"/v1/organizations/{org['id']}",
        json={"kind": "university"},
        headers={**AUTH, "If-Match": '"1"'},
    )
    assert response.json()["sector"] == "academia"


def test_duplicate_corporate_number_is_409(api, make_org):
    make_org(corporate_number="6070001000004", kind="company")
    response = api.post(
        "/v1/organizations",
        json=organization_body(name="別の会社", kind="company", corporate_number="6070001000004"),
        headers=AUTH,
    )
    assert response.status_code == 409
    assert response.json()["type"] == "urn:kyodo:problem:corporate-number-taken"


def test_certification_only_for_npo_corporations(api):
    cert = {"status": "certified", "valid_from": "2025-04-01", "valid_until": "2030-03-31"}
    ok = api.post("/v1/organizations", json=organization_body(certification=cert), headers=AUTH)
    assert ok.status_code == 201
    bad = api.post(
        "/v1/organizations",
        json=organization_body(name="会社", kind="company", certification=cert),
        headers=AUTH,
    )
    assert bad.status_code == 422


def test_delete_leaves_a_tombstone_and_cascades_to_resources(api, make_org, make_resource):
    org = make_org()
    resource = make_resource(org["id"])
    url = f"/v1/organizations/{org['id']}"
    assert api.delete(url, headers=AUTH).status_code == 428
    assert api.delete(url, headers={**AUTH, "If-Match": '"1"'}).status_code == 204
    assert api.get(url).status_code == 410
    assert api.get(f"/v1/resources/{resource['id']}").status_code == 410
    assert api.get("/v1/organizations").json()["items"] == []
    changes = api.get("/v1/registry/changes").json()["items"]
    deletions = [(c["type"], c["id"]) for c in changes if c["action"] == "deleted"]
    assert ("organization", org["id"]) in deletions
    assert ("resource", resource["id"]) in deletions
    assert all(c["data"] is None for c in changes if c["action"] == "deleted")


def test_deleted_organization_frees_its_corporate_number(api, make_org):
    org = make_org(kind="company", corporate_number="6070001000004")
    api.delete(f"/v1/organizations/{org['id']}", headers={**AUTH, "If-Match": '"1"'})
    again = api.post(
        "/v1/organizations",
        json=organization_body(kind="company", corporate_number="6070001000004"),
        headers=AUTH,
    )
    assert again.status_code == 201


def test_unknown_organization_is_404_problem(api):
    response = api.get("/v1/organizations/01900000-0000-7000-8000-000000000000")
    assert response.status_code == 404
    assert response.json()["type"] == "urn:kyodo:problem:not-found"


def test_times_are_written_in_japan_time(api, make_org):
    org = make_org()
    assert org["created_at"].endswith("+09:00")
