"""Annotated dependencies of the events endpoints, and who may do what.

Reads of the public calendar are open; drafts exist only for their organisers.
An event is changed by a key acting for one of its organisers, and its organisers
are added and removed only by keys acting for each of them; an opportunity,
its shifts and the sign-ups' personal data belong to the opportunity's
organisation. A sign-up is also the person's, through the token they got
(``X-Signup-Token``). Others get 404 where the record is private (drafts) and
403 where they can see it but may not change it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated

from fastapi import Depends, Header, Path, Request

from services.common.auth import (
    Client,
    Forbidden,
    Unauthorized,
    WriterClient,
    acts_for,
    current_client,
    require_acts_for,
    require_scope,
)
from services.common.db import SessionDep
from services.common.feedreader import catch_up
from services.common.ids import ID_PATTERN
from services.common.problems import NotFound
from services.events import service, volunteering
from services.events.models import Event, Opportunity, Shift, Signup
from services.events.readmodel import follow_registry

__all__ = [
    "LiveEvent",
    "LiveOpportunity",
    "LiveShift",
    "OrganisedEvent",
    "OrganisedSignup",
    "OwnedOpportunity",
    "OwnedShift",
    "PublicEvent",
    "SignupAccess",
    "SignupToken",
    "draft_owners",
    "drafts_need_a_key",
    "ensure_organizations",
    "organised_event",
    "require_organizer_changes",
    "require_organizers",
]


def _id(description: str) -> object:
    return Path(pattern=ID_PATTERN, description=description)


EventId = Annotated[str, _id("The event's id (UUID).")]
OpportunityId = Annotated[str, _id("The opportunity's id (UUID).")]
ShiftId = Annotated[str, _id("The shift's id (UUID).")]
SignupId = Annotated[str, _id("The sign-up's id (UUID).")]
SignupToken = Annotated[
    str | None,
    Header(alias="X-Signup-Token", max_length=100, description="The person's token."),
]


def live_event(session: SessionDep, event_id: EventId) -> Event:
    return service.live_event(session, event_id)


def live_opportunity(session: SessionDep, opportunity_id: OpportunityId) -> Opportunity:
    return volunteering.live_opportunity(session, opportunity_id)


def live_shift(session: SessionDep, shift_id: ShiftId) -> Shift:
    return volunteering.live_shift(session, shift_id)


# --- events ------------------------------------------------------------------------


def require_organizers(client: Client, organizer_ids: Iterable[str]) -> None:
    """403 unless ``client`` acts for every one of ``organizer_ids`` (an event's new
    organisers: nobody names another organisation as organiser of their event)."""
    for organizer in organizer_ids:
        require_acts_for(client, organizer, f"organisation {organizer}")


def require_organizer_changes(
    client: Client, current: Sequence[str], replacement: Sequence[str]
) -> None:
    """403 unless ``client`` acts for every organiser that replacing ``current`` with
    ``replacement`` adds, and for every one it removes: a co-organiser cannot drop
    another organisation from their event (an organiser may leave it)."""
    require_organizers(client, [o for o in replacement if o not in current])
    for organizer in current:
        if organizer not in replacement and not acts_for(client, organizer):
            raise Forbidden(
                f"Only a key acting for organisation {organizer} (or an administrator) may "
                "remove it from the event's organisers."
            )


def public_event(
    session: SessionDep,
    event_id: EventId,
    client: Annotated[Client, Depends(current_client)],
) -> Event:
    """An event as a reader may see it: a draft exists only for its organisers."""
    event = service.live_event(session, event_id)
    if not service.visible_to(client, event):
        raise NotFound(f"Event {event_id} does not exist.")
    return event


def organised_event(session: SessionDep, event_id: EventId, client: Client) -> Event:
    """An event its organisers change: others get 404 for drafts, 403 otherwise."""
    event = public_event(session, event_id, client)
    if not service.organises(client, event):
        raise Forbidden("Only an organiser of this event (or an administrator) may do this.")
    return event


def _organised_event(client: WriterClient, session: SessionDep, event_id: EventId) -> Event:
    return organised_event(session, event_id, client)


def drafts_need_a_key(statuses: Iterable[str], client: Client) -> None:
    """Listing drafts is for organisers (a key), not for the public calendar."""
    if "draft" in statuses and client.is_anonymous:
        raise Unauthorized("Listing drafts needs an API key.")


def draft_owners(client: Client) -> frozenset[str] | None:
    """Whose drafts a listing shows the caller: its own organisations' (None: everyone's)."""
    return None if client.is_admin else client.organization_ids


# --- opportunities and shifts ------------------------------------------------------


def owned_opportunity(
    client: WriterClient, session: SessionDep, opportunity_id: OpportunityId
) -> Opportunity:
    """An opportunity its organisation changes (with its shifts); 403 for others."""
    row = volunteering.live_opportunity(session, opportunity_id)
    require_acts_for(client, row.organization_id, "this opportunity")
    return row


def _organization_of(session: SessionDep, shift: Shift) -> str:
    opportunity = session.get(Opportunity, shift.opportunity_id)
    assert opportunity is not None
    return opportunity.organization_id


def owned_shift(client: WriterClient, session: SessionDep, shift_id: ShiftId) -> Shift:
    """A shift its opportunity's organisation changes (or reads the sign-ups of)."""
    shift = volunteering.live_shift(session, shift_id)
    require_acts_for(client, _organization_of(session, shift), "this shift")
    return shift


