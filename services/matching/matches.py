"""Match rules and transactions (協働の流れ). Each write commits once, with its outbox event.

A match joins an issue and a partner organisation and moves through the
lifecycle ``proposed → in_discussion → agreed → in_progress → completed →
reviewed``; ``declined`` and ``withdrawn`` end it early. Each side sees only
what is theirs to see: :func:`sides_of` is the one rule that says who is a
party, and a caller who is no party gets 404, never the match.

:data:`LIFECYCLE` is the one table of who may make which move. A match needs
both sides: the side that did not propose accepts or declines a proposal, and
an agreement becomes ``agreed`` only when the side that did not send it
confirms it. The administrator acts for both sides, so it can still drive a
match alone (demo data, support).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.common import outbox
from services.common.auth import Client
from services.common.db import lock_row
from services.common.etags import check_if_match
from services.common.ids import new_id
from services.common.problems import (
    Conflict,
    FieldError,
    NotFound,
    ProblemError,
    ValidationProblem,
    require_known,
)
from services.common.timefmt import utcnow
from services.common.versioned import bump, commit_or_conflict
from services.matching import issues, suggest
from services.matching.match_schemas import (
    END_STATES,
    MatchCreate,
    MatchFilters,
    MatchPublic,
    MatchTransition,
    ProgressNoteCreate,
    Review,
)
from services.matching.models import Issue, Match, OrganizationDoc, ResourceDoc
from services.matching.ranking import Ranking

__all__ = [
    "LIFECYCLE",
    "SIDES",
    "TRANSITIONS",
    "add_progress_note",
    "create_match",
    "list_matches",
    "matches_public",
    "put_review",
    "sides_of",
    "transition",
    "visible_match",
]

SIDES = ("issue", "partner")
Mover = Literal["recipient", "proposer", "either", "both"]
"""Who may make a move: ``recipient`` the side that did not propose (either side when
the administrator proposed), ``proposer`` the side that proposed, ``either`` side, or
``both`` (one side sends the agreement, the other confirms it)."""
LIFECYCLE: dict[str, dict[str, Mover]] = {
    "proposed": {"in_discussion": "recipient", "declined": "recipient", "withdrawn": "proposer"},
    "in_discussion": {"agreed": "both", "declined": "either", "withdrawn": "either"},
    "agreed": {"in_progress": "either", "declined": "either", "withdrawn": "either"},
    "in_progress": {"completed": "either", "withdrawn": "either"},
    "completed": {"reviewed": "either"},
    "reviewed": {},
    "declined": {},
    "withdrawn": {},
}
"""From each status, where a match may go and who may move it; anything else is an
invalid transition (409), and a party moving for the wrong side is refused (403)."""
TRANSITIONS: dict[str, tuple[str, ...]] = {s: tuple(moves) for s, moves in LIFECYCLE.items()}
"""Where a match may go from each status."""
LIVE = tuple(status for status in TRANSITIONS if status not in END_STATES)
"""Statuses of a match that has not ended early: one such match per issue and partner."""
AGREED_OR_BEYOND = ("agreed", "in_progress", "completed", "reviewed")
MAX_PROGRESS_NOTES = 500
_MATCHABLE_ISSUES = ("open", "matched")
_DUPLICATE = "This issue and partner organisation already have a match under way."


class Forbidden(ProblemError):
    """A party asking for what belongs to the other side."""

    status, slug, title = 403, "forbidden", "Forbidden"


class InvalidTransition(Conflict):
    slug, title = "invalid-transition", "Invalid transition"


class IssueNotOpen(Conflict):
    slug = "issue-not-open"


class ResourceUnavailable(Conflict):
    slug = "resource-unavailable"


class DuplicateMatch(Conflict):
    slug = "duplicate-match"


class AgreementPending(Conflict):
    """Confirming an agreement that awaits the other side."""

    slug = "agreement-pending"


class ReviewsMissing(Conflict):
    slug = "reviews-missing"


class WrongStage(Conflict):
    """An action the match's current status does not take (notes, reviews)."""

    slug = "wrong-stage"


# --- who may see what ----------------------------------------------------------------


