"""Issue endpoints, and the rankings: candidates, coalitions and opportunities."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.common.auth import CurrentClient, Unauthorized, WriterClient, require_acts_for
from services.common.db import SessionDep
from services.common.etags import IfMatchHeader, set_etag, tagged_or_not_modified
from services.common.openapi import problem_responses
from services.common.pagination import Page, after_id, id_page
from services.matching import issues, repository, suggest
from services.matching.deps import OwnedIssue, PublicIssue, RankedResource, Registry
from services.matching.filters import (
    CandidateQuery,
    CoalitionQuery,
    IssueFilters,
    OpportunityQuery,
)
from services.matching.schemas import (
    CandidatePage,
    CoalitionPage,
    IssueCreate,
    IssuePublic,
    IssueUpdate,
    OpportunityPage,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1")
ISSUES: list[str | Enum] = ["issues"]
RANKING: list[str | Enum] = ["matching"]
LISTING = "issues"
_READ_ONE = problem_responses(404, 410)
_WRITE_ONE = problem_responses(403, 404, 409, 410, 412, 428)


@router.post(
    "/issues",
    tags=ISSUES,
    status_code=201,
    response_model=IssuePublic,
    responses=problem_responses(403),
    dependencies=[Registry],
)
def create_issue(
    client: WriterClient, data: IssueCreate, session: SessionDep, response: Response
) -> IssuePublic:
    """Post a local issue (地域課題) for an organisation of the registry (a key acting for
    that organisation). Accepts an `Idempotency-Key`."""
    require_acts_for(client, data.organization_id, "the issue")
    issue = issues.create_issue(session=session, data=data)
    response.headers["Location"] = f"/v1/issues/{issue.id}"
    set_etag(response, issue.version)
    return issues.issues_public(session, [issue])[0]


@router.get("/issues", tags=ISSUES, response_model=Page[IssuePublic])
def list_issues(
    filters: Annotated[IssueFilters, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
    client: CurrentClient,
) -> Page[IssuePublic]:
    """List issues (default: open and matched), filtered, in a stable order. Drafts are
    listed only to the organisations that wrote them."""
    if "draft" in filters.status and client.is_anonymous:
        raise Unauthorized("Listing drafts needs an API key.")
    owners = None if client.is_admin else client.organization_ids
    rows = repository.list_issues(
        session, filters, after_id(filters.cursor, LISTING), draft_owners=owners
    )
    page, next_cursor = id_page(request, response, rows, filters.limit, LISTING)
    return Page(items=issues.issues_public(session, page), next_cursor=next_cursor)


@router.get(
    "/issues/{issue_id}",
    tags=ISSUES,
    response_model=IssuePublic,
    responses={**_READ_ONE, 304: {"description": "Not modified (If-None-Match)."}},
)
def get_issue(
    issue: PublicIssue, session: SessionDep, request: Request, response: Response
) -> IssuePublic | Response:
    """Read one issue. Carries an `ETag`; `If-None-Match` answers 304."""
    return (
        tagged_or_not_modified(request, response, issue.version)
        or issues.issues_public(session, [issue])[0]
    )


@router.patch("/issues/{issue_id}", tags=ISSUES, response_model=IssuePublic, responses=_WRITE_ONE)
def update_issue(
    client: WriterClient,
    issue: OwnedIssue,
    data: IssueUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> IssuePublic:
    """Update some fields of an issue, or move its status. Requires `If-Match`."""
    issue = issues.update_issue(session=session, issue=issue, data=data, if_match=if_match)
    set_etag(response, issue.version)
    return issues.issues_public(session, [issue])[0]


@router.delete("/issues/{issue_id}", tags=ISSUES, status_code=204, responses=_WRITE_ONE)
def delete_issue(
    client: WriterClient, issue: OwnedIssue, session: SessionDep, if_match: IfMatchHeader = None
) -> Response:
    """Delete an issue (a tombstone stays in the event stream)."""
    issues.delete_issue(session=session, issue=issue, if_match=if_match)
    return Response(status_code=204)


def _weights(request: Request, session: SessionDep) -> dict[str, float]:
    return suggest.current_weights(session, request.app.state.weights)


@router.get(
    "/issues/{issue_id}/candidates",
    tags=RANKING,
    response_model=CandidatePage,
    responses=_READ_ONE,
    dependencies=[Registry],
)
def list_candidates(
    issue: PublicIssue,
    query: Annotated[CandidateQuery, Query()],
    session: SessionDep,
    request: Request,
) -> CandidatePage:
    """Resources ranked for an issue, best first. Each carries its score, every factor's
    value, weight and contribution, and the words the issue and the resource share."""
    ranking = request.app.state.ranking
    return suggest.candidates(ranking, session, issue, query, _weights(request, session))


@router.get(
    "/issues/{issue_id}/coalitions",
    tags=RANKING,
    response_model=CoalitionPage,
    responses=_READ_ONE,
    dependencies=[Registry],
)
def list_coalitions(
    issue: PublicIssue,
    query: Annotated[CoalitionQuery, Query()],
    session: SessionDep,
    request: Request,
) -> CoalitionPage:
    """A few small sets of partners that together cover every resource type the issue
    needs, preferring strong and nearby partners from several sectors. Each says what
    each partner covers and what stays uncovered."""
    ranking = request.app.state.ranking
    return suggest.coalitions(ranking, session, issue, query, _weights(request, session))


@router.get(
    "/resources/{resource_id}/opportunities",
    tags=RANKING,
    response_model=OpportunityPage,
    responses=_READ_ONE,
    dependencies=[Registry],
)
def list_opportunities(
    resource: RankedResource,
    query: Annotated[OpportunityQuery, Query()],
    session: SessionDep,
    request: Request,
) -> OpportunityPage:
    """Open issues ranked for a resource, best first, with the reasons for each score."""
    ranking = request.app.state.ranking
    return suggest.opportunities(ranking, session, resource, query, _weights(request, session))
