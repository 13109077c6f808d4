"""Issue rules and transactions. Each write commits once, with its outbox event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from services.common import outbox
from services.common.db import lock_live
from services.common.etags import check_if_match
from services.common.ids import new_id
from services.common.jptext import index_text
from services.common.partial import revalidate_merged
from services.common.problems import Conflict, Gone, NotFound, require_known
from services.common.timefmt import utcnow
from services.common.versioned import bump, commit_or_conflict
from services.matching.models import Issue, OrganizationDoc
from services.matching.repository import organizations_by_id
from services.matching.schemas import IssueCreate, IssuePublic, IssueUpdate

__all__ = [
    "STATUS_MOVES",
    "create_issue",
    "delete_issue",
    "issues_public",
    "known_organizations",
    "live_issue",
    "update_issue",
]

_WRITABLE = set(IssueCreate.model_fields) - {"organization_id", "status"}
_DATE_COLUMNS = {"starts_on", "ends_on"}
STATUS_MOVES: dict[str, set[str]] = {
    "draft": {"open", "closed"},
    "open": {"matched", "closed"},
    "matched": {"open", "closed"},
    "closed": {"open"},
}
"""Where an issue's status may go from each status (staying put is always allowed)."""


class StatusConflict(Conflict):
    slug = "invalid-status-change"


def known_organizations(session: Session, ids: Sequence[str]) -> dict[str, OrganizationDoc]:
    """The live organisations among ``ids`` that matching knows from the registry."""
    return {k: org for k, org in organizations_by_id(session, ids).items() if not org.deleted}


def live_issue(session: Session, issue_id: str) -> Issue:
    """The issue, or 404 (never existed) / 410 (deleted)."""
    issue = session.get(Issue, issue_id)
    if issue is None:
        raise NotFound(f"Issue {issue_id} does not exist.")
    if issue.deleted_at is not None:
        raise Gone(f"Issue {issue_id} was deleted.")
    owner = session.get(OrganizationDoc, issue.organization_id)
    if owner is not None and owner.deleted:
        raise Gone(f"Issue {issue_id} went with its organisation, which was deleted.")
    return issue


def issues_public(session: Session, issues: Sequence[Issue]) -> list[IssuePublic]:
    """Public views of issues, with their organisations' names, in one query."""
    orgs = organizations_by_id(session, {i.organization_id for i in issues})
    return [
        _public(issue, orgs[issue.organization_id].name if issue.organization_id in orgs else "")
        for issue in issues
    ]


def _public(issue: Issue, name: str) -> IssuePublic:
    return IssuePublic.model_validate(
        {
            **issue.model_dump(),
            "organization_name": name,
            "prefecture_code": issue.municipality_code[:2],
        }
    )


def _columns(data: BaseModel, fields: set[str]) -> dict[str, Any]:
    values = data.model_dump(mode="json", include=fields)
    for name in _DATE_COLUMNS & values.keys():
        if values[name] is not None:
            values[name] = date.fromisoformat(values[name])
    return values


def _index(issue: Issue) -> None:
    notes = [note.get("note", "") for note in issue.resource_notes]
    issue.search_text = index_text(issue.title, issue.description, *notes)


def _record(session: Session, issue: Issue, action: str) -> None:
    payload = None
    if action != "deleted":
        payload = issues_public(session, [issue])[0].model_dump(mode="json")
    outbox.record(
        session,
        entity="issue",
        action=action,
        entity_id=issue.id,
        version=issue.version,
        payload=payload,
    )


def create_issue(*, session: Session, data: IssueCreate) -> Issue:
    """Post an issue for a live organisation of the registry."""
    require_known(
        [data.organization_id],
        known_organizations(session, [data.organization_id]),
        "organization_id",
        "organization",
    )
    now = utcnow()
    issue = Issue(
        id=new_id(),
        organization_id=data.organization_id,
        status=data.status,
        **_columns(data, _WRITABLE),
        created_at=now,
        opened_at=now if data.status == "open" else None,
        updated_at=now,
    )
    _index(issue)
    session.add(issue)
    _record(session, issue, "created")
    commit_or_conflict(session)
    return issue


def update_issue(
    *, session: Session, issue: Issue, data: IssueUpdate, if_match: str | None
) -> Issue:
    """Apply a partial update, checking the version, the merged state and the status move."""
    lock_live(session, issue, "Issue")
    check_if_match(if_match, issue.version)
    patch = data.model_dump(mode="json", exclude_unset=True)
    status = patch.pop("status", issue.status)
    if status != issue.status and status not in STATUS_MOVES[issue.status]:
        raise StatusConflict(f"An issue cannot go from {issue.status} to {status}.")
    current = _public(issue, "").model_dump(mode="json", include=_WRITABLE)
    merged = revalidate_merged(
        IssueCreate,
        {**current, **patch, "organization_id": issue.organization_id, "status": "open"},
    )
    for name, value in _columns(merged, set(patch)).items():
        setattr(issue, name, value)
    issue.status = status
    if status == "open" and issue.opened_at is None:
        issue.opened_at = utcnow()
    _index(issue)
    bump(issue)
    _record(session, issue, "updated")
    commit_or_conflict(session)
    return issue


def delete_issue(*, session: Session, issue: Issue, if_match: str | None) -> None:
    """Soft-delete an issue (a tombstone stays in the outbox)."""
    lock_live(session, issue, "Issue")
    check_if_match(if_match, issue.version)
    issue.deleted_at = utcnow()
    bump(issue, issue.deleted_at)
    _record(session, issue, "deleted")
    commit_or_conflict(session)
