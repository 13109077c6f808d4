"""Case studies (協働事例): publishing reviewed collaborations, and finding them."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import AUTH
from hostile import MISSING_ID, assert_problem
from test_matches_kit import (
    AGREEMENT,
    PAYLOAD,
    REVIEW,
    make_parties,
    move,
    outbox_events,
    post_issue,
    propose,
    reach,
    review,
)

STORY = {
    "title": "公民館の調理室で開くこども食堂",
    "summary": "こども食堂と自治会が、公民館の調理室で毎週こども食堂を開いた。",
    "outcomes": "1年間で48回開催し、延べ1,100人のこどもが参加した。",
}


@pytest.fixture
def parties(api, make_org, make_resource):
    return make_parties(api, make_org, make_resource)


def publish(api: Any, match_id: str, **body: Any) -> Any:
    return api.post(f"/v1/matches/{match_id}/case-study", json={**STORY, **body}, headers=AUTH)


def found(api: Any, **params: Any) -> list[str]:
    response = api.get("/v1/case-studies", params=params)
    assert response.status_code == 200, response.text
    return [c["title"] for c in response.json()["items"]]


def test_a_reviewed_match_is_published_with_both_sides_and_their_sectors(api, parties, services):
    match = reach(api, propose(api, parties)["id"], "reviewed")
    response = publish(api, match["id"])
    assert response.status_code == 201, response.text
    study = response.json()
    assert response.headers["Location"] == f"/v1/case-studies/{study['id']}"
    assert response.headers["ETag"] == '"1"'
    assert study["match_id"] == match["id"]
    assert study["issue_id"] == parties.issue["id"]
    assert study["collaboration_form"] == AGREEMENT["collaboration_form"]
    assert study["lessons"] == f"{REVIEW['lessons']}\n\n{REVIEW['lessons']}"
    assert study["fields"] == parties.issue["fields"]
    assert study["municipality_code"] == parties.issue["municipality_code"]
    assert study["sectors"] == ["civil", "community"]
    assert study["organizations"] == [
        {
            "id": parties.issue_org["id"],
            "name": "桜ヶ丘こども食堂ネットワーク",
            "sector": "civil",
            "side": "issue",
        },
        {
            "id": parties.partner_org["id"],
            "name": "本町自治会",
            "sector": "community",
            "side": "partner",
        },
    ]
    read = api.get(f"/v1/case-studies/{study['id']}")  # public: no key
    assert read.status_code == 200 and read.json() == study
    assert read.headers["ETag"] == '"1"'
    not_modified = api.get(f"/v1/case-studies/{study['id']}", headers={"If-None-Match": '"1"'})
    assert not_modified.status_code == 304
    assert [e["type"] for e in outbox_events(services, "case_study")] == ["case_study.created"]


def test_the_story_may_set_its_own_lessons_and_form(api, parties):
    match = reach(api, propose(api, parties)["id"], "reviewed")
    study = publish(api, match["id"], lessons="早めの相談が大事。", collaboration_form="co_hosting")
    assert study.status_code == 201, study.text
    assert study.json()["lessons"] == "早めの相談が大事。"
    assert study.json()["collaboration_form"] == "co_hosting"


@pytest.mark.parametrize("status", ["proposed", "agreed", "completed", "declined"])
def test_only_reviewed_matches_are_published(api, parties, status):
    match = reach(api, propose(api, parties)["id"], status)
    response = publish(api, match["id"])
    assert_problem(response, 409)
    assert response.json()["type"] == "urn:kyodo:problem:not-reviewed"
    assert found(api) == []


def test_a_match_is_published_once(api, parties):
    match = reach(api, propose(api, parties)["id"], "reviewed")
    assert publish(api, match["id"]).status_code == 201
    again = publish(api, match["id"], title="別の題")
    assert_problem(again, 409)
    assert again.json()["type"] == "urn:kyodo:problem:already-published"
    assert found(api) == [STORY["title"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "body.title"),
        ({"title": "事例\n改行"}, "body.title"),
        ({"summary": "  "}, "body.summary"),
        ({"collaboration_form": "friendship"}, "body.collaboration_form"),
        ({"sectors": ["civil"]}, "body.sectors"),
    ],
    ids=["empty title", "two-line title", "blank summary", "unknown form", "read-only sectors"],
)
def test_an_invalid_story_is_refused(api, parties, change, field):
    match = reach(api, propose(api, parties)["id"], "reviewed")
    assert_problem(publish(api, match["id"], **change), 422, field)
    assert found(api) == []


def test_unknown_case_studies_and_matches_are_404(api):
    assert_problem(api.get(f"/v1/case-studies/{MISSING_ID}"), 404)
    assert_problem(publish(api, MISSING_ID), 404)


def _collaboration(
    api: Any,
    issue_org: dict[str, Any],
    partner: dict[str, Any],
    *,
    title: str,
    fields: list[str],
    form: str,
    municipality: str = "102997",
) -> None:
    issue = post_issue(
        api, issue_org["id"], title=title, fields=fields, municipality_code=municipality
    )
    match = api.post(
        "/v1/matches",
        json={"issue_id": issue["id"], "organization_id": partner["id"]},
        headers=AUTH,
    ).json()
    for step in ("in_discussion", "agreed", "in_progress", "completed"):
        payload = PAYLOAD.get(step, {})
        if step == "agreed":
            payload = {"agreement": {**AGREEMENT, "collaboration_form": form}}
        assert move(api, match["id"], step, **payload).status_code == 200
    for side in ("issue", "partner"):
        assert review(api, match["id"], side).status_code == 200
    assert move(api, match["id"], "reviewed").status_code == 200
    story = {"title": title, "summary": f"{title}の取り組み。", "outcomes": "1年間続けた。"}
    assert publish(api, match["id"], **story).status_code == 201


@pytest.fixture
def library(api, make_org) -> None:
    """Three published collaborations of different fields, forms, sectors and places."""
    kitchen = make_org(name="こども食堂ネットワーク", kind="volunteer_group")
    city = make_org(name="桜ヶ丘市役所", kind="government")
    company = make_org(name="桜ヶ丘電機株式会社", kind="company")
    university = make_org(name="前橋大学", kind="university", municipality_code="102016")
    _collaboration(
        api,
        kitchen,
        company,
        title="子供食堂に社員ボランティア",
        fields=["child_development"],
        form="partnership",
    )
    _collaboration(
        api,
        city,
        kitchen,
        title="高齢者の見守りネットワーク",
        fields=["health_welfare"],
        form="commission",
    )
    _collaboration(
        api,
        university,
        company,
        title="川の清掃と水質調査",
        fields=["environment", "science_technology"],
        form="co_hosting",
        municipality="102016",
    )


@pytest.mark.usefixtures("library")
@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({}, {"子供食堂に社員ボランティア", "高齢者の見守りネットワーク", "川の清掃と水質調査"}),
        ({"q": "こども"}, {"子供食堂に社員ボランティア"}),
        ({"q": "子ども食堂"}, {"子供食堂に社員ボランティア"}),
        ({"q": "見守り"}, {"高齢者の見守りネットワーク"}),
        ({"q": "存在しない言葉"}, set()),
        ({"field": "environment"}, {"川の清掃と水質調査"}),
        (
            {"field": ["environment", "health_welfare"]},
            {"川の清掃と水質調査", "高齢者の見守りネットワーク"},
        ),
        ({"collaboration_form": "commission"}, {"高齢者の見守りネットワーク"}),
        ({"sector": "government"}, {"高齢者の見守りネットワーク"}),
        ({"sector": "business"}, {"子供食堂に社員ボランティア", "川の清掃と水質調査"}),
        ({"sector": "academia", "field": "science_technology"}, {"川の清掃と水質調査"}),
        ({"sector": "academia", "field": "child_development"}, set()),
        ({"municipality_code": "102016"}, {"川の清掃と水質調査"}),
    ],
    ids=[
        "everything",
        "kana spelling finds kanji",
        "mixed spelling finds kanji",
        "a word of the title",
        "nothing matches",
        "by field",
        "by any of two fields",
        "by form",
        "by a government partner",
        "by a business partner",
        "sector and field together",
        "sector and another field",
        "by municipality",
    ],
)
def test_case_studies_are_searched(api, params, titles):
    assert set(found(api, **params)) == titles


@pytest.mark.usefixtures("library")
def test_case_studies_page_in_a_stable_order(api):
    first = api.get("/v1/case-studies", params={"limit": 2})
    assert len(first.json()["items"]) == 2
    rest = api.get("/v1/case-studies", params={"limit": 2, "cursor": first.json()["next_cursor"]})
    assert rest.json()["next_cursor"] is None
    ids = [c["id"] for c in first.json()["items"] + rest.json()["items"]]
    assert ids == sorted(ids) and len(ids) == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"field": "cooking"}, "query.field"),
        ({"sector": "church"}, "query.sector"),
        ({"collaboration_form": "friendship"}, "query.collaboration_form"),
        ({"municipality_code": "102998"}, "query.municipality_code"),
        ({"limit": 0}, "query.limit"),
        ({"topic": "x"}, "query.topic"),
    ],
)
def test_bad_search_parameters_are_refused(api, params, field):
    assert_problem(api.get("/v1/case-studies", params=params), 422, field)


# --- both sides consent (双方の同意), and withdrawing ------------------------------------


@pytest.fixture
def sides(api, parties, services):
    from test_matches_kit import bearer, bind_keys, org_client

    undo = bind_keys(
        api,
        {
            "issue-side-key": org_client("issue-client", parties.issue_org["id"]),
            "partner-side-key": org_client("partner-client", parties.partner_org["id"]),
        },
    )
    yield bearer("issue-side-key"), bearer("partner-side-key")
    undo()


def _reviewed_with_lessons(api: Any, parties: Any) -> dict[str, Any]:
    match = reach(api, propose(api, parties)["id"], "completed")
    assert review(api, match["id"], "issue", lessons="食堂側の教訓").status_code == 200
    assert review(api, match["id"], "partner", lessons="自治会側の教訓").status_code == 200
    assert move(api, match["id"], "reviewed").status_code == 200
    return match


def test_one_sides_case_study_is_a_draft_until_the_other_side_consents(
    api, parties, sides, services
):
    issue_side, partner_side = sides
    match = _reviewed_with_lessons(api, parties)
    path = f"/v1/matches/{match['id']}/case-study"
    draft = api.post(path, json=STORY, headers=issue_side)
    assert draft.status_code == 202, draft.text
    assert draft.json()["status"] == "draft"
    assert draft.json()["consents"] == ["issue"]
    assert draft.json()["awaiting_consent_from"] == "partner"
    assert draft.json()["published_at"] is None
    # Only the side that consented: its own lessons, not the other side's.
    assert draft.json()["lessons"] == "食堂側の教訓"
    assert found(api) == []
    assert_problem(api.get(f"/v1/case-studies/{draft.json()['id']}"), 404)
    assert outbox_events(services, "case_study") == []
    assert api.get(path, headers=partner_side).json()["status"] == "draft"
    again = api.post(f"{path}/consent", headers=issue_side)
    assert_problem(again, 409)
    assert again.json()["type"] == "urn:kyodo:problem:consent-pending"

    published = api.post(f"{path}/consent", headers=partner_side)
    assert published.status_code == 201, published.text
    study = published.json()
    assert study["status"] == "published" and study["awaiting_consent_from"] is None
    assert study["consents"] == ["issue", "partner"]
    assert study["lessons"] == "食堂側の教訓\n\n自治会側の教訓"
    assert published.headers["Location"] == f"/v1/case-studies/{study['id']}"
    assert found(api) == [STORY["title"]]
    assert [e["type"] for e in outbox_events(services, "case_study")] == ["case_study.created"]


def test_different_text_replaces_the_draft_and_awaits_the_first_side(api, parties, sides):
    issue_side, partner_side = sides
    match = _reviewed_with_lessons(api, parties)
    path = f"/v1/matches/{match['id']}/case-study"
    assert api.post(path, json=STORY, headers=issue_side).status_code == 202
    counter = api.post(path, json={**STORY, "title": "自治会から見た事例"}, headers=partner_side)
    assert counter.status_code == 202, counter.text
    assert counter.json()["awaiting_consent_from"] == "issue"
    assert counter.json()["lessons"] == "自治会側の教訓"
    same = api.post(path, json={**STORY, "title": "自治会から見た事例"}, headers=issue_side)
    assert same.status_code == 201, same.text
    assert found(api) == ["自治会から見た事例"]


def test_consenting_needs_a_draft(api, parties, sides):
    match = _reviewed_with_lessons(api, parties)
    response = api.post(f"/v1/matches/{match['id']}/case-study/consent", headers=sides[1])
    assert_problem(response, 404)


def test_either_side_withdraws_a_published_case_study_and_it_is_gone(
    api, parties, sides, services, make_org
):
    from test_matches_kit import bearer, bind_keys, org_client

    match = reach(api, propose(api, parties)["id"], "reviewed")
    study = publish(api, match["id"]).json()
    path = f"/v1/case-studies/{study['id']}"
    stranger = make_org(name="桜ヶ丘電機", kind="company")
    bind_keys(
        api,
        {
            "partner-side-key": org_client("partner-client", parties.partner_org["id"]),
            "stranger-key": org_client("stranger", stranger["id"]),
        },
    )
    assert_problem(api.delete(path, headers={**bearer("stranger-key"), "If-Match": "*"}), 403)
    assert_problem(api.delete(path), 401)
    partner_side = bearer("partner-side-key")
    assert_problem(api.delete(path, headers=partner_side), 428)
    assert_problem(api.delete(path, headers={**partner_side, "If-Match": '"9"'}), 412)
    gone = api.delete(path, headers={**partner_side, "If-Match": '"1"'})
    assert gone.status_code == 204, gone.text
    assert_problem(api.get(path), 410)
    assert found(api) == []
    assert_problem(api.delete(path, headers={**AUTH, "If-Match": "*"}), 410)
    types = [e["type"] for e in outbox_events(services, "case_study")]
    assert types == ["case_study.created", "case_study.deleted"]
    assert_problem(publish(api, match["id"]), 409)


def test_withdrawing_a_draft_drops_it(api, parties, sides):
    issue_side, _ = sides
    match = _reviewed_with_lessons(api, parties)
    path = f"/v1/matches/{match['id']}/case-study"
    draft = api.post(path, json=STORY, headers=issue_side).json()
    dropped = api.delete(
        f"/v1/case-studies/{draft['id']}", headers={**issue_side, "If-Match": '"1"'}
    )
    assert dropped.status_code == 204, dropped.text
    assert_problem(api.get(path, headers=issue_side), 404)
    assert api.post(path, json=STORY, headers=issue_side).status_code == 202
