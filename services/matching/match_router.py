"""Endpoints of the collaboration lifecycle (matches), case studies and statistics.

Every match endpoint needs an API key (401 without one) and answers only the
match's parties (the administrator is a party to every match): to anyone else
a match does not exist (404). Case studies and statistics are public.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from services.common.auth import Client, WriterClient
from services.common.db import SessionDep
from services.common.etags import IfMatchHeader, set_etag, tagged_or_not_modified
from services.common.ids import ID_PATTERN
from services.common.openapi import problem_responses
from services.common.pagination import Page, after_id, id_page
from services.matching import case_studies, matches, stats, suggest
from services.matching.deps import Registry
from services.matching.match_schemas import (
    CaseStudyCreate,
    CaseStudyFilters,
    CaseStudyPublic,
    MatchCreate,
    MatchFilters,
    MatchPublic,
    MatchTransition,
    ProgressNoteCreate,
    Review,
    Side,
    Stats,
    StatsQuery,
)
from services.matching.models import CaseStudy, Match

__all__ = ["router"]

router = APIRouter(prefix="/v1")
MATCHES: list[str | Enum] = ["matches"]
CASE_STUDIES: list[str | Enum] = ["case-studies"]
STATS: list[str | Enum] = ["stats"]
MATCH_LISTING = "matches"
CASE_STUDY_LISTING = "case-studies"
_NOT_MODIFIED = {304: {"description": "Not modified (If-None-Match)."}}
_READ_MATCH = problem_responses(401, 404)
_TRANSITION = problem_responses(401, 404, 409, 412, 428)
_REVIEW = problem_responses(401, 403, 404, 409, 412, 428)

MatchId = Annotated[str, Path(pattern=ID_PATTERN, description="The match's id (UUID).")]
CaseStudyId = Annotated[str, Path(pattern=ID_PATTERN, description="The case study's id (UUID).")]


def party_match(client: WriterClient, session: SessionDep, match_id: MatchId) -> Match:
    """The match, for its parties (401 without a key, 404 for anyone else)."""
    return matches.visible_match(session, client, match_id)


PartyMatch = Annotated[Match, Depends(party_match)]


def _one(session: SessionDep, match: Match, client: Client) -> MatchPublic:
    return matches.matches_public(session, [match], client)[0]


# --- matches -------------------------------------------------------------------------


@router.post(
    "/matches",
    tags=MATCHES,
    status_code=201,
    response_model=MatchPublic,
    responses=problem_responses(403, 409),
    dependencies=[Registry],
)
def create_match(
    client: WriterClient,
    data: MatchCreate,
    session: SessionDep,
    request: Request,
    response: Response,
) -> MatchPublic:
    """Propose a match (`proposed`) between an issue and a resource's organisation, or an
    organisation asked directly. The resource's score and factor values at this moment
    are kept with the match. Accepts an `Idempotency-Key`."""
    match = matches.create_match(
        session=session,
        data=data,
        actor=client,
        ranking=request.app.state.ranking,
        weights=suggest.current_weights(session, request.app.state.weights),
    )
    response.headers["Location"] = f"/v1/matches/{match.id}"
    set_etag(response, match.version)
    return _one(session, match, client)


@router.get(
    "/matches", tags=MATCHES, response_model=Page[MatchPublic], responses=problem_responses(401)
)
def list_matches(
    client: WriterClient,
    filters: Annotated[MatchFilters, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
) -> Page[MatchPublic]:
    """List the matches you are a party to, filtered, in a stable order."""
    rows = matches.list_matches(session, client, filters, after_id(filters.cursor, MATCH_LISTING))
    page, next_cursor = id_page(request, response, rows, filters.limit, MATCH_LISTING)
    return Page(items=matches.matches_public(session, page, client), next_cursor=next_cursor)


@router.get(
    "/matches/{match_id}",
    tags=MATCHES,
    response_model=MatchPublic,
    responses={**_READ_MATCH, **_NOT_MODIFIED},
)
def get_match(
    client: WriterClient,
    match: PartyMatch,
    session: SessionDep,
    request: Request,
    response: Response,
) -> MatchPublic | Response:
    """Read one match as your side sees it. Carries an `ETag`; `If-None-Match` answers 304."""
    return tagged_or_not_modified(request, response, match.version) or _one(session, match, client)


@router.post(
    "/matches/{match_id}/transitions",
    tags=MATCHES,
    response_model=MatchPublic,
    responses=_TRANSITION,
)
def transition_match(
    client: WriterClient,
    match: PartyMatch,
    data: MatchTransition,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> MatchPublic:
    """Move a match: `proposed → in_discussion → agreed → in_progress → completed →
    reviewed`, or end it (`declined`, `withdrawn`, with a `reason`) before it runs.
    `agreed` records the complete agreement and marks an open issue `matched`;
    `reviewed` needs both sides' reviews. Any other move is 409
    `urn:kyodo:problem:invalid-transition`, naming the allowed ones. Requires `If-Match`."""
    match = matches.transition(
        session=session, match=match, data=data, actor=client, if_match=if_match
    )
    set_etag(response, match.version)
    return _one(session, match, client)


@router.post(
    "/matches/{match_id}/progress-notes",
    tags=MATCHES,
    response_model=MatchPublic,
    responses=problem_responses(401, 404, 409),
)
def add_progress_note(
    client: WriterClient,
    match: PartyMatch,
    data: ProgressNoteCreate,
    session: SessionDep,
    response: Response,
) -> MatchPublic:
    """Add a progress note (実施状況) while the match is `in_progress`. Notes are only
    appended, so no `If-Match`; accepts an `Idempotency-Key`."""
    match = matches.add_progress_note(session=session, match=match, data=data, actor=client)
    set_etag(response, match.version)
    return _one(session, match, client)


@router.put(
    "/matches/{match_id}/reviews/{side}",
    tags=MATCHES,
    response_model=MatchPublic,
    responses=_REVIEW,
)
def put_review(
    client: WriterClient,
    match: PartyMatch,
    side: Annotated[Side, Path(description="`issue` or `partner`: your side.")],
    data: Review,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> MatchPublic:
    """Answer your side's review (ふりかえり) of a completed match, or revise it until the
    match is `reviewed`. The other side sees it once both have answered. Requires `If-Match`."""
    match = matches.put_review(
        session=session, match=match, side=side, data=data, actor=client, if_match=if_match
    )
    set_etag(response, match.version)
    return _one(session, match, client)


# --- case studies --------------------------------------------------------------------


@router.post(
    "/matches/{match_id}/case-study",
    tags=CASE_STUDIES,
    status_code=201,
    response_model=CaseStudyPublic,
    responses=problem_responses(401, 404, 409),
)
def publish_case_study(
    client: WriterClient,
    match: PartyMatch,
    data: CaseStudyCreate,
    session: SessionDep,
    response: Response,
) -> CaseStudyPublic:
    """Publish a reviewed match as a case study (協働事例), once per match. Lessons default
    to both sides' lessons, the form to the agreement's. Accepts an `Idempotency-Key`."""
    row = case_studies.publish(session=session, match=match, data=data)
    response.headers["Location"] = f"/v1/case-studies/{row.id}"
    set_etag(response, row.version)
    return case_studies.case_studies_public(session, [row])[0]


@router.get("/case-studies", tags=CASE_STUDIES, response_model=Page[CaseStudyPublic])
def list_case_studies(
    filters: Annotated[CaseStudyFilters, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
) -> Page[CaseStudyPublic]:
    """Search published case studies: text, activity field, form, sector, municipality."""
    rows = case_studies.list_case_studies(
        session, filters, after_id(filters.cursor, CASE_STUDY_LISTING)
    )
    page, next_cursor = id_page(request, response, rows, filters.limit, CASE_STUDY_LISTING)
    return Page(items=case_studies.case_studies_public(session, page), next_cursor=next_cursor)


def _live_case_study(session: SessionDep, case_study_id: CaseStudyId) -> CaseStudy:
    return case_studies.live_case_study(session, case_study_id)


@router.get(
    "/case-studies/{case_study_id}",
    tags=CASE_STUDIES,
    response_model=CaseStudyPublic,
    responses={**problem_responses(404), **_NOT_MODIFIED},
)
def get_case_study(
    row: Annotated[CaseStudy, Depends(_live_case_study)],
    session: SessionDep,
    request: Request,
    response: Response,
) -> CaseStudyPublic | Response:
    """Read one case study. Carries an `ETag`; `If-None-Match` answers 304."""
    return (
        tagged_or_not_modified(request, response, row.version)
        or case_studies.case_studies_public(session, [row])[0]
    )


# --- statistics ----------------------------------------------------------------------


@router.get("/stats", tags=STATS, response_model=Stats)
def get_stats(query: Annotated[StatsQuery, Query()], session: SessionDep) -> Stats:
    """Collaboration figures: matches per year and municipality, collaborations by sector
    combination (cross-sector and three-or-more-sector apart), issues posted per month,
    and days from posting to first agreement. Aggregates only."""
    return stats.collaboration_stats(session, query)
