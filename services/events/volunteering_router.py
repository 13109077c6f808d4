"""Volunteering endpoints: opportunities, shifts, sign-ups, attendance, hours and points."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from services.common.auth import WriterClient, require_acts_for
from services.common.db import SessionDep
from services.common.etags import IfMatchHeader, set_etag, tagged_or_not_modified
from services.common.fieldtypes import Email
from services.common.identifiers import MunicipalityCode
from services.common.ids import ID_PATTERN
from services.common.openapi import problem_responses
from services.common.pagination import ListQuery, Page, after_id, id_page
from services.common.problems import NotFound
from services.common.timefmt import utcnow
from services.events import hours, repository, volunteering
from services.events.deps import (
    LiveOpportunity,
    LiveShift,
    OrganisedSignup,
    OwnedOpportunity,
    OwnedShift,
    SignupAccess,
    SignupToken,
    ensure_organizations,
)
from services.events.filters import OpportunityFilters
from services.events.models import PointsRule
from services.events.volunteering_schemas import (
    AttendanceRecord,
    HoursTotals,
    OpportunityCreate,
    OpportunityPublic,
    OpportunityUpdate,
    PointsRuleBody,
    PointsRulePublic,
    ShiftCreate,
    ShiftPublic,
    ShiftUpdate,
    SignupCreate,
    SignupPublic,
    SignupReceipt,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1")
VOLUNTEERING: list[str | Enum] = ["volunteering"]
HOURS: list[str | Enum] = ["volunteer-hours"]
_WRITE_ONE = problem_responses(403, 404, 409, 410, 412, 428)
_PRIVATE = problem_responses(401, 403, 404)


# --- opportunities -----------------------------------------------------------------


@router.post(
    "/opportunities",
    tags=VOLUNTEERING,
    status_code=201,
    response_model=OpportunityPublic,
    responses=problem_responses(403),
)
async def create_opportunity(
    client: WriterClient,
    data: OpportunityCreate,
    session: SessionDep,
    request: Request,
    response: Response,
) -> OpportunityPublic:
    """Publish a volunteer opportunity (ボランティア募集) for the organisation the key acts
    for; an `event_id` names an event that organisation organises. Accepts an
    `Idempotency-Key`."""
    require_acts_for(client, data.organization_id, "the opportunity")
    await ensure_organizations(request, [data.organization_id])
    row = await run_in_threadpool(
        volunteering.create_opportunity, session=session, data=data, actor=client
    )
    response.headers["Location"] = f"/v1/opportunities/{row.id}"
    set_etag(response, row.version)
    return (await run_in_threadpool(volunteering.opportunities_public, session, [row]))[0]


@router.get("/opportunities", tags=VOLUNTEERING, response_model=Page[OpportunityPublic])
def list_opportunities(
    filters: Annotated[OpportunityFilters, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
) -> Page[OpportunityPublic]:
    """List volunteer opportunities: by area, field, organisation, commitment, open shifts."""
    rows = repository.list_opportunities(
        session, filters, after_id(filters.cursor, "opportunities"), utcnow()
    )
    page, next_cursor = id_page(request, response, rows, filters.limit, "opportunities")
    return Page(items=volunteering.opportunities_public(session, page), next_cursor=next_cursor)


@router.get(
    "/opportunities/{opportunity_id}",
    tags=VOLUNTEERING,
    response_model=OpportunityPublic,
    responses={**problem_responses(404, 410), 304: {"description": "Not modified."}},
)
def get_opportunity(
    row: LiveOpportunity, session: SessionDep, request: Request, response: Response
) -> OpportunityPublic | Response:
    """Read one opportunity. Carries an `ETag`."""
    cached = tagged_or_not_modified(request, response, row.version)
    return cached or volunteering.opportunities_public(session, [row])[0]


@router.patch(
    "/opportunities/{opportunity_id}",
    tags=VOLUNTEERING,
    response_model=OpportunityPublic,
    responses=_WRITE_ONE,
)
def update_opportunity(
    client: WriterClient,
    row: OwnedOpportunity,
    data: OpportunityUpdate,  # type: ignore[valid-type]
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> OpportunityPublic:
    """Update an opportunity (a key acting for its organisation); a new `event_id` names
    an event that organisation organises. Requires `If-Match`."""
    row = volunteering.update_opportunity(
        session=session, row=row, data=data, if_match=if_match, actor=client
    )
    set_etag(response, row.version)
    return volunteering.opportunities_public(session, [row])[0]


@router.delete(
    "/opportunities/{opportunity_id}", tags=VOLUNTEERING, status_code=204, responses=_WRITE_ONE
)
def delete_opportunity(
    row: OwnedOpportunity,
    session: SessionDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Delete an opportunity with its shifts (their sign-ups are cancelled)."""
    volunteering.delete_opportunity(session=session, row=row, if_match=if_match)
    return Response(status_code=204)


