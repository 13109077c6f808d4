"""Case studies (協働事例): reviewed collaborations, published for others to learn from.

A case study copies what a reader needs from its match (fields, form, the
sectors and names of both sides, the municipality) so that it can be searched
without the match, which stays visible to its parties only.

Publishing needs both sides' consent, the way an agreement does: the first
side's text is a ``draft`` that only the parties see; it is ``published`` when
the other side consents (to the draft as it is, or by sending the same text). Different text
replaces the draft and awaits the first side in turn. Lessons left to default
are the review lessons of the sides that consented. The administrator consents
for both sides at once. Either side (or the administrator) may withdraw a
published case study: it is then gone (410).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.common import outbox
from services.common.auth import Client, Forbidden, acts_for
from services.common.db import json_list_contains, lock_live, lock_row
from services.common.etags import check_if_match
from services.common.ids import new_id
from services.common.jptext import index_text
from services.common.problems import Conflict, Gone, NotFound
from services.common.search import text_matches
from services.common.timefmt import utcnow
from services.common.versioned import bump, commit_or_conflict
from services.matching.match_schemas import CaseStudyCreate, CaseStudyFilters, CaseStudyPublic
from services.matching.matches import SIDES, sides_of
from services.matching.models import CaseStudy, Issue, Match, OrganizationDoc

__all__ = [
    "case_studies_public",
    "case_study_of",
    "case_study_to_withdraw",
    "list_case_studies",
    "live_case_study",
    "publish",
    "withdraw",
]


class NotReviewed(Conflict):
    slug = "not-reviewed"


class AlreadyPublished(Conflict):
    slug = "already-published"


class ConsentPending(Conflict):
    """Consenting again to a draft that awaits the other side."""

    slug = "consent-pending"


def live_case_study(session: Session, case_study_id: str) -> CaseStudy:
    """The published case study: 404 if there is none (drafts are the parties'), 410 if
    it was withdrawn."""
    found = session.get(CaseStudy, case_study_id)
    if found is None or found.status != "published":
        raise NotFound(f"Case study {case_study_id} does not exist.")
    if found.deleted_at is not None:
        raise Gone(f"Case study {case_study_id} was withdrawn.")
    return found


def case_study_of(session: Session, match: Match) -> CaseStudy:
    """The match's case study, draft or published, for its parties; 404 if none."""
    found = session.exec(select(CaseStudy).where(CaseStudy.match_id == match.id)).first()
    if found is None:
        raise NotFound(f"Match {match.id} has no case study.")
    if found.deleted_at is not None:
        raise Gone(f"The case study of match {match.id} was withdrawn.")
    return found


def _lessons(match: Match, sides: Sequence[str]) -> str:
    """The review lessons of ``sides`` only: each side consents to publishing its own."""
    return "\n\n".join(
        str(match.reviews[side]["lessons"])
        for side in SIDES
        if side in match.reviews and side in sides
    )


def _form(match: Match, data: CaseStudyCreate) -> str:
    return str(data.collaboration_form or (match.agreement or {})["collaboration_form"])


def _same_text(row: CaseStudy, match: Match, data: CaseStudyCreate) -> bool:
    given = None if row.lessons_from_reviews else row.lessons
    return (row.title, row.summary, row.outcomes, row.collaboration_form, given) == (
        data.title,
        data.summary,
        data.outcomes,
        _form(match, data),
        data.lessons,
    )


def _write_text(row: CaseStudy, match: Match, issue: Issue, data: CaseStudyCreate) -> None:
    row.title, row.summary, row.outcomes = data.title, data.summary, data.outcomes
    row.collaboration_form = _form(match, data)
    row.lessons_from_reviews = data.lessons is None
    row.lessons = data.lessons if data.lessons is not None else _lessons(match, row.consents)


def _index(row: CaseStudy, issue: Issue) -> None:
    row.search_text = index_text(row.title, row.summary, row.outcomes, row.lessons, issue.title)


def publish(
    *, session: Session, match: Match, data: CaseStudyCreate | None, actor: Client
) -> CaseStudy:
    """Consent to publishing a reviewed match as a case study (one per match): a draft
    until both sides have consented to the same text, then published."""
    lock_row(session, match)  # two first consents at once: the second sees the first
    if match.status != "reviewed":
        raise NotReviewed(f"Only reviewed matches are published (this one is {match.status}).")
    sides = frozenset(SIDES) if actor.is_admin else sides_of(actor, match)
    issue = session.get(Issue, match.issue_id)
    assert issue is not None  # a match keeps its issue (foreign key)
    row = session.exec(select(CaseStudy).where(CaseStudy.match_id == match.id)).first()
    if row is not None and (row.status == "published" or row.deleted_at is not None):
        raise AlreadyPublished("This match is already published as a case study.")
    now = utcnow()
    if row is None:
        if data is None:
            raise NotFound(f"Match {match.id} has no draft case study to consent to.")
        row = _new_row(session, match, issue, now)
        row.consents = sorted(sides)
        _write_text(row, match, issue, data)
    elif sides - set(row.consents) and (data is None or _same_text(row, match, data)):
        row.consents = list(SIDES)  # the other side consents to the draft as it is
        if row.lessons_from_reviews:
            row.lessons = _lessons(match, row.consents)
    elif data is None:
        awaiting = " and ".join(side for side in SIDES if side not in row.consents)
        raise ConsentPending(f"The draft awaits the {awaiting} side's consent, not yours.")
    else:
        row.consents = sorted(sides)  # new text: only its sender has consented to it
        _write_text(row, match, issue, data)
    _index(row, issue)
    if set(row.consents) >= set(SIDES):
        row.status, row.published_at = "published", now
    bump(row, now)
    if row.status == "published":
        outbox.record(
            session,
            entity="case_study",
            action="created",
            entity_id=row.id,
            version=row.version,
            payload=case_studies_public(session, [row])[0].model_dump(mode="json"),
        )
    commit_or_conflict(session, lambda: AlreadyPublished("This match already has a case study."))
    return row


def _new_row(session: Session, match: Match, issue: Issue, now: datetime) -> CaseStudy:
    orgs = _organizations(session, [match.issue_organization_id, match.organization_id])
    row = CaseStudy(
        id=new_id(),
        match_id=match.id,
        issue_id=issue.id,
        title="",
        collaboration_form="",
        fields=list(issue.fields),
        sectors=sorted({org.sector for org in orgs.values() if org.sector}),
        organization_ids=[match.issue_organization_id, match.organization_id],
        municipality_code=issue.municipality_code,
        status="draft",
        updated_at=now,
        version=0,  # bumped to 1 as it is written
    )
    session.add(row)
    return row


def case_study_to_withdraw(session: Session, case_study_id: str, actor: Client) -> CaseStudy:
    """The case study, for either side or the administrator: 404 if none (or a draft of
    others), 410 if withdrawn, 403 for anyone else."""
    found = session.get(CaseStudy, case_study_id)
    party = found is not None and any(acts_for(actor, o) for o in found.organization_ids)
    if found is None or (found.status == "draft" and not party):
        raise NotFound(f"Case study {case_study_id} does not exist.")
    if found.deleted_at is not None:
        raise Gone(f"Case study {case_study_id} was withdrawn.")
    if not party:
        raise Forbidden("Only either side of the collaboration (or an administrator) may do this.")
    return found


def withdraw(*, session: Session, row: CaseStudy, if_match: str | None) -> None:
    """Withdraw a case study: a published one is gone (410) with a tombstone event; a
    draft is dropped, so the match may be proposed for publication again."""
    lock_live(session, row, "Case study")
    check_if_match(if_match, row.version)
    if row.status == "draft":
        session.delete(row)
        commit_or_conflict(session)
        return
    row.deleted_at = utcnow()
    bump(row, row.deleted_at)
    outbox.record(
        session,
        entity="case_study",
        action="deleted",
        entity_id=row.id,
        version=row.version,
        payload=None,
    )
    commit_or_conflict(session)


def _organizations(session: Session, ids: Sequence[str]) -> dict[str, OrganizationDoc]:
    rows = session.exec(select(OrganizationDoc).where(col(OrganizationDoc.id).in_(set(ids))))
    return {org.id: org for org in rows}


def case_studies_public(session: Session, rows: Sequence[CaseStudy]) -> list[CaseStudyPublic]:
    """Public views, with the names and sectors of both sides, in one query."""
    orgs = _organizations(session, [i for row in rows for i in row.organization_ids])
    return [
        CaseStudyPublic.model_validate(
            {
                **row.model_dump(),
                "awaiting_consent_from": next(
                    (side for side in SIDES if side not in row.consents), None
                ),
                "organizations": [
                    {
                        "id": org_id,
                        "name": orgs[org_id].name if org_id in orgs else "",
                        "sector": orgs[org_id].sector if org_id in orgs else "",
                        "side": side,
                    }
                    for side, org_id in zip(("issue", "partner"), row.organization_ids, strict=True)
                ],
            }
        )
        for row in rows
    ]


def _any_of(session: Session, column: object, values: Sequence[str]) -> sa.ColumnElement[bool]:
    return sa.or_(*(json_list_contains(session, column, value) for value in values))


def list_case_studies(
    session: Session, filters: CaseStudyFilters, after_id: str | None
) -> Sequence[CaseStudy]:
    """Published case studies matching the filters, in id order, one more than the limit."""
    query = select(CaseStudy).where(
        col(CaseStudy.deleted_at).is_(None), CaseStudy.status == "published"
    )
    if after_id is not None:
        query = query.where(CaseStudy.id > after_id)
    if filters.q:
        query = query.where(text_matches(col(CaseStudy.search_text), filters.q))
    if filters.field:
        query = query.where(_any_of(session, CaseStudy.fields, filters.field))
    if filters.sector:
        query = query.where(_any_of(session, CaseStudy.sectors, filters.sector))
    if filters.collaboration_form:
        query = query.where(col(CaseStudy.collaboration_form).in_(filters.collaboration_form))
    if filters.municipality_code:
        query = query.where(col(CaseStudy.municipality_code).in_(filters.municipality_code))
    return session.exec(query.order_by(col(CaseStudy.id)).limit(filters.limit + 1)).all()
