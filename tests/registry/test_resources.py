"""Resources (seeds): offered by organisations, filtered, updated, deleted."""

from __future__ import annotations

from conftest import AUTH, resource_body


def test_resource_carries_its_owner_name_kind_and_sector(api, make_org, make_resource):
    org = make_org(kind="company", name="株式会社桜ヶ丘ガス")
    resource = make_resource(org["id"], type="volunteers", title="社員ボランティア")
    assert resource["organization_id"] == org["id"]
    assert resource["organization_name"] == "株式会社桜ヶ丘ガス"
    assert resource["sector"] == "business"
    assert api.get(f"/v1/resources/{resource['id']}").headers["etag"] == '"1"'


def test_resource_can_be_posted_with_organization_id_in_body(api, make_org):
    org = make_org()
    body = resource_body(organization_id=org["id"])
    response = api.post("/v1/resources", json=body, headers=AUTH)
    assert response.status_code == 201
    assert response.headers["location"] == f"/v1/resources/{response.json()['id']}"


def test_resource_for_unknown_organization_is_404(api):
    body = resource_body(organization_id="01900000-0000-7000-8000-000000000000")
    assert api.post("/v1/resources", json=body, headers=AUTH).status_code == 404


def test_funding_details_only_on_funding_resources(api, make_org):
    org = make_org()
    funding = {
        "amount_min_jpy": 100000,
        "amount_max_jpy": 500000,
        "application_deadline": "2027-01-31",
    }
    url = f"/v1/organizations/{org['id']}/resources"
    bad = api.post(url, json=resource_body(type="venue", funding=funding), headers=AUTH)
    assert bad.status_code == 422
    good = api.post(url, json=resource_body(type="funding", funding=funding), headers=AUTH)
    assert good.status_code == 201
    assert good.json()["funding"]["amount_max_jpy"] == 500000


def test_grants_filter_by_application_deadline(api, make_org, make_resource):
    org = make_org(kind="public_interest_corporation")
    early = make_resource(
        org["id"], type="funding", title="春の助成", funding={"application_deadline": "2027-03-31"}
    )
    late = make_resource(
        org["id"], type="funding", title="秋の助成", funding={"application_deadline": "2027-09-30"}
    )
    found = api.get("/v1/resources", params={"deadline_from": "2027-04-01"}).json()["items"]
    assert [r["id"] for r in found] == [late["id"]]
    found = api.get("/v1/resources", params={"deadline_to": "2027-04-01"}).json()["items"]
    assert [r["id"] for r in found] == [early["id"]]


def test_resources_filter_by_type_field_area_and_owner_sector(api, make_org, make_resource):
    npo = make_org()
    company = make_org(name="株式会社さくら印刷", kind="company")
    venue = make_resource(npo["id"], type="venue", municipality_codes=["102997"])
    skills = make_resource(
        company["id"],
        type="pro_bono",
        title="チラシのデザイン",
        fields=["information_society"],
        municipality_codes=["102016", "102024"],
    )

    def ids(**params):
        return {r["id"] for r in api.get("/v1/resources", params=params).json()["items"]}

    assert ids(type="pro_bono") == {skills["id"]}
    assert ids(type=["pro_bono", "venue"]) == {skills["id"], venue["id"]}
    assert ids(field="information_society") == {skills["id"]}
    assert ids(municipality_code="102024") == {skills["id"]}
    assert ids(sector="business") == {skills["id"]}
    assert ids(kind="npo_corporation") == {venue["id"]}
    assert ids(organization_id=company["id"]) == {skills["id"]}


def test_organization_resources_lists_only_its_own(api, make_org, make_resource):
    a, b = make_org(), make_org(name="別の団体")
    mine = make_resource(a["id"])
    make_resource(b["id"])
    items = api.get(f"/v1/organizations/{a['id']}/resources").json()["items"]
    assert [r["id"] for r in items] == [mine["id"]]


def test_organizations_filter_by_offered_resource_type(api, make_org, make_resource):
    giver = make_org(name="桜ヶ丘コミュニティ財団", kind="public_interest_corporation")
    make_org(name="何も提供しない団体")
    make_resource(giver["id"], type="funding", title="地域助成")
    items = api.get("/v1/organizations", params={"resource_type": "funding"}).json()["items"]
    assert [o["id"] for o in items] == [giver["id"]]


def test_patch_resource_with_if_match(api, make_org, make_resource):
    resource = make_resource(make_org()["id"])
    url = f"/v1/resources/{resource['id']}"
    assert api.patch(url, json={"status": "paused"}, headers=AUTH).status_code == 428
    response = api.patch(url, json={"status": "paused"}, headers={**AUTH, "If-Match": '"1"'})
    assert response.status_code == 200
    assert response.json()["status"] == "paused"
    stale = api.patch(url, json={"status": "active"}, headers={**AUTH, "If-Match": '"1"'})
    assert stale.status_code == 412


def test_changing_type_away_from_funding_needs_funding_cleared(api, make_org, make_resource):
    resource = make_resource(make_org()["id"], type="funding", funding={"amount_max_jpy": 300000})
    url = f"/v1/resources/{resource['id']}"
    refused = api.patch(url, json={"type": "venue"}, headers={**AUTH, "If-Match": '"1"'})
    assert refused.status_code == 422
    ok = api.patch(
        url, json={"type": "venue", "funding": None}, headers={**AUTH, "If-Match": '"1"'}
    )
    assert ok.status_code == 200
    assert ok.json()["funding"] is None


def test_deleted_resource_is_gone_and_absent_from_lists(api, make_org, make_resource):
    resource = make_resource(make_org()["id"])
    url = f"/v1/resources/{resource['id']}"
    assert api.delete(url, headers={**AUTH, "If-Match": '"1"'}).status_code == 204
    assert api.get(url).status_code == 410
    assert api.get("/v1/resources").json()["items"] == []


def test_vocabulary_lists_every_glossary_value_with_japanese_labels(api):
    vocabulary = api.get("/v1/registry/vocabulary").json()
    fields = {t["value"]: t for t in vocabulary["activity_fields"]}
    assert len(fields) == 20
    assert fields["child_development"]["code"] == 13
    assert fields["child_development"]["label_ja"] == "子どもの健全育成"
    kinds = {t["value"]: t["sector"] for t in vocabulary["organization_kinds"]}
    assert kinds["neighbourhood_association"] == "community"
    assert len(vocabulary["resource_types"]) == 10
