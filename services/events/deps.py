"""Annotated dependencies of the events endpoints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Header, Path, Request

from services.common.auth import Client, Unauthorized, current_client
from services.common.db import SessionDep
from services.common.feedreader import catch_up
from services.common.ids import ID_PATTERN
from services.common.problems import NotFound, ProblemError
from services.events import service, volunteering
from services.events.models import Event, Opportunity, Shift, Signup
from services.events.readmodel import follow_registry

__all__ = [
    "LiveEvent",
    "LiveOpportunity",
    "LiveShift",
    "PublicEvent",
    "SignupAccess",
    "drafts_need_a_key",
    "ensure_organizations",
]


def _id(description: str) -> object:
    return Path(pattern=ID_PATTERN, description=description)


EventId = Annotated[str, _id("The event's id (UUID).")]
OpportunityId = Annotated[str, _id("The opportunity's id (UUID).")]
ShiftId = Annotated[str, _id("The shift's id (UUID).")]
SignupId = Annotated[str, _id("The sign-up's id (UUID).")]


def live_event(session: SessionDep, event_id: EventId) -> Event:
    return service.live_event(session, event_id)


def live_opportunity(session: SessionDep, opportunity_id: OpportunityId) -> Opportunity:
    return volunteering.live_opportunity(session, opportunity_id)


def live_shift(session: SessionDep, shift_id: ShiftId) -> Shift:
    return volunteering.live_shift(session, shift_id)


def public_event(
    session: SessionDep,
    event_id: EventId,
    client: Annotated[Client, Depends(current_client)],
) -> Event:
    """An event as a reader may see it: drafts exist only for callers with a key."""
    event = service.live_event(session, event_id)
    if event.status == "draft" and client.is_anonymous:
        raise NotFound(f"Event {event_id} does not exist.")
    return event


def drafts_need_a_key(statuses: Iterable[str], client: Client) -> None:
    """Listing drafts is for organisers (a key), not for the public calendar."""
    if "draft" in statuses and client.is_anonymous:
        raise Unauthorized("Listing drafts needs an API key.")


LiveEvent = Annotated[Event, Depends(live_event)]
PublicEvent = Annotated[Event, Depends(public_event)]
LiveOpportunity = Annotated[Opportunity, Depends(live_opportunity)]
LiveShift = Annotated[Shift, Depends(live_shift)]


class SignupForbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Forbidden"


def signup_access(
    session: SessionDep,
    signup_id: SignupId,
    client: Annotated[Client, Depends(current_client)],
    token: Annotated[
        str | None,
        Header(alias="X-Signup-Token", max_length=100, description="The person's token."),
    ] = None,
) -> Signup:
    """A sign-up, for the organiser (an API key) or the person (their token) only."""
    signup = volunteering.live_signup(session, signup_id)
    if client.is_admin:
        return signup
    if token and volunteering.token_digest(token) == signup.token_hash:
        return signup
    # Personal data: without the right credentials the sign-up does not exist for you.
    raise SignupForbidden("Only the organiser or the person who signed up may see this.")


SignupAccess = Annotated[Signup, Depends(signup_access)]


async def ensure_organizations(request: Request, ids: Iterable[str]) -> None:
    """Catch up with the registry's feed before a write names organisations.

    The background follower keeps the read model close, but a client that has
    just created (or deleted) an organisation must see that at once.
    """
    if list(ids):
        await catch_up(request.app, follow_registry)
