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
_TRANSITION = {
    202: {
        "model": MatchPublic,
        "description": "One side's agreement is recorded; the match stays `in_discussion` "
        "until the side named in `agreement_pending_from` confirms it.",
    },
    **problem_responses(401, 403, 404, 409, 412, 428),
}
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
    reviewed`, or end it (`declined`, `withdrawn`, with a `reason`) before it completes.

    Both sides take part: from `proposed`, only the side that did not propose accepts
    (`in_discussion`) or declines, and only the proposer withdraws. `agreed` takes two
    calls: the first side sends the complete `agreement` and gets 202 with the match
    still `in_discussion` and `agreement_pending_from` naming the other side; the match
    becomes `agreed` (200) when the other side confirms with `{"to": "agreed"}` or the
    same agreement (a different one replaces the pending one, awaiting the first side).
    Afterwards either side moves it on or ends it. The administrator acts for both
    sides, so its agreement counts at once. `agreed` marks an open issue `matched`; when
    the last match at `agreed` or beyond ends, the issue is `open` again. A match moves
    forward only while its issue exists and is not closed (409
    `urn:kyodo:problem:issue-not-open`); `reviewed` needs both sides' reviews. A party
    moving for the wrong side gets 403; any other move is 409
    `urn:kyodo:problem:invalid-transition`, naming the allowed ones. Requires `If-Match`."""
    match = matches.transition(
        session=session, match=match, data=data, actor=client, if_match=if_match
    )
    if data.to == "agreed" and match.status != "agreed":
        response.status_code = 202
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
    responses={
        202: {
            "model": CaseStudyPublic,
            "description": "A draft: your side consented; it awaits the other side "
            "(`awaiting_consent_from`).",
        },
        **problem_responses(401, 404, 409),
    },
)
def publish_case_study(
    client: WriterClient,
    match: PartyMatch,
    data: CaseStudyCreate,
    session: SessionDep,
    response: Response,
) -> CaseStudyPublic:
    """Consent to publishing a reviewed match as a case study (協働事例), with its text;
    once per match. Both sides consent: the first side's text is a `draft` (202) that
    only the parties see (`GET /v1/matches/{match_id}/case-study`); the other side
    consents with `POST /v1/matches/{match_id}/case-study/consent` or by sending the same
    text, and the case study is published (201). Different text replaces the draft and
    awaits the first side. The administrator consents for both sides at once. Lessons
    default to the review lessons of the sides that consented, the form to the
    agreement's. Accepts an `Idempotency-Key`."""
    row = case_studies.publish(session=session, match=match, data=data, actor=client)
    return _case_study_written(session, match, row, response)


@router.post(
    "/matches/{match_id}/case-study/consent",
    tags=CASE_STUDIES,
    status_code=201,
    response_model=CaseStudyPublic,
    responses=problem_responses(401, 404, 409),
)
def consent_to_case_study(
    client: WriterClient, match: PartyMatch, session: SessionDep, response: Response
) -> CaseStudyPublic:
    """Consent to the draft case study the other side wrote, as it is: it is published
    (201). 404 without a draft; 409 `consent-pending` when your side already consented
    and the draft awaits the other side."""
    row = case_studies.publish(session=session, match=match, data=None, actor=client)
    return _case_study_written(session, match, row, response)


def _case_study_written(
    session: SessionDep, match: Match, row: CaseStudy, response: Response
) -> CaseStudyPublic:
    if row.status == "published":
        response.headers["Location"] = f"/v1/case-studies/{row.id}"
    else:
        response.status_code = 202
        response.headers["Location"] = f"/v1/matches/{match.id}/case-study"
    set_etag(response, row.version)
    return case_studies.case_studies_public(session, [row])[0]


@router.get(
    "/matches/{match_id}/case-study",
    tags=CASE_STUDIES,
    response_model=CaseStudyPublic,
    responses=problem_responses(401, 404, 410),
)
def get_match_case_study(
    client: WriterClient, match: PartyMatch, session: SessionDep, response: Response
) -> CaseStudyPublic:
    """Read the match's case study, a draft awaiting consent or published (parties only)."""
    row = case_studies.case_study_of(session, match)
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
    responses={**problem_responses(404, 410), **_NOT_MODIFIED},
)
def get_case_study(
    row: Annotated[CaseStudy, Depends(_live_case_study)],
    session: SessionDep,
    request: Request,
    response: Response,
) -> CaseStudyPublic | Response:
    """Read one published case study (410 once withdrawn). Carries an `ETag`;
    `If-None-Match` answers 304."""
    return (
        tagged_or_not_modified(request, response, row.version)
        or case_studies.case_studies_public(session, [row])[0]
    )


@router.delete(
    "/case-studies/{case_study_id}",
    tags=CASE_STUDIES,
    status_code=204,
    responses=problem_responses(401, 403, 404, 410, 412, 428),
)
def withdraw_case_study(
    client: WriterClient,
    case_study_id: CaseStudyId,
    session: SessionDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Withdraw a case study (either side of the collaboration, or the administrator): a
    published one is gone afterwards (410); a draft is dropped. Requires `If-Match`."""
    row = case_studies.case_study_to_withdraw(session, case_study_id, client)
    case_studies.withdraw(session=session, row=row, if_match=if_match)
    return Response(status_code=204)


# --- statistics ----------------------------------------------------------------------


@router.get("/stats", tags=STATS, response_model=Stats)
def get_stats(query: Annotated[StatsQuery, Query()], session: SessionDep) -> Stats:
    """Collaboration figures: matches per year and municipality, collaborations by sector
    combination and how many are cross-sector (three or more sectors, the glossary's
    definition), issues posted per month of first opening, and days from first opening
    to first agreement. Aggregates only."""
    return stats.collaboration_stats(session, query)
