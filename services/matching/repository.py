"""Matching queries: no HTTP, no rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, select

from services.common.db import json_list_overlaps
from services.common.search import text_matches
from services.matching.filters import IssueFilters
from services.matching.models import Issue, OrganizationDoc

__all__ = ["DEFAULT_STATUSES", "list_issues", "organizations_by_id"]

DEFAULT_STATUSES = ("open", "matched")


def list_issues(
    session: Session,
    filters: IssueFilters,
    after_id: str | None,
    *,
    draft_owners: frozenset[str] | None = None,
) -> Sequence[Issue]:
    """Live issues matching the filters, in id order, one more than the limit; drafts only
    of ``draft_owners`` (None: every draft)."""
    query = select(Issue).where(col(Issue.deleted_at).is_(None))
    query = query.where(col(Issue.status).in_(filters.status or DEFAULT_STATUSES))
    gone = select(OrganizationDoc.id).where(col(OrganizationDoc.deleted).is_(True))
    query = query.where(col(Issue.organization_id).not_in(gone))
    if draft_owners is not None:
        query = query.where(
            (Issue.status != "draft") | col(Issue.organization_id).in_(draft_owners)
        )
    if after_id is not None:
        query = query.where(Issue.id > after_id)
    if filters.q:
        query = query.where(text_matches(col(Issue.search_text), filters.q))
    if filters.field:
        query = query.where(json_list_overlaps(session, Issue.fields, filters.field))
    if filters.needed_resource_type:
        query = query.where(
            json_list_overlaps(session, Issue.needed_resource_types, filters.needed_resource_type)
        )
    if filters.collaboration_form:
        query = query.where(
            json_list_overlaps(session, Issue.collaboration_forms, filters.collaboration_form)
        )
    if filters.municipality_code:
        query = query.where(col(Issue.municipality_code).in_(filters.municipality_code))
    if filters.prefecture_code:
        query = query.where(col(Issue.municipality_code).startswith(filters.prefecture_code))
    if filters.origin:
        query = query.where(Issue.origin == filters.origin)
    if filters.organization_id:
        query = query.where(Issue.organization_id == filters.organization_id)
    if filters.updated_since:
        query = query.where(Issue.updated_at >= filters.updated_since)
    return session.exec(query.order_by(col(Issue.id)).limit(filters.limit + 1)).all()


def organizations_by_id(session: Session, ids: Iterable[str]) -> dict[str, OrganizationDoc]:
    """The read model's organisations among ``ids`` (deleted ones included)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(select(OrganizationDoc).where(col(OrganizationDoc.id).in_(wanted)))
    return {row.id: row for row in rows}
