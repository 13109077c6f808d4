"""Case studies (協働事例): reviewed collaborations, published for others to learn from.

A case study copies what a reader needs from its match (fields, form, the
sectors and names of both sides, the municipality) so that it can be searched
without the match, which stays visible to its parties only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.common import outbox
from services.common.db import json_list_contains
from services.common.ids import new_id
from services.common.jptext import index_text
from services.common.problems import Conflict, NotFound
from services.common.search import text_matches
from services.common.timefmt import utcnow
from services.common.versioned import commit_or_conflict
from services.matching.match_schemas import CaseStudyCreate, CaseStudyFilters, CaseStudyPublic
from services.matching.models import CaseStudy, Issue, Match, OrganizationDoc

__all__ = ["case_studies_public", "list_case_studies", "live_case_study", "publish"]


class NotReviewed(Conflict):
    slug = "not-reviewed"


class AlreadyPublished(Conflict):
    slug = "already-published"


def live_case_study(session: Session, case_study_id: str) -> CaseStudy:
    """The case study, or 404."""
    found = session.get(CaseStudy, case_study_id)
    if found is None or found.deleted_at is not None:
        raise NotFound(f"Case study {case_study_id} does not exist.")
    return found


def _default_lessons(match: Match) -> str:
    return "\n\n".join(
        str(match.reviews[side]["lessons"])
        for side in ("issue", "partner")
        if side in match.reviews
    )


def publish(*, session: Session, match: Match, data: CaseStudyCreate) -> CaseStudy:
    """Publish a reviewed match as a case study (one per match)."""
    if match.status != "reviewed":
        raise NotReviewed(f"Only reviewed matches are published (this one is {match.status}).")
    if session.exec(select(CaseStudy.id).where(CaseStudy.match_id == match.id)).first():
        raise AlreadyPublished("This match is already published as a case study.")
    issue = session.get(Issue, match.issue_id)
    assert issue is not None  # a match keeps its issue (foreign key)
    orgs = _organizations(session, [match.issue_organization_id, match.organization_id])
    now = utcnow()
    row = CaseStudy(
        id=new_id(),
        match_id=match.id,
        issue_id=issue.id,
        title=data.title,
        summary=data.summary,
        outcomes=data.outcomes,
        lessons=data.lessons if data.lessons is not None else _default_lessons(match),
        fields=list(issue.fields),
        collaboration_form=str(
            data.collaboration_form or (match.agreement or {})["collaboration_form"]
        ),
        sectors=sorted({org.sector for org in orgs.values() if org.sector}),
        organization_ids=[match.issue_organization_id, match.organization_id],
        municipality_code=issue.municipality_code,
        published_at=now,
        updated_at=now,
    )
    row.search_text = index_text(row.title, row.summary, row.outcomes, row.lessons, issue.title)
    session.add(row)
    outbox.record(
        session,
        entity="case_study",
        action="created",
        entity_id=row.id,
        version=row.version,
        payload=case_studies_public(session, [row])[0].model_dump(mode="json"),
    )
    commit_or_conflict(session, lambda: AlreadyPublished("This match is already published."))
    return row


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
    query = select(CaseStudy).where(col(CaseStudy.deleted_at).is_(None))
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
