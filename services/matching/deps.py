"""Annotated dependencies of the matching endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from services.common.auth import Client, acts_for, current_client, require_acts_for
from services.common.db import SessionDep
from services.common.feedreader import catch_up
from services.common.ids import ID_PATTERN
from services.common.problems import Conflict, Gone, NotFound
from services.matching import issues
from services.matching.models import Issue, OrganizationDoc, ResourceDoc
from services.matching.readmodel import follow_registry

__all__ = [
    "IssueId",
    "LiveIssue",
    "OwnedIssue",
    "PublicIssue",
    "RankedResource",
    "Registry",
    "ResourceId",
]

IssueId = Annotated[str, Path(pattern=ID_PATTERN, description="The issue's id (UUID).")]
ResourceId = Annotated[str, Path(pattern=ID_PATTERN, description="The resource's id (UUID).")]


async def registry_caught_up(request: Request) -> None:
    """Follow the registry's feed to its end first: a resource created a moment ago
    is among the candidates (one small request when nothing changed)."""
    await catch_up(request.app, follow_registry)


Registry = Depends(registry_caught_up)


def live_issue(session: SessionDep, issue_id: IssueId) -> Issue:
    return issues.live_issue(session, issue_id)


def public_issue(
    session: SessionDep,
    issue_id: IssueId,
    client: Annotated[Client, Depends(current_client)],
) -> Issue:
    """An issue as a reader may see it: a draft exists only for its organisation."""
    issue = issues.live_issue(session, issue_id)
    if issue.status == "draft" and not acts_for(client, issue.organization_id):
        raise NotFound(f"Issue {issue_id} does not exist.")
    return issue


def owned_issue(
    session: SessionDep,
    issue_id: IssueId,
    client: Annotated[Client, Depends(current_client)],
) -> Issue:
    """An issue its organisation changes: others get 404 for drafts, 403 otherwise."""
    issue = public_issue(session, issue_id, client)
    require_acts_for(client, issue.organization_id, "this issue")
    return issue


class ResourceUnavailable(Conflict):
    slug = "resource-unavailable"


def ranked_resource(session: SessionDep, resource_id: ResourceId) -> ResourceDoc:
    """An active resource of the registry as matching knows it: 404 unknown, 410 deleted
    (or its organisation deleted), 409 paused or retired."""
    resource = session.get(ResourceDoc, resource_id)
    if resource is None:
        raise NotFound(f"Resource {resource_id} does not exist.")
    owner = session.get(OrganizationDoc, resource.organization_id)
    if resource.deleted or owner is None or owner.deleted:
        raise Gone(f"Resource {resource_id} was deleted.")
    if resource.status != "active":
        raise ResourceUnavailable(f"Resource {resource_id} is {resource.status}.")
    return resource


LiveIssue = Annotated[Issue, Depends(live_issue)]
OwnedIssue = Annotated[Issue, Depends(owned_issue)]
PublicIssue = Annotated[Issue, Depends(public_issue)]
RankedResource = Annotated[ResourceDoc, Depends(ranked_resource)]