# --- sign-ups ------------------------------------------------------------------------

_NOT_YOURS = "Only the organiser or the person who signed up may see this."


def _organiser_of(client: Client, session: SessionDep, signup: Signup) -> bool:
    """Whether ``client`` acts for the organisation behind the sign-up's opportunity; an
    organiser's key needs `events:write` (403 `insufficient_scope` without it)."""
    shift = session.get(Shift, signup.shift_id)
    assert shift is not None
    if not acts_for(client, _organization_of(session, shift)):
        return False
    require_scope(client, "events:write")
    return True


def signup_access(
    session: SessionDep,
    signup_id: SignupId,
    client: Annotated[Client, Depends(current_client)],
    token: SignupToken = None,
) -> Signup:
    """A sign-up, for its organiser (a key acting for the opportunity's organisation) or
    the person (their token) only; everyone else gets the same 403, never the data."""
    signup = volunteering.live_signup(session, signup_id)
    if token and volunteering.token_digest(token) == signup.token_hash:
        return signup
    if _organiser_of(client, session, signup):
        return signup
    raise Forbidden(_NOT_YOURS)


def organised_signup(client: WriterClient, session: SessionDep, signup_id: SignupId) -> Signup:
    """A sign-up as its organiser handles it (attendance): not the person's token."""
    signup = volunteering.live_signup(session, signup_id)
    if not _organiser_of(client, session, signup):
        raise Forbidden(_NOT_YOURS)
    return signup


LiveEvent = Annotated[Event, Depends(live_event)]
PublicEvent = Annotated[Event, Depends(public_event)]
OrganisedEvent = Annotated[Event, Depends(_organised_event)]
LiveOpportunity = Annotated[Opportunity, Depends(live_opportunity)]
OwnedOpportunity = Annotated[Opportunity, Depends(owned_opportunity)]
LiveShift = Annotated[Shift, Depends(live_shift)]
OwnedShift = Annotated[Shift, Depends(owned_shift)]
SignupAccess = Annotated[Signup, Depends(signup_access)]
OrganisedSignup = Annotated[Signup, Depends(organised_signup)]


async def ensure_organizations(request: Request, ids: Iterable[str]) -> None:
    """Catch up with the registry's feed before a write names organisations.

    The background follower keeps the read model close, but a client that has
    just created (or deleted) an organisation must see that at once.
    """
    if list(ids):
        await catch_up(request.app, follow_registry)