def sides_of(client: Client, match: Match) -> frozenset[str]:
    """The sides ``client`` acts for on ``match``: both for the administrator, the
    side of each organisation the client is bound to, or none (no party)."""
    if client.is_admin:
        return frozenset(SIDES)
    sides = set()
    if match.issue_organization_id in client.organization_ids:
        sides.add("issue")
    if match.organization_id in client.organization_ids:
        sides.add("partner")
    return frozenset(sides)


def visible_match(session: Session, client: Client, match_id: str) -> Match:
    """The match, for its parties only: 404 when it does not exist *or* is not yours."""
    match = session.get(Match, match_id)
    if match is None or not sides_of(client, match):
        raise NotFound(f"Match {match_id} does not exist.")
    return match


def _visible_to(client: Client) -> sa.ColumnElement[bool]:
    """The SQL form of :func:`sides_of` being non-empty."""
    if client.is_admin:
        return sa.true()
    mine = sorted(client.organization_ids)
    if not mine:
        return sa.false()
    return sa.or_(col(Match.issue_organization_id).in_(mine), col(Match.organization_id).in_(mine))


def list_matches(
    session: Session, client: Client, filters: MatchFilters, after_id: str | None
) -> Sequence[Match]:
    """The caller's matches matching the filters, in id order, one more than the limit."""
    query = select(Match).where(_visible_to(client))
    if after_id is not None:
        query = query.where(Match.id > after_id)
    if filters.issue_id:
        query = query.where(Match.issue_id == filters.issue_id)
    if filters.organization_id:
        query = query.where(
            (Match.issue_organization_id == filters.organization_id)
            | (Match.organization_id == filters.organization_id)
        )
    if filters.status:
        query = query.where(col(Match.status).in_(filters.status))
    return session.exec(query.order_by(col(Match.id)).limit(filters.limit + 1)).all()


# --- views and events ----------------------------------------------------------------


def matches_public(
    session: Session, matches: Sequence[Match], client: Client | None
) -> list[MatchPublic]:
    """Matches as ``client`` sees them (``None``: as both parties see them, for events)."""
    issue_titles = _titles(session, Issue, {m.issue_id for m in matches})
    resource_titles = _titles(session, ResourceDoc, {m.resource_id for m in matches} - {None})
    org_ids = {m.issue_organization_id for m in matches} | {m.organization_id for m in matches}
    names = {
        org.id: org.name
        for org in session.exec(select(OrganizationDoc).where(col(OrganizationDoc.id).in_(org_ids)))
    }
    return [
        _public(
            match,
            sides_of(client, match) if client is not None else frozenset(),
            issue_title=issue_titles.get(match.issue_id, ""),
            resource_title=resource_titles.get(match.resource_id or ""),
            names=names,
        )
        for match in matches
    ]


def _titles(session: Session, table: Any, ids: set[Any]) -> dict[str, str]:
    if not ids:
        return {}
    return {row.id: row.title for row in session.exec(select(table).where(col(table.id).in_(ids)))}


def _public(
    match: Match,
    sides: frozenset[str],
    *,
    issue_title: str,
    resource_title: str | None,
    names: dict[str, str],
) -> MatchPublic:
    both_in = all(side in match.reviews for side in SIDES)
    reviews = {
        side: match.reviews.get(side) if both_in or side in sides else None for side in SIDES
    }
    return MatchPublic.model_validate(
        {
            **match.model_dump(),
            "issue_title": issue_title,
            "issue_organization_name": names.get(match.issue_organization_id, ""),
            "resource_title": resource_title,
            "organization_name": names.get(match.organization_id, ""),
            "reviews": reviews,
            "reviewed_by": [side for side in SIDES if side in match.reviews],
            "caller_sides": [side for side in SIDES if side in sides],
        }
    )


def _record(session: Session, match: Match, action: str) -> None:
    # The event is what both parties may see (a notifier reaches both sides):
    # a review stays out of it until both are in.
    view = matches_public(session, [match], None)[0]
    outbox.record(
        session,
        entity="match",
        action=action,
        entity_id=match.id,
        version=match.version,
        payload=view.model_dump(mode="json", by_alias=True, exclude={"caller_sides"}),
    )


