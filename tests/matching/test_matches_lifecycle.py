"""The collaboration lifecycle (協働の流れ): proposing, every move, agreements, notes, reviews."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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

from services.matching.engine.types import FACTORS

STATUSES = (
    "proposed",
    "in_discussion",
    "agreed",
    "in_progress",
    "completed",
    "reviewed",
    "declined",
    "withdrawn",
)
# The lifecycle as a table: every pair not listed here is an invalid transition.
ALLOWED = {
    ("proposed", "in_discussion"),
    ("in_discussion", "agreed"),
    ("agreed", "in_progress"),
    ("in_progress", "completed"),
    ("completed", "reviewed"),
    *(
        (before, end)
        for before in ("proposed", "in_discussion", "agreed")
        for end in ("declined", "withdrawn")
    ),
    ("in_progress", "withdrawn"),
}


@pytest.fixture
def parties(api, make_org, make_resource):
    return make_parties(api, make_org, make_resource)


def matches(api: Any, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/v1/matches", params=params, headers=AUTH)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


# --- proposing -----------------------------------------------------------------------


def test_proposing_a_resource_makes_its_organisation_the_partner_and_keeps_its_score(api, parties):
    response = api.post(
        "/v1/matches",
        json={
            "issue_id": parties.issue["id"],
            "resource_id": parties.resource["id"],
            "message": "調理室をお借りできませんか。",
        },
        headers=AUTH,
    )
    assert response.status_code == 201, response.text
    match = response.json()
    assert response.headers["Location"] == f"/v1/matches/{match['id']}"
    assert response.headers["ETag"] == '"1"'
    assert match["status"] == "proposed"
    assert match["organization_id"] == parties.partner_org["id"]
    assert match["organization_name"] == "本町自治会"
    assert match["issue_organization_id"] == parties.issue_org["id"]
    assert match["issue_title"] == parties.issue["title"]
    assert match["resource_title"] == "公民館の調理室"
    assert match["message"] == "調理室をお借りできませんか。"
    assert 0 < match["score"] <= 1
    assert set(match["factor_values"]) == set(FACTORS)
    assert match["factor_values"]["type"] == 1.0
    assert match["history"] == [
        {"from": None, "to": "proposed", "at": match["created_at"], "by": "admin", "reason": None}
    ]
    assert match["agreement"] is None
    assert match["reviews"] == {"issue": None, "partner": None}
    assert match["caller_sides"] == ["issue", "partner"]  # the administrator acts for both
    assert api.get(f"/v1/matches/{match['id']}", headers=AUTH).json() == match
    cached = api.get(f"/v1/matches/{match['id']}", headers={**AUTH, "If-None-Match": '"1"'})
    assert cached.status_code == 304


def test_the_stored_score_is_the_one_candidates_show(api, parties):
    listed = api.get(f"/v1/issues/{parties.issue['id']}/candidates").json()["items"]
    candidate = next(c for c in listed if c["resource_id"] == parties.resource["id"])
    match = propose(api, parties)
    assert match["score"] == candidate["score"]
    assert match["factor_values"] == {k: f["value"] for k, f in candidate["factors"].items()}


def test_an_organisation_can_be_asked_directly_without_a_score(api, parties):
    match = propose(api, parties, resource_id=None, organization_id=parties.partner_org["id"])
    assert match["resource_id"] is None
    assert match["resource_title"] is None
    assert match["organization_id"] == parties.partner_org["id"]
    assert match["score"] is None and match["factor_values"] is None


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"issue_id": MISSING_ID}, "body.issue_id", "unknown_issue"),
        ({"resource_id": MISSING_ID}, "body.resource_id", "unknown_resource"),
        (
            {"resource_id": None, "organization_id": MISSING_ID},
            "body.organization_id",
            "unknown_organization",
        ),
    ],
    ids=["unknown issue", "unknown resource", "unknown organisation"],
)
def test_unknown_records_are_refused_by_field(api, parties, body, field, code):
    sent = {"issue_id": parties.issue["id"], "resource_id": parties.resource["id"], **body}
    response = api.post("/v1/matches", json=sent, headers=AUTH)
    assert_problem(response, 422, field)
    assert response.json()["errors"][0]["code"] == code
    assert matches(api) == []


def test_a_deleted_issue_is_unknown(api, parties):
    deleted = api.delete(f"/v1/issues/{parties.issue['id']}", headers={**AUTH, "If-Match": "*"})
    assert deleted.status_code == 204
    response = api.post(
        "/v1/matches",
        json={"issue_id": parties.issue["id"], "resource_id": parties.resource["id"]},
        headers=AUTH,
    )
    assert_problem(response, 422, "body.issue_id")
    assert response.json()["errors"][0]["code"] == "unknown_issue"


def test_a_just_deleted_resource_is_unknown(api, parties):
    path = f"/v1/resources/{parties.resource['id']}"
    deleted = api.delete(path, headers={**AUTH, "If-Match": "*"})
    assert deleted.status_code == 204, deleted.text
    response = api.post(
        "/v1/matches",
        json={"issue_id": parties.issue["id"], "resource_id": parties.resource["id"]},
        headers=AUTH,
    )
    assert_problem(response, 422, "body.resource_id")
    assert response.json()["errors"][0]["code"] == "unknown_resource"


@pytest.mark.parametrize(
    "body",
    [{}, {"organization_id": "{partner}"}],
    ids=["neither resource nor organisation", "both resource and organisation"],
)
def test_exactly_one_partner_is_named(api, parties, body):
    sent: dict[str, Any] = {"issue_id": parties.issue["id"]}
    if body:
        sent |= {
            "resource_id": parties.resource["id"],
            "organization_id": parties.partner_org["id"],
        }
    response = api.post("/v1/matches", json=sent, headers=AUTH)
    assert_problem(response, 422, "body")
    assert matches(api) == []


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_draft_and_closed_issues_take_no_matches(api, parties, status):
    issue = post_issue(api, parties.issue_org["id"], status="draft")
    if status == "closed":
        closed = api.patch(
            f"/v1/issues/{issue['id']}",
            json={"status": "closed"},
            headers={**AUTH, "If-Match": "*"},
        )
        assert closed.status_code == 200, closed.text
    response = api.post(
        "/v1/matches",
        json={"issue_id": issue["id"], "resource_id": parties.resource["id"]},
        headers=AUTH,
    )
    assert_problem(response, 409)
    assert response.json()["type"] == "urn:kyodo:problem:issue-not-open"
    assert matches(api) == []


def test_a_paused_resource_is_not_on_offer(api, parties):
    paused = api.patch(
        f"/v1/resources/{parties.resource['id']}",
        json={"status": "paused"},
        headers={**AUTH, "If-Match": "*"},
    )
    assert paused.status_code == 200, paused.text
    response = api.post(
        "/v1/matches",
        json={"issue_id": parties.issue["id"], "resource_id": parties.resource["id"]},
        headers=AUTH,
    )
    assert_problem(response, 409)
    assert response.json()["type"] == "urn:kyodo:problem:resource-unavailable"


def test_an_organisation_cannot_be_matched_with_its_own_issue(api, parties, make_resource):
    own = make_resource(parties.issue_org["id"], type="goods", title="寄付された食材")
    for body, field in (
        ({"resource_id": own["id"]}, "body.resource_id"),
        ({"organization_id": parties.issue_org["id"]}, "body.organization_id"),
    ):
        response = api.post(
            "/v1/matches", json={"issue_id": parties.issue["id"], **body}, headers=AUTH
        )
        assert_problem(response, 422, field)
        assert response.json()["errors"][0]["code"] == "same_organization"
    assert matches(api) == []


def test_a_second_live_match_for_the_same_issue_and_partner_is_refused(api, parties):
    first = propose(api, parties)
    again = api.post(
        "/v1/matches",
        json={"issue_id": parties.issue["id"], "resource_id": parties.resource["id"]},
        headers=AUTH,
    )
    assert_problem(again, 409)
    assert again.json()["type"] == "urn:kyodo:problem:duplicate-match"
    # The same partner organisation asked directly is the same collaboration.
    direct = api.post(
        "/v1/matches",
        json={"issue_id": parties.issue["id"], "organization_id": parties.partner_org["id"]},
        headers=AUTH,
    )
    assert_problem(direct, 409)
    assert direct.json()["type"] == "urn:kyodo:problem:duplicate-match"
    assert {m["id"] for m in matches(api)} == {first["id"]}


def test_a_direct_match_blocks_one_through_the_partners_resource(api, parties, make_resource):
    direct = propose(api, parties, resource_id=None, organization_id=parties.partner_org["id"])
    other = make_resource(parties.partner_org["id"], type="goods", title="町内の米")
    for resource_id in (parties.resource["id"], other["id"]):
        response = api.post(
            "/v1/matches",
            json={"issue_id": parties.issue["id"], "resource_id": resource_id},
            headers=AUTH,
        )
        assert_problem(response, 409)
        assert response.json()["type"] == "urn:kyodo:problem:duplicate-match"
    assert {m["id"] for m in matches(api)} == {direct["id"]}


def test_the_database_refuses_a_second_live_match_of_a_pair(api, services, parties):
    """The partial unique index backs the check (on SQLite and PostgreSQL alike)."""
    import sqlalchemy as sa

    first = propose(api, parties)
    engine = services["matching"].state.engine
    columns = (
        "id, issue_id, issue_organization_id, organization_id, status, proposed_by, message, "
        "progress_notes, reviews, history, created_at, updated_at, version"
    )
    insert = sa.text(
        f"INSERT INTO match ({columns}) SELECT :id, issue_id, issue_organization_id, "
        "organization_id, :status, proposed_by, message, progress_notes, reviews, history, "
        "created_at, updated_at, version FROM match WHERE id = :first"
    )
    with engine.begin() as connection:  # an ended match of the pair is no duplicate
        connection.execute(insert, {"id": MISSING_ID, "status": "withdrawn", "first": first["id"]})
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(
            insert,
            {"id": MISSING_ID[:-1] + "0", "status": "in_discussion", "first": first["id"]},
        )


def test_concurrent_proposals_of_one_pair_make_one_match(api, parties):
    body = {"issue_id": parties.issue["id"], "resource_id": parties.resource["id"]}
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(
            pool.map(
                lambda _: api.post("/v1/matches", json=body, headers=AUTH).status_code, range(6)
            )
        )
    assert sorted(statuses) == [201, 409, 409, 409, 409, 409]
    assert len(matches(api)) == 1


@pytest.mark.parametrize("end", ["declined", "withdrawn"])
def test_after_a_match_ended_the_pair_can_be_proposed_again(api, parties, end):
    first = propose(api, parties)
    reach(api, first["id"], end)
    second = propose(api, parties)
    assert second["id"] != first["id"]


def test_a_retried_proposal_with_the_same_idempotency_key_creates_one_match(api, parties):
    body = {"issue_id": parties.issue["id"], "resource_id": parties.resource["id"]}
    headers = {**AUTH, "Idempotency-Key": "propose-kitchen-1"}
    first = api.post("/v1/matches", json=body, headers=headers)
    second = api.post("/v1/matches", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.json() == first.json()
    assert len(matches(api)) == 1
    other = api.post("/v1/matches", json={**body, "message": "別件"}, headers=headers)
    assert_problem(other, 422)


def test_proposals_need_a_key(api, parties):
    response = api.post(
        "/v1/matches",
        json={"issue_id": parties.issue["id"], "resource_id": parties.resource["id"]},
    )
    assert_problem(response, 401)


# --- every move ----------------------------------------------------------------------


@pytest.mark.parametrize("to", STATUSES)
@pytest.mark.parametrize("start", STATUSES)
def test_transition_matrix(api, parties, start, to):
    match = reach(api, propose(api, parties)["id"], start)
    if (start, to) == ("completed", "reviewed"):
        for side in ("issue", "partner"):
            assert review(api, match["id"], side).status_code == 200
    response = move(api, match["id"], to, **PAYLOAD.get(to, {}))
    if (start, to) in ALLOWED:
        assert response.status_code == 200, response.text
        moved = response.json()
        assert moved["status"] == to
        assert moved["history"][-1]["from"] == start
        assert moved["history"][-1]["to"] == to
        assert response.headers["ETag"] == f'"{moved["version"]}"'
    else:
        assert_problem(response, 409)
        problem = response.json()
        assert problem["type"] == "urn:kyodo:problem:invalid-transition"
        allowed = sorted(after for before, after in ALLOWED if before == start)
        assert all(name in problem["detail"] for name in allowed), problem["detail"]
        assert api.get(f"/v1/matches/{match['id']}", headers=AUTH).json()["status"] == start


def test_the_whole_lifecycle_leaves_a_history(api, parties):
    match = reach(api, propose(api, parties)["id"], "reviewed")
    assert [(h["from"], h["to"]) for h in match["history"]] == [
        (None, "proposed"),
        ("proposed", "in_discussion"),
        ("in_discussion", "agreed"),
        ("agreed", "in_progress"),
        ("in_progress", "completed"),
        ("completed", "reviewed"),
    ]
    assert all(h["by"] == "admin" and h["at"].endswith("+09:00") for h in match["history"])
    assert match["agreed_at"] is not None and match["completed_at"] is not None
    assert match["agreement"] == AGREEMENT


@pytest.mark.parametrize("end", ["declined", "withdrawn"])
def test_ending_a_match_needs_a_reason(api, parties, end):
    match = propose(api, parties)
    for payload in ({}, {"reason": ""}, {"reason": "   "}):
        response = move(api, match["id"], end, **payload)
        assert_problem(response, 422, "body.reason")
    response = move(api, match["id"], end, reason="日程が合いませんでした。")
    assert response.status_code == 200
    assert response.json()["reason"] == "日程が合いませんでした。"
    assert response.json()["history"][-1]["reason"] == "日程が合いませんでした。"


@pytest.mark.parametrize(
    "headers",
    [{}, {"If-Match": ""}, {"If-Match": '"7"'}, {"If-Match": 'W/"1"'}],
    ids=["none", "empty", "stale", "weak"],
)
def test_transitions_require_the_current_etag(api, parties, headers):
    match = propose(api, parties)
    response = api.post(
        f"/v1/matches/{match['id']}/transitions",
        json={"to": "in_discussion"},
        headers={**AUTH, **headers},
    )
    assert_problem(response, 428 if not headers.get("If-Match") else 412)
    assert api.get(f"/v1/matches/{match['id']}", headers=AUTH).json()["version"] == 1
    ok = api.post(
        f"/v1/matches/{match['id']}/transitions",
        json={"to": "in_discussion"},
        headers={**AUTH, "If-Match": '"1"'},
    )
    assert ok.status_code == 200


# --- the agreement -------------------------------------------------------------------


def test_agreeing_needs_an_agreement(api, parties):
    match = reach(api, propose(api, parties)["id"], "in_discussion")
    assert_problem(move(api, match["id"], "agreed"), 422, "body.agreement")


@pytest.mark.parametrize("item", list(AGREEMENT))
def test_every_item_of_the_agreement_is_required(api, parties, item):
    match = reach(api, propose(api, parties)["id"], "in_discussion")
    partial = {k: v for k, v in AGREEMENT.items() if k != item}
    response = move(api, match["id"], "agreed", agreement=partial)
    assert_problem(response, 422, f"body.agreement.{item}")
    assert [e["code"] for e in response.json()["errors"]] == ["missing"]
    assert api.get(f"/v1/matches/{match['id']}", headers=AUTH).json()["status"] == "in_discussion"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": "   "}, "body.agreement.purpose"),
        ({"content": ""}, "body.agreement.content"),
        ({"collaboration_form": "friendship"}, "body.agreement.collaboration_form"),
        ({"roles": {"issue": "運営"}}, "body.agreement.roles.partner"),
        ({"roles": {"issue": "運営", "partner": ""}}, "body.agreement.roles.partner"),
        ({"schedule": {"starts_on": "2027-04-01"}}, "body.agreement.schedule.ends_on"),
        (
            {"schedule": {"starts_on": "2027-04-01", "ends_on": "2027-03-01"}},
            "body.agreement.schedule",
        ),
        ({"personal_data": "x" * 2001}, "body.agreement.personal_data"),
        ({"signatures": 2}, "body.agreement.signatures"),
    ],
    ids=[
        "blank purpose",
        "empty content",
        "unknown form",
        "roles without the partner",
        "blank partner role",
        "schedule without an end",
        "schedule ending before it starts",
        "overlong personal data item",
        "unknown item",
    ],
)
def test_an_invalid_agreement_is_refused(api, parties, change, field):
    match = reach(api, propose(api, parties)["id"], "in_discussion")
    response = move(api, match["id"], "agreed", agreement={**AGREEMENT, **change})
    assert_problem(response, 422, field)


def test_an_agreement_is_only_given_when_agreeing(api, parties):
    match = propose(api, parties)
    response = move(api, match["id"], "in_discussion", agreement=AGREEMENT)
    assert_problem(response, 422, "body.agreement")


def test_agreeing_marks_an_open_issue_matched_in_the_same_write(api, parties, services, make_org):
    match = reach(api, propose(api, parties)["id"], "agreed")
    issue = api.get(f"/v1/issues/{parties.issue['id']}").json()
    assert issue["status"] == "matched"
    assert issue["version"] == parties.issue["version"] + 1
    updates = [e for e in outbox_events(services, "issue") if e["type"] == "issue.updated"]
    assert [e["data"]["status"] for e in updates] == ["matched"]
    # A second partner agreeing leaves the issue as it is.
    company = make_org(name="桜ヶ丘電機", kind="company")
    second = api.post(
        "/v1/matches",
        json={"issue_id": parties.issue["id"], "organization_id": company["id"]},
        headers=AUTH,
    ).json()
    reach(api, second["id"], "agreed")
    assert api.get(f"/v1/issues/{parties.issue['id']}").json()["version"] == issue["version"]
    assert match["agreement"]["roles"] == AGREEMENT["roles"]


def test_every_write_records_an_event_both_sides_can_be_reached_by(api, parties, services):
    match = reach(api, propose(api, parties)["id"], "in_discussion")
    recorded = outbox_events(services, "match")
    assert [e["type"] for e in recorded] == ["match.created", "match.updated"]
    for event in recorded:
        assert event["data"]["id"] == match["id"]
        assert event["data"]["issue_organization_id"] == parties.issue_org["id"]
        assert event["data"]["organization_id"] == parties.partner_org["id"]
        assert "caller_sides" not in event["data"]
    assert [e["data"]["status"] for e in recorded] == ["proposed", "in_discussion"]


# --- progress notes ------------------------------------------------------------------


def test_progress_notes_are_added_while_in_progress(api, parties):
    match = reach(api, propose(api, parties)["id"], "agreed")
    path = f"/v1/matches/{match['id']}/progress-notes"
    early = api.post(path, json={"note": "準備中"}, headers=AUTH)
    assert_problem(early, 409)
    assert early.json()["type"] == "urn:kyodo:problem:wrong-stage"
    reach_running = move(api, match["id"], "in_progress")
    assert reach_running.status_code == 200
    response = api.post(path, json={"note": "第1回を開催し、23人が参加した。"}, headers=AUTH)
    assert response.status_code == 200, response.text
    notes = response.json()["progress_notes"]
    assert [n["note"] for n in notes] == ["第1回を開催し、23人が参加した。"]
    assert notes[0]["by"] == "admin" and notes[0]["at"].endswith("+09:00")
    assert response.headers["ETag"] == f'"{response.json()["version"]}"'
    assert_problem(api.post(path, json={"note": "  "}, headers=AUTH), 422, "body.note")
    assert_problem(api.post(path, json={"text": "x"}, headers=AUTH), 422, "body.note")
    assert move(api, match["id"], "completed").status_code == 200
    assert_problem(api.post(path, json={"note": "遅れて"}, headers=AUTH), 409)


# --- reviews -------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["proposed", "agreed", "in_progress"])
def test_reviews_wait_until_the_match_is_completed(api, parties, status):
    match = reach(api, propose(api, parties)["id"], status)
    response = review(api, match["id"], "issue")
    assert_problem(response, 409)
    assert response.json()["type"] == "urn:kyodo:problem:wrong-stage"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose_shared": 0}, "body.purpose_shared"),
        ({"equal_partners": 6}, "body.equal_partners"),
        ({"communication": -1}, "body.communication"),
        ({"roles_clear": 4.5}, "body.roles_clear"),
        ({"goals_achieved": "five"}, "body.goals_achieved"),
        ({"better_than_alone": None}, "body.better_than_alone"),
        ({"lessons": ""}, "body.lessons"),
        ({"comment": "x" * 2001}, "body.comment"),
        ({"mood": 5}, "body.mood"),
    ],
    ids=[
        "rating 0",
        "rating 6",
        "negative rating",
        "fractional rating",
        "rating in words",
        "null rating",
        "no lessons",
        "overlong comment",
        "unknown item",
    ],
)
def test_an_invalid_review_is_refused(api, parties, change, field):
    match = reach(api, propose(api, parties)["id"], "completed")
    response = review(api, match["id"], "issue", **change)
    assert_problem(response, 422, field)
    assert api.get(f"/v1/matches/{match['id']}", headers=AUTH).json()["reviewed_by"] == []


def test_a_review_missing_a_checklist_item_is_refused(api, parties):
    match = reach(api, propose(api, parties)["id"], "completed")
    body = {k: v for k, v in REVIEW.items() if k != "fair_and_transparent"}
    response = api.put(
        f"/v1/matches/{match['id']}/reviews/issue",
        json=body,
        headers={**AUTH, "If-Match": f'"{match["version"]}"'},
    )
    assert_problem(response, 422, "body.fair_and_transparent")


@pytest.mark.parametrize("side", ["both", "Issue", "organization", ""])
def test_only_the_two_sides_have_reviews(api, parties, side):
    match = reach(api, propose(api, parties)["id"], "completed")
    response = api.put(
        f"/v1/matches/{match['id']}/reviews/{side}",
        json=REVIEW,
        headers={**AUTH, "If-Match": f'"{match["version"]}"'},
    )
    assert response.status_code in (404, 405, 422)
    assert response.headers["content-type"].startswith("application/problem+json")


def test_reviews_require_the_current_etag(api, parties):
    match = reach(api, propose(api, parties)["id"], "completed")
    path = f"/v1/matches/{match['id']}/reviews/issue"
    assert_problem(api.put(path, json=REVIEW, headers=AUTH), 428)
    assert_problem(api.put(path, json=REVIEW, headers={**AUTH, "If-Match": '"1"'}), 412)


def test_reviewed_needs_both_reviews(api, parties):
    match = reach(api, propose(api, parties)["id"], "completed")
    response = move(api, match["id"], "reviewed")
    assert_problem(response, 409)
    assert response.json()["type"] == "urn:kyodo:problem:reviews-missing"
    assert review(api, match["id"], "partner").status_code == 200
    response = move(api, match["id"], "reviewed")
    assert_problem(response, 409)
    assert "issue" in response.json()["detail"]
    assert review(api, match["id"], "issue", goals_achieved=5).status_code == 200
    done = move(api, match["id"], "reviewed")
    assert done.status_code == 200, done.text
    reviews = done.json()["reviews"]
    assert reviews["issue"]["goals_achieved"] == 5 and reviews["partner"]["goals_achieved"] == 3
    assert done.json()["reviewed_by"] == ["issue", "partner"]


def test_a_review_can_be_revised_until_reviewed_and_not_after(api, parties):
    match = reach(api, propose(api, parties)["id"], "completed")
    assert review(api, match["id"], "issue", comment="最初の感想").status_code == 200
    revised = review(api, match["id"], "issue", comment="考え直した感想")
    assert revised.json()["reviews"]["issue"]["comment"] == "考え直した感想"
    assert review(api, match["id"], "partner").status_code == 200
    assert move(api, match["id"], "reviewed").status_code == 200
    assert_problem(review(api, match["id"], "issue"), 409)


def test_unknown_matches_are_404(api):
    for response in (
        api.get(f"/v1/matches/{MISSING_ID}", headers=AUTH),
        api.post(
            f"/v1/matches/{MISSING_ID}/transitions",
            json={"to": "in_discussion"},
            headers={**AUTH, "If-Match": "*"},
        ),
    ):
        assert_problem(response, 404)