# --- shifts ------------------------------------------------------------------------


@router.get(
    "/opportunities/{opportunity_id}/shifts",
    tags=VOLUNTEERING,
    response_model=Page[ShiftPublic],
    responses=problem_responses(404, 410),
)
def list_shifts(
    row: LiveOpportunity,
    page_query: Annotated[ListQuery, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
) -> Page[ShiftPublic]:
    """The shifts of an opportunity, with places left."""
    rows = repository.list_shifts(
        session, row.id, after_id(page_query.cursor, "shifts"), page_query.limit
    )
    page, next_cursor = id_page(request, response, rows, page_query.limit, "shifts")
    return Page(items=[volunteering.shift_public(s) for s in page], next_cursor=next_cursor)


@router.post(
    "/opportunities/{opportunity_id}/shifts",
    tags=VOLUNTEERING,
    status_code=201,
    response_model=ShiftPublic,
    responses=problem_responses(403, 404, 410),
)
def create_shift(
    row: OwnedOpportunity,
    data: ShiftCreate,
    session: SessionDep,
    response: Response,
) -> ShiftPublic:
    """Add a shift (time slot and capacity) inside the opportunity's period."""
    shift = volunteering.create_shift(session=session, opportunity=row, data=data)
    response.headers["Location"] = f"/v1/shifts/{shift.id}"
    set_etag(response, shift.version)
    return volunteering.shift_public(shift)


@router.get(
    "/shifts/{shift_id}",
    tags=VOLUNTEERING,
    response_model=ShiftPublic,
    responses={**problem_responses(404, 410), 304: {"description": "Not modified."}},
)
def get_shift(shift: LiveShift, request: Request, response: Response) -> ShiftPublic | Response:
    """Read one shift with its places left."""
    cached = tagged_or_not_modified(request, response, shift.version)
    return cached or volunteering.shift_public(shift)


@router.patch(
    "/shifts/{shift_id}", tags=VOLUNTEERING, response_model=ShiftPublic, responses=_WRITE_ONE
)
def update_shift(
    shift: OwnedShift,
    data: ShiftUpdate,  # type: ignore[valid-type]
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> ShiftPublic:
    """Change a shift; raising capacity promotes people from the waitlist. Requires `If-Match`."""
    shift = volunteering.update_shift(session=session, shift=shift, data=data, if_match=if_match)
    set_etag(response, shift.version)
    return volunteering.shift_public(shift)


@router.delete("/shifts/{shift_id}", tags=VOLUNTEERING, status_code=204, responses=_WRITE_ONE)
def delete_shift(
    shift: OwnedShift, session: SessionDep, if_match: IfMatchHeader = None
) -> Response:
    """Delete a shift and cancel its sign-ups."""
    volunteering.delete_shift(session=session, shift=shift, if_match=if_match)
    return Response(status_code=204)


# --- sign-ups ----------------------------------------------------------------------


@router.post(
    "/shifts/{shift_id}/signups",
    tags=VOLUNTEERING,
    status_code=201,
    response_model=SignupReceipt,
    responses=problem_responses(404, 409, 410),
)
def sign_up(
    client: WriterClient,
    shift: LiveShift,
    data: SignupCreate,
    session: SessionDep,
    response: Response,
) -> SignupReceipt:
    """Sign a person up: a confirmed place, or the waitlist when the shift is full.

    The answer carries, once, the `manage_token` the person reads and cancels
    their sign-up with. It is never stored for replay: a retry with the same
    `Idempotency-Key` is checked afresh (and the same person twice is 409)."""
    signup, token = volunteering.sign_up(session=session, shift=shift, data=data)
    response.headers["Location"] = f"/v1/signups/{signup.id}"
    # Personal data and a secret: no cache keeps it (nor the idempotency store).
    response.headers["Cache-Control"] = "no-store"
    public = volunteering.signup_public(session, signup)
    return SignupReceipt(**public.model_dump(), manage_token=token)


@router.get(
    "/shifts/{shift_id}/signups",
    tags=VOLUNTEERING,
    response_model=Page[SignupPublic],
    responses=_PRIVATE,
)
def list_signups(
    shift: OwnedShift,
    page_query: Annotated[ListQuery, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
) -> Page[SignupPublic]:
    """The sign-ups of a shift (personal data: for a key acting for the organisation)."""
    rows = repository.list_signups(
        session, shift.id, after_id(page_query.cursor, "signups"), page_query.limit
    )
    page, next_cursor = id_page(request, response, rows, page_query.limit, "signups")
    items = [volunteering.signup_public(session, s) for s in page]
    return Page(items=items, next_cursor=next_cursor)


@router.get(
    "/signups/{signup_id}", tags=VOLUNTEERING, response_model=SignupPublic, responses=_PRIVATE
)
def get_signup(signup: SignupAccess, session: SessionDep) -> SignupPublic:
    """Read a sign-up: the organiser (a key acting for the opportunity's organisation), or
    the person with `X-Signup-Token`."""
    return volunteering.signup_public(session, signup)


@router.post(
    "/signups/{signup_id}/cancel",
    tags=VOLUNTEERING,
    response_model=SignupPublic,
    responses=_PRIVATE,
)
def cancel_signup(signup: SignupAccess, session: SessionDep) -> SignupPublic:
    """Cancel a sign-up (the person or the organiser); the first on the waitlist moves up."""
    signup = volunteering.cancel_signup(session=session, signup=signup)
    return volunteering.signup_public(session, signup)


@router.post(
    "/signups/{signup_id}/attendance",
    tags=VOLUNTEERING,
    response_model=SignupPublic,
    responses={**_PRIVATE, **problem_responses(409)},
)
def record_attendance(
    signup: OrganisedSignup, data: AttendanceRecord, session: SessionDep
) -> SignupPublic:
    """The organiser (a key acting for the opportunity's organisation, not the person)
    records attendance and hours, once the shift has started."""
    signup = volunteering.record_attendance(session=session, signup=signup, data=data)
    return volunteering.signup_public(session, signup)


# --- hours and points --------------------------------------------------------------

OrganizationId = Annotated[str, Path(pattern=ID_PATTERN)]


@router.get(
    "/volunteer-hours/organizations/{organization_id}", tags=HOURS, response_model=HoursTotals
)
def organization_hours(organization_id: OrganizationId, session: SessionDep) -> HoursTotals:
    """Hours volunteers gave an organisation, with points (public totals, no personal data)."""
    return hours.organization_totals(session, organization_id)


class PersonQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email = Field(description="The person's email address.")


@router.get("/volunteer-hours/people", tags=HOURS, response_model=HoursTotals, responses=_PRIVATE)
def person_hours(
    client: WriterClient,
    query: Annotated[PersonQuery, Query()],
    session: SessionDep,
    token: SignupToken = None,
) -> HoursTotals:
    """A person's hours and points: across every organisation with the person's
    `X-Signup-Token` (of any of their sign-ups), else only the hours given to the
    organisations the key acts for."""
    key = volunteering.person_key(query.email)
    return hours.person_totals(session, key, actor=client, token=token)


Municipality = Annotated[MunicipalityCode, Path(description="全国地方公共団体コード")]


@router.get(
    "/points-rules/{municipality_code}",
    tags=HOURS,
    response_model=PointsRulePublic,
    responses=problem_responses(404),
)
def get_points_rule(municipality_code: Municipality, session: SessionDep) -> PointsRulePublic:
    """A municipality's volunteer points rule."""
    rule = session.get(PointsRule, municipality_code)
    if rule is None:
        raise NotFound(f"Municipality {municipality_code} has no points rule.")
    return PointsRulePublic.model_validate(rule.model_dump())


@router.put(
    "/points-rules/{municipality_code}",
    tags=HOURS,
    response_model=PointsRulePublic,
    responses=problem_responses(403),
)
async def put_points_rule(
    client: WriterClient,
    municipality_code: Municipality,
    body: PointsRuleBody,
    session: SessionDep,
    request: Request,
) -> PointsRulePublic:
    """Set a municipality's points rule (e.g. one point per hour of volunteering), by a key
    acting for that municipality (a `government` organisation with its code)."""
    await ensure_organizations(request, client.organization_ids)
    rule = await run_in_threadpool(
        hours.set_points_rule, session, municipality_code, body, actor=client
    )
    return PointsRulePublic.model_validate(rule.model_dump())
