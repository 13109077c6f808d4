"""Both sides take part (協働は双方の合意で進む): who may make which move of a match.

The rule table is ``services.matching.matches.LIFECYCLE``: from ``proposed`` only
the side that did not propose accepts or declines, only the proposer withdraws;
``agreed`` needs one side's agreement and the other side's confirmation. The
administrator acts for both sides. Moves also follow the issue: a closed or
deleted issue takes no forward moves, and an issue whose last agreement ends is
open again.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import AUTH
from hostile import assert_problem
from test_matches_kit import (
    AGREEMENT,
    PAYLOAD,
    bearer,
    bind_keys,
    client_id,
    make_parties,
    move,
    outbox_events,
    propose,
    reach,
    review,
)

ISSUE_SIDE = bearer("issue-side-key")
PARTNER_SIDE = bearer("partner-side-key")
OTHER_AGREEMENT = {**AGREEMENT, "cost_sharing": "光熱費も食材費もこども食堂が負担する。"}


@pytest.fixture
def parties(api, make_org, make_resource, services):
    from test_matches_kit import org_client

    found = make_parties(api, make_org, make_resource)
    undo = bind_keys(
        api,
        {
            "issue-side-key": org_client("issue-client", found.issue_org["id"]),
            "partner-side-key": org_client("partner-client", found.partner_org["id"]),
        },
    )
    yield found
    undo()


def by_issue(api: Any, parties: Any) -> dict[str, Any]:
    """A match the issue side proposed."""
    match = propose(api, parties, ISSUE_SIDE)
    assert match["proposed_by"] == "issue"
    return match


def in_discussion(api: Any, parties: Any) -> dict[str, Any]:
    match = by_issue(api, parties)
    accepted = move(api, match["id"], "in_discussion", PARTNER_SIDE)
    assert accepted.status_code == 200, accepted.text
    return dict(accepted.json())


def agreed(api: Any, parties: Any) -> dict[str, Any]:
    match = in_discussion(api, parties)
    assert move(api, match["id"], "agreed", ISSUE_SIDE, agreement=AGREEMENT).status_code == 202
    confirmed = move(api, match["id"], "agreed", PARTNER_SIDE)
    assert confirmed.status_code == 200, confirmed.text
    return dict(confirmed.json())


def issue_status(api: Any, parties: Any) -> str:
    return str(api.get(f"/v1/issues/{parties.issue['id']}").json()["status"])


# --- proposals -----------------------------------------------------------------------


@pytest.mark.parametrize("to", ["in_discussion", "declined"])
def test_the_proposer_cannot_answer_its_own_proposal(api, parties, to):
    match = by_issue(api, parties)
    response = move(api, match["id"], to, ISSUE_SIDE, **PAYLOAD.get(to, {}))
    assert_problem(response, 403)
    assert "partner" in response.json()["detail"]
    answered = move(api, match["id"], to, PARTNER_SIDE, **PAYLOAD.get(to, {}))
    assert answered.status_code == 200, answered.text
    assert answered.json()["history"][-1]["by"] == client_id("partner-client")


def test_only_the_proposer_withdraws_a_proposal(api, parties):
    match = by_issue(api, parties)
    refused = move(api, match["id"], "withdrawn", PARTNER_SIDE, **PAYLOAD["withdrawn"])
    assert_problem(refused, 403)
    withdrawn = move(api, match["id"], "withdrawn", ISSUE_SIDE, **PAYLOAD["withdrawn"])
    assert withdrawn.status_code == 200, withdrawn.text


def test_the_partner_side_proposing_leaves_the_answer_to_the_issue_side(api, parties):
    match = propose(api, parties, PARTNER_SIDE)
    assert match["proposed_by"] == "partner"
    assert_problem(move(api, match["id"], "in_discussion", PARTNER_SIDE), 403)
    assert move(api, match["id"], "in_discussion", ISSUE_SIDE).status_code == 200


def test_an_administrators_proposal_is_answered_by_either_side_and_withdrawn_by_it(api, parties):
    match = propose(api, parties)
    assert match["proposed_by"] == "admin"
    refused = move(api, match["id"], "withdrawn", ISSUE_SIDE, **PAYLOAD["withdrawn"])
    assert_problem(refused, 403)
    assert move(api, match["id"], "in_discussion", ISSUE_SIDE).status_code == 200


# --- agreeing takes both sides -------------------------------------------------------


def test_one_sides_agreement_waits_for_the_other_side(api, parties, services):
    match = in_discussion(api, parties)
    sent = move(api, match["id"], "agreed", ISSUE_SIDE, agreement=AGREEMENT)
    assert sent.status_code == 202, sent.text
    pending = sent.json()
    assert pending["status"] == "in_discussion"
    assert pending["agreement"] is None and pending["agreed_at"] is None
    assert pending["pending_agreement"] == AGREEMENT
    assert pending["agreement_pending_from"] == "partner"
    assert issue_status(api, parties) == "open"
    # The side that sent it cannot confirm it alone.
    alone = move(api, match["id"], "agreed", ISSUE_SIDE)
    assert_problem(alone, 409)
    assert alone.json()["type"] == "urn:kyodo:problem:agreement-pending"
    confirmed = move(api, match["id"], "agreed", PARTNER_SIDE)
    assert confirmed.status_code == 200, confirmed.text
    done = confirmed.json()
    assert done["status"] == "agreed" and done["agreement"] == AGREEMENT
    assert done["pending_agreement"] is None and done["agreement_pending_from"] is None
    assert done["history"][-1]["by"] == client_id("partner-client")
    assert issue_status(api, parties) == "matched"


def test_confirming_with_the_same_agreement_agrees(api, parties):
    match = in_discussion(api, parties)
    assert move(api, match["id"], "agreed", PARTNER_SIDE, agreement=AGREEMENT).status_code == 202
    same = move(api, match["id"], "agreed", ISSUE_SIDE, agreement=AGREEMENT)
    assert same.status_code == 200, same.text
    assert same.json()["status"] == "agreed"


def test_a_different_agreement_replaces_the_pending_one_and_waits_for_the_first_side(api, parties):
    match = in_discussion(api, parties)
    assert move(api, match["id"], "agreed", ISSUE_SIDE, agreement=AGREEMENT).status_code == 202
    counter = move(api, match["id"], "agreed", PARTNER_SIDE, agreement=OTHER_AGREEMENT)
    assert counter.status_code == 202, counter.text
    assert counter.json()["pending_agreement"] == OTHER_AGREEMENT
    assert counter.json()["agreement_pending_from"] == "issue"
    assert_problem(move(api, match["id"], "agreed", PARTNER_SIDE), 409)
    confirmed = move(api, match["id"], "agreed", ISSUE_SIDE)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["agreement"] == OTHER_AGREEMENT


def test_ending_a_match_drops_a_pending_agreement(api, parties):
    match = in_discussion(api, parties)
    move(api, match["id"], "agreed", ISSUE_SIDE, agreement=AGREEMENT)
    ended = move(api, match["id"], "declined", PARTNER_SIDE, **PAYLOAD["declined"])
    assert ended.status_code == 200, ended.text
    assert ended.json()["pending_agreement"] is None
    assert ended.json()["agreement_pending_from"] is None


def test_the_administrator_agrees_for_both_sides_at_once(api, parties):
    match = reach(api, propose(api, parties)["id"], "in_discussion")
    response = move(api, match["id"], "agreed", agreement=AGREEMENT)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "agreed"


def test_after_agreeing_either_side_runs_and_completes_it(api, parties):
    match = agreed(api, parties)
    assert move(api, match["id"], "in_progress", PARTNER_SIDE).status_code == 200
    assert move(api, match["id"], "completed", ISSUE_SIDE).status_code == 200


@pytest.mark.parametrize("start", ["agreed", "in_progress"])
@pytest.mark.parametrize("who", [ISSUE_SIDE, PARTNER_SIDE], ids=["issue side", "partner side"])
def test_either_side_may_withdraw_before_completion(api, parties, start, who):
    match = agreed(api, parties)
    if start == "in_progress":
        assert move(api, match["id"], "in_progress", ISSUE_SIDE).status_code == 200
    withdrawn = move(api, match["id"], "withdrawn", who, **PAYLOAD["withdrawn"])
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["reason"] == PAYLOAD["withdrawn"]["reason"]


# --- the issue's state ---------------------------------------------------------------


@pytest.mark.parametrize("how", ["closed", "deleted"])
def test_a_closed_or_deleted_issue_takes_no_forward_moves_but_matches_can_end(api, parties, how):
    match = reach(api, propose(api, parties)["id"], "in_discussion")
    path = f"/v1/issues/{parties.issue['id']}"
    if how == "closed":
        changed = api.patch(path, json={"status": "closed"}, headers={**AUTH, "If-Match": "*"})
        assert changed.status_code == 200, changed.text
    else:
        assert api.delete(path, headers={**AUTH, "If-Match": "*"}).status_code == 204
    forward = move(api, match["id"], "agreed", **PAYLOAD["agreed"])
    assert_problem(forward, 409)
    assert forward.json()["type"] == "urn:kyodo:problem:issue-not-open"
    ended = move(api, match["id"], "withdrawn", **PAYLOAD["withdrawn"])
    assert ended.status_code == 200, ended.text


def test_an_agreed_collaboration_runs_to_its_review_after_the_issue_closes(api, parties):
    match = reach(api, propose(api, parties)["id"], "agreed")
    path = f"/v1/issues/{parties.issue['id']}"
    closed = api.patch(path, json={"status": "closed"}, headers={**AUTH, "If-Match": "*"})
    assert closed.status_code == 200, closed.text
    for step in ("in_progress", "completed"):
        assert move(api, match["id"], step).status_code == 200
    for side in ("issue", "partner"):
        assert review(api, match["id"], side).status_code == 200
    assert move(api, match["id"], "reviewed").json()["status"] == "reviewed"


@pytest.mark.parametrize("end", ["declined", "withdrawn"])
def test_an_issue_is_open_again_when_its_last_agreement_ends(api, parties, services, make_org, end):
    first = reach(api, propose(api, parties)["id"], "agreed")
    company = make_org(name="桜ヶ丘電機", kind="company")
    second = propose(api, parties, resource_id=None, organization_id=company["id"])
    reach(api, second["id"], "in_progress")
    assert issue_status(api, parties) == "matched"
    assert move(api, first["id"], end, **PAYLOAD[end]).status_code == 200
    assert issue_status(api, parties) == "matched"  # the second still runs
    before = api.get(f"/v1/issues/{parties.issue['id']}").json()["version"]
    assert move(api, second["id"], "withdrawn", **PAYLOAD["withdrawn"]).status_code == 200
    reopened = api.get(f"/v1/issues/{parties.issue['id']}").json()
    assert reopened["status"] == "open"
    assert reopened["version"] == before + 1
    updates = [e["data"]["status"] for e in outbox_events(services, "issue")]
    assert updates[-2:] == ["matched", "open"]


def test_ending_a_match_that_never_agreed_leaves_a_matched_issue_alone(api, parties, make_org):
    reach(api, propose(api, parties)["id"], "agreed")
    company = make_org(name="桜ヶ丘電機", kind="company")
    talking = propose(api, parties, resource_id=None, organization_id=company["id"])
    reach(api, talking["id"], "declined")
    assert issue_status(api, parties) == "matched"


def test_an_issue_of_a_deleted_organisation_takes_no_matches(api, parties, make_org):
    path = f"/v1/organizations/{parties.issue_org['id']}"
    deleted = api.delete(path, headers={**AUTH, "If-Match": "*"})
    assert deleted.status_code == 204, deleted.text
    company = make_org(name="桜ヶ丘電機", kind="company")
    response = api.post(
        "/v1/matches",
        json={"issue_id": parties.issue["id"], "organization_id": company["id"]},
        headers=AUTH,
    )
    assert_problem(response, 422, "body.issue_id")
    assert response.json()["errors"][0]["code"] == "unknown_issue"