def _history(match: Match, to: str, at: datetime, actor: Client, reason: str | None) -> None:
    entry = {
        "from": match.status if match.history else None,
        "to": to,
        "at": at.isoformat(),
        "by": actor.id,
        "reason": reason,
    }
    match.history = [*match.history, entry]  # a new list, so the JSON column is saved


# --- creating ------------------------------------------------------------------------


def _field_error(field: str, message: str, code: str) -> ValidationProblem:
    return ValidationProblem(message, errors=[FieldError(field=field, message=message, code=code)])


def _issue_is_gone(session: Session, issue: Issue | None) -> bool:
    """Deleted, or gone with its organisation (deleted in the registry)."""
    if issue is None or issue.deleted_at is not None:
        return True
    owner = session.get(OrganizationDoc, issue.organization_id)
    return owner is not None and owner.deleted


def _matchable_issue(session: Session, issue_id: str) -> Issue:
    """The issue, or 422 ``unknown_issue`` when it does not exist, was deleted, or went
    with its deleted organisation."""
    issue = session.get(Issue, issue_id)
    live = set() if _issue_is_gone(session, issue) else {issue_id}
    require_known([issue_id], live, "issue_id", "issue")
    assert issue is not None
    return issue


def _partner(session: Session, data: MatchCreate) -> tuple[str, ResourceDoc | None]:
    """The partner organisation, and the resource when one was named."""
    if data.resource_id is None:
        assert data.organization_id is not None
        known = issues.known_organizations(session, [data.organization_id])
        require_known([data.organization_id], known, "organization_id", "organization")
        return data.organization_id, None
    resource = session.get(ResourceDoc, data.resource_id)
    owner_known = resource is not None and bool(
        issues.known_organizations(session, [resource.organization_id])
    )
    live = (
        {data.resource_id}
        if resource is not None and not resource.deleted and owner_known
        else set()
    )
    require_known([data.resource_id], live, "resource_id", "resource")
    assert resource is not None
    return resource.organization_id, resource


def _duplicate(session: Session, issue: Issue, partner_id: str) -> bool:
    """A live match of the issue with the partner organisation, through any resource or
    none (the partial unique index ``uq_match_live_partner`` backs this)."""
    query = select(Match.id).where(
        Match.issue_id == issue.id,
        Match.organization_id == partner_id,
        col(Match.status).in_(LIVE),
    )
    return session.exec(query.limit(1)).first() is not None


def _proposer(actor: Client, sides: frozenset[str]) -> str:
    if actor.is_admin:
        return "admin"
    return "issue" if "issue" in sides else "partner"


def _proposal_score(
    ranking: Ranking,
    session: Session,
    issue: Issue,
    resource: ResourceDoc | None,
    weights: dict[str, float],
) -> tuple[float | None, dict[str, float] | None]:
    if resource is None:
        return None, None
    scored = suggest.score_resource(ranking, session, issue, resource.id, weights)
    if scored is None:
        return None, None
    values = {name: round(value, 4) for name, value in scored.values.items()}
    return round(scored.score, 4), values


def create_match(
    *,
    session: Session,
    data: MatchCreate,
    actor: Client,
    ranking: Ranking,
    weights: dict[str, float],
) -> Match:
    """Propose a match between an issue and a resource's organisation, or an organisation
    asked directly; the candidate's score and factor values are kept for learning."""
    issue = _matchable_issue(session, data.issue_id)
    partner_id, resource = _partner(session, data)
    if partner_id == issue.organization_id:
        field = "body.resource_id" if resource is not None else "body.organization_id"
        raise _field_error(
            field, "An organisation cannot be matched with its own issue.", "same_organization"
        )
    now = utcnow()
    match = Match(
        id=new_id(),
        issue_id=issue.id,
        issue_organization_id=issue.organization_id,
        resource_id=resource.id if resource is not None else None,
        organization_id=partner_id,
        status="proposed",
        message=data.message,
        created_at=now,
        updated_at=now,
    )
    sides = sides_of(actor, match)
    if not sides:
        raise Forbidden("You may propose matches only for an issue or a partner of your own.")
    match.proposed_by = _proposer(actor, sides)
    if issue.status not in _MATCHABLE_ISSUES:
        raise IssueNotOpen(f"The issue is {issue.status}; matches are proposed for open issues.")
    if resource is not None and resource.status != "active":
        raise ResourceUnavailable(f"The resource is {resource.status}, not on offer.")
    if _duplicate(session, issue, partner_id):
        raise DuplicateMatch(_DUPLICATE)
    match.score, match.factor_values = _proposal_score(ranking, session, issue, resource, weights)
    _history(match, "proposed", now, actor, None)
    session.add(match)
    _record(session, match, "created")
    commit_or_conflict(session, lambda: DuplicateMatch(_DUPLICATE))
    return match


