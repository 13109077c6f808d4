"""Candidates, opportunities and coalitions through the API, on the live read model."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import AUTH
from test_issues_api import issue_body

HOME = "102997"  # 桜ヶ丘市 (群馬県, the demo city)
NEIGHBOUR = "102016"  # 前橋市, same prefecture
FAR = "472018"  # 那覇市, 沖縄県


def post_issue(api, organization_id: str, **overrides: Any) -> dict[str, Any]:
    response = api.post("/v1/issues", json=issue_body(organization_id, **overrides), headers=AUTH)
    assert response.status_code == 201, response.text
    return dict(response.json())


def candidates(api, issue_id: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get(f"/v1/issues/{issue_id}/candidates", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


@pytest.fixture
def world(make_org, make_resource, api) -> dict[str, Any]:
    """A こども食堂 issue, a local food bank, a far-away look-alike, and other offers."""
    kitchen = make_org(name="こども食堂ネットワーク", kind="volunteer_group")
    foodbank = make_org(name="さくらがおかフードバンク", municipality_code=HOME)
    far_bank = make_org(name="那覇フードバンク", municipality_code=FAR, address="沖縄県那覇市")
    company = make_org(
        name="桜ヶ丘食品株式会社", kind="company", fields=["economic_revitalization"]
    )
    hall = make_org(name="本町自治会", kind="neighbourhood_association")
    refs = {
        "kitchen": kitchen,
        "food": make_resource(
            foodbank["id"],
            type="goods",
            title="子供食堂への食品提供",
            description="フードドライブで集めた米や野菜を、子ども食堂に毎月お届けします。",
            municipality_codes=[HOME],
        ),
        "far_food": make_resource(
            far_bank["id"],
            type="goods",
            title="子供食堂への食品提供",
            description="フードドライブで集めた米や野菜を、子ども食堂に毎月お届けします。",
            municipality_codes=[FAR],
        ),
        "volunteers": make_resource(
            company["id"],
            type="volunteers",
            title="社員ボランティアの派遣",
            description="週末の地域活動に社員が参加します。調理や配膳もできます。",
            fields=["child_development", "community_development"],
            municipality_codes=[HOME, NEIGHBOUR],
        ),
        "hall": make_resource(
            hall["id"],
            type="venue",
            title="公民館の調理室",
            description="こども食堂や料理教室に使える調理室（定員20名）。",
            municipality_codes=[HOME],
        ),
        "own": make_resource(
            kitchen["id"],
            type="goods",
            title="こども食堂の余った食品",
            description="こども食堂で余った食品を配ります。",
            municipality_codes=[HOME],
        ),
    }
    refs["issue"] = post_issue(api, kitchen["id"])
    return refs


def test_candidates_rank_local_needed_resources_first_and_explain_why(api, world):
    items = candidates(api, world["issue"]["id"], limit=10)
    ranked = [item["resource_id"] for item in items]
    assert ranked[0] == world["food"]["id"]
    assert ranked.index(world["food"]["id"]) < ranked.index(world["far_food"]["id"])
    assert world["own"]["id"] not in ranked  # an organisation is not its own partner
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    best = items[0]
    assert best["organization_name"] == "さくらがおかフードバンク"
    assert best["resource_type"] == "goods"
    factors = best["factors"]
    assert set(factors) == {"text", "fields", "type", "geography", "availability", "trust"}
    assert sum(f["contribution"] for f in factors.values()) == pytest.approx(best["score"], 1e-3)
    assert factors["type"]["value"] == 1.0
    assert (
        factors["geography"]["value"]
        > items[ranked.index(world["far_food"]["id"])]["factors"]["geography"]["value"]
    )
    assert "食堂" in best["matched_terms"]


def test_candidate_filters(api, world):
    issue = world["issue"]["id"]
    only_goods = candidates(api, issue, resource_type="goods")
    assert {i["resource_type"] for i in only_goods} == {"goods"}
    business = candidates(api, issue, sector="business")
    assert [i["resource_id"] for i in business] == [world["volunteers"]["id"]]
    far = candidates(api, issue, municipality_code=FAR)
    assert [i["resource_id"] for i in far] == [world["far_food"]["id"]]
    assert len(candidates(api, issue, limit=2)) == 2


def test_new_resource_appears_and_removed_ones_disappear(api, world, make_org, make_resource):
    issue = world["issue"]["id"]
    grantor = make_org(name="桜ヶ丘地域福祉財団", kind="public_interest_corporation")
    grant = make_resource(
        grantor["id"],
        type="funding",
        title="こども食堂運営助成",
        description="子ども食堂の運営費を助成します。",
        municipality_codes=[HOME],
    )
    assert grant["id"] in [i["resource_id"] for i in candidates(api, issue)]
    api.patch(
        f"/v1/resources/{grant['id']}",
        json={"status": "paused"},
        headers={**AUTH, "If-Match": '"1"'},
    )
    assert grant["id"] not in [i["resource_id"] for i in candidates(api, issue)]
    food = world["food"]["id"]
    api.delete(f"/v1/resources/{food}", headers={**AUTH, "If-Match": '"1"'})
    assert food not in [i["resource_id"] for i in candidates(api, issue)]
    org = world["hall"]["organization_id"]
    api.delete(f"/v1/organizations/{org}", headers={**AUTH, "If-Match": '"1"'})
    assert world["hall"]["id"] not in [i["resource_id"] for i in candidates(api, issue)]


def test_candidates_of_unknown_or_deleted_issue(api, world):
    assert api.get("/v1/issues/0193abcd-0000-7000-8000-00000000beef/candidates").status_code == 404
    issue = world["issue"]["id"]
    api.delete(f"/v1/issues/{issue}", headers={**AUTH, "If-Match": '"1"'})
    assert api.get(f"/v1/issues/{issue}/candidates").status_code == 410


def test_opportunities_rank_open_issues_for_a_resource(api, world, make_org):
    city = make_org(name="那覇市 市民協働課", kind="government", municipality_code=FAR)
    far_issue = post_issue(api, city["id"], municipality_code=FAR)
    closed = post_issue(api, city["id"], title="終わった募集")
    api.patch(
        f"/v1/issues/{closed['id']}", json={"status": "closed"}, headers={**AUTH, "If-Match": '"1"'}
    )
    response = api.get(f"/v1/resources/{world['food']['id']}/opportunities")
    assert response.status_code == 200, response.text
    ranked = [i["issue_id"] for i in response.json()["items"]]
    assert ranked[0] == world["issue"]["id"]
    assert far_issue["id"] in ranked and closed["id"] not in ranked
    assert response.json()["items"][0]["factors"]["type"]["value"] == 1.0
    missing = api.get("/v1/resources/0193abcd-0000-7000-8000-00000000beef/opportunities")
    assert missing.status_code == 404


def test_coalitions_cover_what_the_issue_needs(api, world, make_org, make_resource):
    grantor = make_org(name="桜ヶ丘地域福祉財団", kind="public_interest_corporation")
    make_resource(
        grantor["id"],
        type="funding",
        title="こども食堂運営助成",
        description="子ども食堂の運営費を助成します。",
        municipality_codes=[HOME],
    )
    issue = post_issue(
        api,
        world["kitchen"]["id"],
        needed_resource_types=["goods", "volunteers", "venue", "funding"],
        resource_notes=[],
    )
    response = api.get(f"/v1/issues/{issue['id']}/coalitions")
    assert response.status_code == 200, response.text
    proposals = response.json()["items"]
    assert proposals
    best = proposals[0]
    assert best["uncovered"] == []
    covered = sorted(t for m in best["members"] for t in m["covers"])
    assert covered == ["funding", "goods", "venue", "volunteers"]
    assert len(best["sectors"]) >= 2
    assert world["food"]["id"] in [m["resource_id"] for m in best["members"]]
    member_sets = [frozenset(m["resource_id"] for m in p["members"]) for p in proposals]
    assert len(set(member_sets)) == len(member_sets)  # different proposals, not reorderings


def test_coalition_reports_what_nobody_offers(api, world):
    issue = post_issue(
        api, world["kitchen"]["id"], needed_resource_types=["goods", "pro_bono"], resource_notes=[]
    )
    best = api.get(f"/v1/issues/{issue['id']}/coalitions").json()["items"][0]
    assert best["uncovered"] == ["pro_bono"]
    assert [m["covers"] for m in best["members"]] == [["goods"]]


def test_configured_weights_are_used(api, services, world):
    app = services["matching"]
    saved = app.state.weights
    app.state.weights = {
        "text": 1.0,
        "fields": 0,
        "type": 0,
        "geography": 0,
        "availability": 0,
        "trust": 0,
    }
    try:
        page = api.get(f"/v1/issues/{world['issue']['id']}/candidates").json()
    finally:
        app.state.weights = saved
    assert page["weights"]["text"] == 1.0
    for item in page["items"]:
        assert item["score"] == pytest.approx(item["factors"]["text"]["value"], abs=1e-3)
