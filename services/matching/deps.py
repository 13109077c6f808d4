"""Annotated dependencies of the matching endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from services.common.auth import Client, current_client
from services.common.db import SessionDep
from services.common.feedreader import catch_up
from services.common.ids import ID_PATTERN
from services.common.problems import Gone, NotFound
from services.matching import issues
from services.matching.models import Issue, ResourceDoc
from services.matching.readmodel import follow_registry

__all__ = [
    "IssueId",
    "LiveIssue",
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
    """An issue as a reader may see it: drafts exist only for callers with a key."""
    issue = issues.live_issue(session, issue_id)
    if issue.status == "draft" and client.is_anonymous:
        raise NotFound(f"Issue {issue_id} does not exist.")
    return issue


def ranked_resource(session: SessionDep, resource_id: ResourceId) -> ResourceDoc:
    """A resource of the registry as matching knows it: 404 unknown, 410 deleted."""
    resource = session.get(ResourceDoc, resource_id)
    if resource is None:
        raise NotFound(f"Resource {resource_id} does not exist.")
    if resource.deleted:
        raise Gone(f"Resource {resource_id} was deleted.")
    return resource


LiveIssue = Annotated[Issue, Depends(live_issue)]
PublicIssue = Annotated[Issue, Depends(public_issue)]
RankedResource = Annotated[ResourceDoc, Depends(ranked_resource)]
