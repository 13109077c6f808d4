"""The service's rankings: in-memory engine indexes kept in step with the database.

Each app holds two :class:`MatchIndex` objects: resources (ranked for an
issue) and open issues (ranked for a resource). Before ranking, an index
catches up with what changed since it last looked (read-model ``seq``, issue
update times, completed collaborations for trust), so adding one resource
costs one document, not a rebuild, and several processes stay correct.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from services.matching.engine.index import MatchIndex
from services.matching.engine.types import Doc, Query
from services.matching.models import Issue, Match, OrganizationDoc, ResourceDoc
from services.matching.readmodel import latest_seq
from services.matching.repository import organizations_by_id

__all__ = [
    "COMPLETED",
    "Ranking",
    "issue_query",
    "resource_query",
    "trust",
]

COMPLETED = ("completed", "reviewed")


def trust(org: OrganizationDoc | None, collaborations: int) -> float:
    """0..1: a complete profile and completed collaborations (3 or more count fully)."""
    profile = org.completeness if org is not None else 0.0
    return 0.6 * profile + 0.4 * min(collaborations, 3) / 3


def _resource_text(resource: ResourceDoc) -> str:
    return "\n".join(part for part in (resource.title, resource.description, resource.conditions))


def _issue_text(issue: Issue) -> str:
    notes = " ".join(f"{n.get('note', '')} {n.get('quantity') or ''}" for n in issue.resource_notes)
    return "\n".join((issue.title, issue.description, notes))


def _point(issue: Issue, org: OrganizationDoc | None) -> tuple[float | None, float | None]:
    if issue.latitude is not None:
        return issue.latitude, issue.longitude
    if org is not None and org.municipality_code == issue.municipality_code:
        return org.latitude, org.longitude
    return None, None


def resource_doc(resource: ResourceDoc, org: OrganizationDoc, collaborations: int) -> Doc:
    """A resource as the engine ranks it: its organisation lends place, sector and trust."""
    return Doc(
        id=resource.id,
        organization_id=resource.organization_id,
        text=_resource_text(resource),
        types=frozenset({resource.type}),
        fields=frozenset(resource.fields or org.fields),
        areas=tuple(resource.municipality_codes) or (org.municipality_code,),
        latitude=org.latitude,
        longitude=org.longitude,
        radius_km=resource.service_radius_km,
        available_from=resource.available_from,
        available_until=resource.available_until,
        sector=org.sector,
        trust=trust(org, collaborations),
    )


def issue_doc(issue: Issue, org: OrganizationDoc | None) -> Doc:
    """An open issue as the engine ranks it for a resource."""
    latitude, longitude = _point(issue, org)
    return Doc(
        id=issue.id,
        organization_id=issue.organization_id,
        text=_issue_text(issue),
        types=frozenset(issue.needed_resource_types),
        fields=frozenset(issue.fields),
        areas=(issue.municipality_code,),
        latitude=latitude,
        longitude=longitude,
        available_from=issue.starts_on,
        available_until=issue.ends_on,
        sector=org.sector if org is not None else "",
        trust=trust(org, 0),
    )


def issue_query(issue: Issue, org: OrganizationDoc | None) -> Query:
    """What candidates are ranked against: the issue's needs, place and time frame."""
    latitude, longitude = _point(issue, org)
    return Query(
        text=_issue_text(issue),
        types=frozenset(issue.needed_resource_types),
        fields=frozenset(issue.fields),
        areas=(issue.municipality_code,),
        latitude=latitude,
        longitude=longitude,
        starts_on=issue.starts_on,
        ends_on=issue.ends_on,
    )


def resource_query(resource: ResourceDoc, org: OrganizationDoc) -> Query:
    """What open issues are ranked against: the resource's offer, place and availability."""
    doc = resource_doc(resource, org, 0)
    return Query(
        text=doc.text,
        types=doc.types,
        fields=doc.fields,
        areas=doc.areas,
        latitude=doc.latitude,
        longitude=doc.longitude,
        radius_km=doc.radius_km,
        starts_on=doc.available_from,
        ends_on=doc.available_until,
    )


class Ranking:
    """The indexes of one app, and how far each has caught up with the database."""

    def __init__(self) -> None:
        self.resources = MatchIndex()
        self.issues = MatchIndex()
        self._lock = threading.Lock()
        self._resource_seq = 0
        self._collaborations: dict[str, int] = {}
        self._issues_seen: datetime | None = None

    def refresh(self, session: Session) -> None:
        """Catch both indexes up with the database."""
        with self._lock:
            # The newest change is read first and only changes up to it are taken: on
            # PostgreSQL each statement sees newer commits, and a position read last
            # could skip a page committed in between.
            newest = latest_seq(session)
            changed_orgs = self._changed_organizations(session, newest)
            self._refresh_resources(session, newest, changed_orgs)
            self._refresh_issues(session, changed_orgs)
            self._resource_seq = max(self._resource_seq, newest)

    def _in_window(self, column: Any, newest: int) -> Any:
        return (column > self._resource_seq) & (column <= newest)

    def _changed_organizations(self, session: Session, newest: int) -> set[str]:
        window = self._in_window(OrganizationDoc.seq, newest)
        return set(session.exec(select(OrganizationDoc.id).where(window)))

    def _refresh_resources(self, session: Session, newest: int, changed_orgs: set[str]) -> None:
        counts = collaboration_counts(session)
        trusted = {
            org
            for org in counts.keys() | self._collaborations.keys()
            if counts.get(org, 0) != self._collaborations.get(org, 0)
        }
        query = select(ResourceDoc).where(
            self._in_window(ResourceDoc.seq, newest)
            | col(ResourceDoc.organization_id).in_(changed_orgs | trusted)
        )
        resources = list(session.exec(query))
        orgs = organizations_by_id(session, {r.organization_id for r in resources})
        live, gone = [], []
        for resource in resources:
            org = orgs.get(resource.organization_id)
            if resource.deleted or resource.status != "active" or org is None or org.deleted:
                gone.append(resource.id)
            else:
                live.append(resource_doc(resource, org, counts.get(org.id, 0)))
        self.resources.remove(gone)
        self.resources.upsert(live)
        self._collaborations = counts

    def _refresh_issues(self, session: Session, changed_orgs: set[str]) -> None:
        query = select(Issue)
        if self._issues_seen is not None:
            query = query.where(
                (Issue.updated_at >= self._issues_seen)
                | col(Issue.organization_id).in_(changed_orgs)
            )
        issues = list(session.exec(query))
        orgs = organizations_by_id(session, {i.organization_id for i in issues})
        live, gone = [], []
        for issue in issues:
            org = orgs.get(issue.organization_id)
            if issue.status != "open" or issue.deleted_at is not None or org is None or org.deleted:
                gone.append(issue.id)
            else:
                live.append(issue_doc(issue, org))
        self.issues.remove(gone)
        self.issues.upsert(live)
        if issues:
            newest = max(i.updated_at for i in issues)
            self._issues_seen = max(self._issues_seen or newest, newest)


def collaboration_counts(session: Session) -> dict[str, int]:
    """Completed collaborations per partner organisation (a trust signal)."""
    query = (
        select(Match.organization_id, func.count())
        .where(col(Match.status).in_(COMPLETED))
        .group_by(Match.organization_id)
    )
    return {org: count for org, count in session.exec(query)}
