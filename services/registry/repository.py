"""Registry queries: no HTTP, no rules."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.common.db import json_list_overlaps
from services.common.outbox import OutboxEvent
from services.common.search import text_matches
from services.registry.filters import OrganizationFilters, ResourceFilters
from services.registry.models import Organization, Resource

__all__ = [
    "changes_after",
    "corporate_number_taken",
    "get_organization",
    "get_organizations",
    "get_resource",
    "latest_change_seq",
    "list_organizations",
    "list_resources",
    "live_resources_of",
]


def get_organization(session: Session, organization_id: str) -> Organization | None:
    return session.get(Organization, organization_id)


def get_organizations(session: Session, ids: Sequence[str]) -> dict[str, Organization]:
    if not ids:
        return {}
    rows = session.exec(select(Organization).where(col(Organization.id).in_(set(ids))))
    return {row.id: row for row in rows}


def get_resource(session: Session, resource_id: str) -> Resource | None:
    return session.get(Resource, resource_id)


def corporate_number_taken(
    session: Session, corporate_number: str, *, except_id: str | None = None
) -> bool:
    query = select(Organization.id).where(
        Organization.corporate_number == corporate_number,
        col(Organization.deleted_at).is_(None),
    )
    if except_id is not None:
        query = query.where(Organization.id != except_id)
    return session.exec(query.limit(1)).first() is not None


def list_organizations(
    session: Session, filters: OrganizationFilters, after_id: str | None
) -> Sequence[Organization]:
    """Live organisations matching the filters, in id order, one more than the limit."""
    query = select(Organization).where(col(Organization.deleted_at).is_(None))
    if after_id is not None:
        query = query.where(Organization.id > after_id)
    if filters.q:
        query = query.where(text_matches(col(Organization.search_text), filters.q))
    if filters.kind:
        query = query.where(col(Organization.kind).in_(filters.kind))
    if filters.sector:
        query = query.where(col(Organization.sector).in_(filters.sector))
    if filters.field:
        query = query.where(json_list_overlaps(session, Organization.fields, filters.field))
    if filters.municipality_code:
        query = query.where(col(Organization.municipality_code).in_(filters.municipality_code))
    if filters.prefecture_code:
        query = query.where(col(Organization.municipality_code).startswith(filters.prefecture_code))
    if filters.corporate_number:
        query = query.where(Organization.corporate_number == filters.corporate_number)
    if filters.certified is not None:
        certified = col(Organization.certification).is_not(None)
        query = query.where(certified if filters.certified else ~certified)
    if filters.updated_since:
        query = query.where(Organization.updated_at >= filters.updated_since)
    if filters.resource_type:
        offering = select(Resource.organization_id).where(
            col(Resource.type).in_(filters.resource_type), col(Resource.deleted_at).is_(None)
        )
        query = query.where(col(Organization.id).in_(offering))
    return list(session.exec(query.order_by(col(Organization.id)).limit(filters.limit + 1)))


def list_resources(
    session: Session, filters: ResourceFilters, after_id: str | None
) -> Sequence[Resource]:
    """Live resources matching the filters, in id order, one more than the limit."""
    query = select(Resource).where(col(Resource.deleted_at).is_(None))
    if after_id is not None:
        query = query.where(Resource.id > after_id)
    if filters.organization_id:
        query = query.where(Resource.organization_id == filters.organization_id)
    if filters.q:
        query = query.where(text_matches(col(Resource.search_text), filters.q))
    if filters.type:
        query = query.where(col(Resource.type).in_(filters.type))
    if filters.status:
        query = query.where(col(Resource.status).in_(filters.status))
    if filters.field:
        query = query.where(json_list_overlaps(session, Resource.fields, filters.field))
    if filters.municipality_code:
        query = query.where(
            json_list_overlaps(session, Resource.municipality_codes, filters.municipality_code)
        )
    if filters.updated_since:
        query = query.where(Resource.updated_at >= filters.updated_since)
    if filters.deadline_from:
        query = query.where(col(Resource.application_deadline) >= filters.deadline_from)
    if filters.deadline_to:
        query = query.where(col(Resource.application_deadline) <= filters.deadline_to)
    if filters.kind or filters.sector:
        owners = select(Organization.id)
        if filters.kind:
            owners = owners.where(col(Organization.kind).in_(filters.kind))
        if filters.sector:
            owners = owners.where(col(Organization.sector).in_(filters.sector))
        query = query.where(col(Resource.organization_id).in_(owners))
    return list(session.exec(query.order_by(col(Resource.id)).limit(filters.limit + 1)))


def live_resources_of(session: Session, organization_id: str) -> Sequence[Resource]:
    query = select(Resource).where(
        Resource.organization_id == organization_id, col(Resource.deleted_at).is_(None)
    )
    return list(session.exec(query.order_by(col(Resource.id))))


def changes_after(
    session: Session, after_seq: int, entities: Sequence[str], limit: int
) -> Sequence[OutboxEvent]:
    """Recorded changes after ``after_seq``, in order, one more than the limit."""
    query = select(OutboxEvent).where(col(OutboxEvent.seq) > after_seq)
    if entities:
        query = query.where(col(OutboxEvent.entity).in_(entities))
    return list(session.exec(query.order_by(col(OutboxEvent.seq)).limit(limit + 1)))


def latest_change_seq(session: Session) -> int:
    return int(session.exec(select(sa.func.max(OutboxEvent.seq))).one() or 0)
