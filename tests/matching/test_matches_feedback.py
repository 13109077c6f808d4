"""Outcomes as feedback for learning: which matches teach the ranking, and how."""

from __future__ import annotations

from typing import Any

from conftest import AUTH
from sqlmodel import Session
from test_matches_kit import PAYLOAD, make_parties, move, propose, reach

from services.matching.feedback import feedback_rows


def _labels(services: Any) -> dict[str, int]:
    with Session(services["matching"].state.engine) as session:
        rows = feedback_rows(session)
    return {row.issue_id: row.label for row in rows}


def _one(api: Any, make_org: Any, make_resource: Any, *steps: str) -> str:
    """A match through a resource (so it carries factor values), moved along ``steps``."""
    parties = make_parties(api, make_org, make_resource)
    match = propose(api, parties)
    assert match["factor_values"] is not None
    for step in steps:
        if step in ("declined", "withdrawn"):
            response = move(api, match["id"], step, **PAYLOAD[step])
            assert response.status_code == 200, response.text
        else:
            reach(api, match["id"], step)
    return str(parties.issue["id"])


def test_a_match_that_ever_agreed_is_positive_even_if_it_ended_later(
    api, services, make_org, make_resource
):
    agreed_then_withdrawn = _one(api, make_org, make_resource, "agreed", "withdrawn")
    agreed_then_declined = _one(api, make_org, make_resource, "agreed", "declined")
    running = _one(api, make_org, make_resource, "in_progress")
    labels = _labels(services)
    assert labels[agreed_then_withdrawn] == 1
    assert labels[agreed_then_declined] == 1
    assert labels[running] == 1


def test_a_match_declined_before_agreeing_is_negative_and_withdrawn_is_ignored(
    api, services, make_org, make_resource
):
    declined = _one(api, make_org, make_resource, "declined")
    talked_then_declined = _one(api, make_org, make_resource, "in_discussion", "declined")
    withdrawn = _one(api, make_org, make_resource, "withdrawn")
    talked_then_withdrawn = _one(api, make_org, make_resource, "in_discussion", "withdrawn")
    still_talking = _one(api, make_org, make_resource, "in_discussion")
    labels = _labels(services)
    assert labels[declined] == 0
    assert labels[talked_then_declined] == 0
    for ignored in (withdrawn, talked_then_withdrawn, still_talking):
        assert ignored not in labels
    assert api.get("/v1/matches", headers=AUTH).status_code == 200