# --- moving through the lifecycle ----------------------------------------------------


def _check_payload(match: Match, data: MatchTransition) -> None:
    if data.to in END_STATES and not data.reason:
        raise _field_error(
            "body.reason", f"A reason is required to mark a match {data.to}.", "missing"
        )
    if data.to != "agreed" and data.agreement is not None:
        raise _field_error(
            "body.agreement", "An agreement is recorded only when moving to agreed.", "unexpected"
        )
    if data.to == "agreed" and data.agreement is None and match.agreement_pending_from is None:
        raise _field_error("body.agreement", "Agreeing needs the complete agreement.", "missing")
    if data.to == "reviewed" and not all(side in match.reviews for side in SIDES):
        waiting = ", ".join(side for side in SIDES if side not in match.reviews)
        raise ReviewsMissing(f"Both sides must answer their review first (waiting: {waiting}).")


def _movers(match: Match, mover: Mover) -> frozenset[str]:
    """The sides that may make a move of kind ``mover`` on ``match``."""
    if mover == "proposer":
        return frozenset({match.proposed_by}) - {"admin"}
    if mover == "recipient":
        return frozenset(SIDES) - {match.proposed_by}
    return frozenset(SIDES)


def _check_mover(match: Match, to: str, actor: Client) -> None:
    """403 unless ``actor`` acts for a side that may make this move (see LIFECYCLE)."""
    movers = _movers(match, LIFECYCLE[match.status][to])
    if actor.is_admin or movers & sides_of(actor, match):
        return
    if not movers:
        raise Forbidden(f"Only the administrator, who proposed this match, may move it to {to}.")
    who = " or ".join(sorted(movers))
    raise Forbidden(
        f"From {match.status}, only the {who} side may move this match to {to} "
        f"(the {match.proposed_by} side proposed it)."
    )


def _check_issue(session: Session, match: Match, to: str) -> None:
    """A match moves towards an agreement only while its issue lives and is not closed;
    a collaboration already agreed runs to its end and review whatever the issue's
    status, and ending a match (declined, withdrawn) is always possible."""
    if to in END_STATES or match.agreed_at is not None:
        return
    issue = session.get(Issue, match.issue_id)
    if _issue_is_gone(session, issue):
        raise IssueNotOpen("The issue was deleted; its matches can only be ended.")
    assert issue is not None
    if issue.status == "closed":
        raise IssueNotOpen("The issue is closed; its matches can only be ended.")


def _record_issue(session: Session, issue: Issue, status: str, now: datetime) -> None:
    issue.status = status
    bump(issue, now)
    outbox.record(
        session,
        entity="issue",
        action="updated",
        entity_id=issue.id,
        version=issue.version,
        payload=issues.issues_public(session, [issue])[0].model_dump(mode="json"),
    )


def _issue_matched(session: Session, issue_id: str, now: datetime) -> None:
    """The first agreement on an open issue marks it matched (same transaction)."""
    issue = session.get(Issue, issue_id)
    if issue is None or issue.deleted_at is not None or issue.status != "open":
        return
    lock_row(session, issue)
    _record_issue(session, issue, "matched", now)


def _issue_reopened(session: Session, match: Match, now: datetime) -> None:
    """When the last match at ``agreed`` or beyond ends, a matched issue is open again
    (same transaction)."""
    issue = session.get(Issue, match.issue_id)
    if issue is None or issue.deleted_at is not None:
        return
    lock_row(session, issue)  # two matches ending at once: the second sees the first
    if issue.status != "matched":
        return
    others = select(Match.id).where(
        Match.issue_id == issue.id,
        Match.id != match.id,
        col(Match.status).in_(AGREED_OR_BEYOND),
    )
    if session.exec(others.limit(1)).first() is None:
        _record_issue(session, issue, "open", now)


