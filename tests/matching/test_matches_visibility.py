"""Each side sees only what is theirs to see: parties, other organisations, the anonymous.

Keys bound to organisations come with the gateway; until then the matching app's
Real API clients bound to the parties' organisations (see ``test_matches_kit.bind_keys``).
The rule itself lives in one function, ``services.matching.matches.sides_of``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import AUTH
from hostile import MISSING_ID, assert_problem
from test_matches_kit import (
    REVIEW,
    bearer,
    bind_keys,
    client_id,
    etag,
    make_parties,
    org_client,
    propose,
    reach,
    review,
)

from services.common.auth import ADMIN, ANONYMOUS, Client
from services.matching.matches import sides_of
from services.matching.models import Match

ISSUE_SIDE = bearer("issue-side-key")
PARTNER_SIDE = bearer("partner-side-key")
OTHER_ORG = bearer("other-org-key")
NO_ORG = bearer("no-org-key")


@pytest.fixture
def parties(api, make_org, make_resource, services):
    found = make_parties(api, make_org, make_resource)
    other = make_org(name="桜ヶ丘商工会", kind="company")
    undo = bind_keys(
        api,
        {
            "issue-side-key": org_client("issue-client", found.issue_org["id"]),
            "partner-side-key": org_client("partner-client", found.partner_org["id"]),
            "other-org-key": org_client("other-client", other["id"]),
            "no-org-key": org_client("lonely-client"),
        },
    )
    yield found
    undo()


@pytest.fixture
def match(api, parties) -> dict[str, Any]:
    return propose(api, parties)


def _match_row(issue_org: str, partner: str) -> Match:
    return Match(
        id="m",
        issue_id="i",
        issue_organization_id=issue_org,
        organization_id=partner,
        status="proposed",
    )  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("client", "sides"),
    [
        (ADMIN, {"issue", "partner"}),
        (Client(id="a", organization_ids=frozenset({"org-a"})), {"issue"}),
        (Client(id="b", organization_ids=frozenset({"org-b"})), {"partner"}),
        (Client(id="ab", organization_ids=frozenset({"org-a", "org-b"})), {"issue", "partner"}),
        (Client(id="c", organization_ids=frozenset({"org-c"})), set()),
        (Client(id="none"), set()),
        (ANONYMOUS, set()),
    ],
    ids=["admin", "issue side", "partner side", "both", "another org", "no org", "anonymous"],
)
def test_the_rule_of_who_is_a_party(client, sides):
    assert sides_of(client, _match_row("org-a", "org-b")) == sides


def endpoints(match_id: str, version: int = 1) -> list[tuple[str, str, Any, dict[str, str]]]:
    """Every match endpoint: (method, path, body, extra headers)."""
    current = {"If-Match": f'"{version}"'}
    return [
        ("GET", "/v1/matches", None, {}),
        ("GET", f"/v1/matches/{match_id}", None, {}),
        ("POST", f"/v1/matches/{match_id}/transitions", {"to": "in_discussion"}, current),
        ("POST", f"/v1/matches/{match_id}/progress-notes", {"note": "メモ"}, {}),
        ("PUT", f"/v1/matches/{match_id}/reviews/issue", REVIEW, current),
        ("POST", f"/v1/matches/{match_id}/case-study", {"title": "事例", "summary": "概要"}, {}),
        ("POST", f"/v1/matches/{match_id}/case-study/consent", None, {}),
        ("GET", f"/v1/matches/{match_id}/case-study", None, {}),
    ]


def _send(api: Any, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    return (
        api.request(method, path, json=body, headers=headers)
        if body
        else api.request(method, path, headers=headers)
    )


def test_anonymous_callers_get_401_from_every_match_endpoint(api, match):
    for method, path, body, extra in [
        *endpoints(match["id"]),
        *endpoints(MISSING_ID),
        ("POST", "/v1/matches", {"issue_id": match["issue_id"], "organization_id": MISSING_ID}, {}),
    ]:
        response = _send(api, method, path, body, extra)
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert api.get(f"/v1/matches/{match['id']}", headers=AUTH).json()["version"] == 1


@pytest.mark.parametrize(
    "who", [OTHER_ORG, NO_ORG], ids=["another organisation", "no organisation"]
)
def test_a_client_who_is_no_party_finds_nothing(api, match, who):
    for method, path, body, extra in endpoints(match["id"])[1:]:
        response = _send(api, method, path, body, {**who, **extra})
        assert_problem(response, 404)
        assert match["id"] in response.json()["detail"]  # the same answer as for no match at all
    listed = api.get("/v1/matches", headers=who)
    assert listed.status_code == 200 and listed.json()["items"] == []
    assert api.get(f"/v1/matches/{match['id']}", headers=AUTH).json()["version"] == 1


def test_an_unknown_key_is_refused_not_ignored(api, match):
    response = api.get(f"/v1/matches/{match['id']}", headers=bearer("nobody-knows-this"))
    assert_problem(response, 401)


def test_each_side_sees_the_match_as_its_side(api, match):
    as_issue = api.get(f"/v1/matches/{match['id']}", headers=ISSUE_SIDE)
    as_partner = api.get(f"/v1/matches/{match['id']}", headers=PARTNER_SIDE)
    assert as_issue.status_code == as_partner.status_code == 200
    assert as_issue.json()["caller_sides"] == ["issue"]
    assert as_partner.json()["caller_sides"] == ["partner"]
    assert as_issue.headers["ETag"] == as_partner.headers["ETag"] == '"1"'
    for who in (ISSUE_SIDE, PARTNER_SIDE):
        assert [m["id"] for m in api.get("/v1/matches", headers=who).json()["items"]] == [
            match["id"]
        ]


def test_either_side_moves_the_match_and_the_history_says_who(api, match):
    headers = {**PARTNER_SIDE, "If-Match": etag(api, match["id"], PARTNER_SIDE)}
    moved = api.post(
        f"/v1/matches/{match['id']}/transitions", json={"to": "in_discussion"}, headers=headers
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["history"][-1]["by"] == client_id("partner-client")
    headers = {**ISSUE_SIDE, "If-Match": moved.headers["ETag"]}
    ended = api.post(
        f"/v1/matches/{match['id']}/transitions",
        json={"to": "withdrawn", "reason": "予算が付きませんでした。"},
        headers=headers,
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["history"][-1]["by"] == client_id("issue-client")


def test_either_side_may_propose_and_a_third_organisation_may_not(api, parties, make_org):
    body = {"issue_id": parties.issue["id"], "resource_id": parties.resource["id"]}
    by_partner = api.post("/v1/matches", json=body, headers=PARTNER_SIDE)
    assert by_partner.status_code == 201, by_partner.text
    assert by_partner.json()["caller_sides"] == ["partner"]
    assert by_partner.json()["proposed_by"] == "partner"
    school = make_org(name="桜ヶ丘高校", kind="school")
    asked = {"issue_id": parties.issue["id"], "organization_id": school["id"]}
    by_issue = api.post("/v1/matches", json=asked, headers=ISSUE_SIDE)
    assert by_issue.status_code == 201, by_issue.text
    assert by_issue.json()["proposed_by"] == "issue"
    direct = {"issue_id": parties.issue["id"], "organization_id": parties.partner_org["id"]}
    for who in (OTHER_ORG, NO_ORG):
        response = api.post(
            "/v1/matches",
            json={**direct, "message": "横から"},
            headers=who,
        )
        assert_problem(response, 403)
    assert len(api.get("/v1/matches", headers=AUTH).json()["items"]) == 2


def test_a_side_answers_only_its_own_review(api, match):
    reach(api, match["id"], "completed")
    path = f"/v1/matches/{match['id']}/reviews/partner"
    response = api.put(
        path, json=REVIEW, headers={**ISSUE_SIDE, "If-Match": etag(api, match["id"])}
    )
    assert_problem(response, 403)
    assert api.get(f"/v1/matches/{match['id']}", headers=AUTH).json()["reviewed_by"] == []


def test_a_side_sees_its_own_review_and_the_other_only_once_both_are_in(api, match, services):
    reach(api, match["id"], "completed")
    mine = review(api, match["id"], "issue", ISSUE_SIDE, comment="楽しかった")
    assert mine.status_code == 200, mine.text
    assert mine.json()["reviews"]["issue"]["comment"] == "楽しかった"
    assert mine.json()["reviews"]["issue"]["by"] == client_id("issue-client")
    partner_view = api.get(f"/v1/matches/{match['id']}", headers=PARTNER_SIDE).json()
    assert partner_view["reviews"] == {"issue": None, "partner": None}
    assert partner_view["reviewed_by"] == ["issue"]  # that it was answered is no secret
    listed = api.get("/v1/matches", headers=PARTNER_SIDE).json()["items"][0]
    assert listed["reviews"]["issue"] is None
    assert _last_event(services, match["id"])["reviews"] == {"issue": None, "partner": None}

    theirs = review(api, match["id"], "partner", PARTNER_SIDE, comment="また一緒に")
    assert theirs.status_code == 200, theirs.text
    for who in (ISSUE_SIDE, PARTNER_SIDE):
        both = api.get(f"/v1/matches/{match['id']}", headers=who).json()["reviews"]
        assert both["issue"]["comment"] == "楽しかった"
        assert both["partner"]["comment"] == "また一緒に"
    assert _last_event(services, match["id"])["reviews"]["issue"]["comment"] == "楽しかった"


def _last_event(services: Any, match_id: str) -> dict[str, Any]:
    with services["matching"].state.engine.connect() as connection:
        payload = connection.execute(
            sa.text("SELECT payload FROM outbox WHERE entity_id = :id ORDER BY seq DESC LIMIT 1"),
            {"id": match_id},
        ).scalar_one()
    return payload if isinstance(payload, dict) else json.loads(payload)


# --- listing -------------------------------------------------------------------------


def test_the_list_filters_by_issue_organisation_and_status(api, parties, make_org, make_resource):
    direct = propose(api, parties, resource_id=None, organization_id=parties.partner_org["id"])
    reach(api, direct["id"], "declined")
    first = propose(api, parties)
    third_org = make_org(name="桜ヶ丘大学", kind="university")
    lab = make_resource(third_org["id"], type="venue", title="大学の調理実習室")
    third = propose(api, parties, resource_id=lab["id"])

    def ids(headers: dict[str, str] = AUTH, **params: Any) -> set[str]:
        response = api.get("/v1/matches", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return {m["id"] for m in response.json()["items"]}

    assert ids() == {first["id"], direct["id"], third["id"]}
    assert ids(issue_id=parties.issue["id"]) == {first["id"], direct["id"], third["id"]}
    assert ids(issue_id=MISSING_ID) == set()
    assert ids(organization_id=third_org["id"]) == {third["id"]}
    assert ids(organization_id=parties.issue_org["id"]) == {first["id"], direct["id"], third["id"]}
    assert ids(status="declined") == {direct["id"]}
    assert ids(status=["declined", "proposed"]) == {first["id"], direct["id"], third["id"]}
    # The partner's key sees its own two matches only, whatever it filters by.
    assert ids(PARTNER_SIDE) == {first["id"], direct["id"]}
    assert ids(PARTNER_SIDE, organization_id=third_org["id"]) == set()


def test_the_list_pages_in_a_stable_order(api, parties, make_org, make_resource):
    made = [propose(api, parties)["id"]]
    for n in range(4):
        org = make_org(name=f"協力団体{n}", kind="company")
        made.append(propose(api, parties, resource_id=None, organization_id=org["id"])["id"])
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        response = api.get("/v1/matches", params=params, headers=ISSUE_SIDE)
        assert response.status_code == 200, response.text
        seen += [m["id"] for m in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            assert "Link" not in response.headers
            break
        assert 'rel="next"' in response.headers["Link"]
        params = {"limit": 2, "cursor": cursor}
    assert seen == sorted(made)