def _agreement_step(match: Match, data: MatchTransition, actor: Client) -> bool:
    """Record one side's agreement, or confirm the other side's; True when both agree.

    The first side to send an agreement leaves it pending from the other side; the
    other side confirms it (without an agreement, or the same one) or sends a
    different one, which replaces it and awaits the first side in turn. A caller
    acting for both sides (the administrator) agrees at once.
    """
    sides = frozenset(SIDES) if actor.is_admin else sides_of(actor, match)
    sent = data.agreement.model_dump(mode="json") if data.agreement is not None else None
    pending_from = match.agreement_pending_from
    if pending_from in sides and sent in (None, match.pending_agreement):
        match.agreement = match.pending_agreement
        return True
    if sent is None:
        raise AgreementPending(
            f"The agreement awaits the {pending_from} side's confirmation, not yours."
        )
    if sides >= set(SIDES):
        match.agreement = sent
        return True
    (own,) = sides
    match.pending_agreement = sent
    match.agreement_pending_from = next(side for side in SIDES if side != own)
    return False


def transition(
    *, session: Session, match: Match, data: MatchTransition, actor: Client, if_match: str | None
) -> Match:
    """Move a match one step of the lifecycle, or end it with a reason.

    Moving to ``agreed`` may only record one side's agreement: the match then stays
    ``in_discussion`` with ``agreement_pending_from`` naming the side to confirm.
    """
    lock_row(session, match)
    check_if_match(if_match, match.version)
    allowed = TRANSITIONS[match.status]
    if data.to not in allowed:
        options = ", ".join(allowed) if allowed else "nowhere (it has ended)"
        raise InvalidTransition(
            f"A match cannot go from {match.status} to {data.to}; "
            f"from {match.status} it can go to {options}."
        )
    _check_payload(match, data)
    _check_mover(match, data.to, actor)
    _check_issue(session, match, data.to)
    now = utcnow()
    if data.to == "agreed" and not _agreement_step(match, data, actor):
        bump(match, now)
        _record(session, match, "updated")
        commit_or_conflict(session)
        return match
    _history(match, data.to, now, actor, data.reason)
    match.pending_agreement = match.agreement_pending_from = None
    if data.to in END_STATES:
        match.reason = data.reason
        if match.status in AGREED_OR_BEYOND:
            _issue_reopened(session, match, now)
    if data.to == "agreed":
        match.agreed_at = now
        _issue_matched(session, match.issue_id, now)
    if data.to == "completed":
        match.completed_at = now
    match.status = data.to
    bump(match, now)
    _record(session, match, "updated")
    commit_or_conflict(session)
    return match


def add_progress_note(
    *, session: Session, match: Match, data: ProgressNoteCreate, actor: Client
) -> Match:
    """Add a progress note while the collaboration runs (an append: no If-Match)."""
    lock_row(session, match)
    if match.status != "in_progress":
        raise WrongStage(
            f"Progress notes are added while in progress (the match is {match.status})."
        )
    if len(match.progress_notes) >= MAX_PROGRESS_NOTES:
        raise Conflict(f"A match keeps at most {MAX_PROGRESS_NOTES} progress notes.")
    now = utcnow()
    note = {"id": new_id(), "note": data.note, "by": actor.id, "at": now.isoformat()}
    match.progress_notes = [*match.progress_notes, note]
    bump(match, now)
    _record(session, match, "updated")
    commit_or_conflict(session)
    return match


def put_review(
    *,
    session: Session,
    match: Match,
    side: str,
    data: Review,
    actor: Client,
    if_match: str | None,
) -> Match:
    """Answer (or revise) one side's review of a completed collaboration."""
    if side not in sides_of(actor, match):
        raise Forbidden(f"Only the {side} side answers the {side} review.")
    lock_row(session, match)
    check_if_match(if_match, match.version)
    if match.status != "completed":
        raise WrongStage(
            f"Reviews are answered once the match is completed (it is {match.status})."
        )
    now = utcnow()
    answer = {**data.model_dump(mode="json"), "by": actor.id, "at": now.isoformat()}
    match.reviews = {**match.reviews, side: answer}
    bump(match, now)
    _record(session, match, "updated")
    commit_or_conflict(session)
    return match
