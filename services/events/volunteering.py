"""Volunteering rules: opportunities, shifts with capacity, sign-ups, waitlists, hours.

A shift's counters change only under its row lock (PostgreSQL) or the
database's write lock (SQLite), so concurrent sign-ups can never take a shift
over capacity. Sign-up events carry no personal data.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from services.common import outbox
from services.common.auth import Client
from services.common.db import lock_live, lock_row
from services.common.etags import check_if_match
from services.common.ids import new_id
from services.common.jptext import index_text
from services.common.partial import revalidate_merged
from services.common.problems import Conflict, FieldError, Gone, NotFound, ValidationProblem
from services.common.timefmt import JST, utcnow
from services.common.versioned import bump, commit_or_conflict
from services.events import repository
from services.events.models import Event, Opportunity, Shift, Signup
from services.events.readmodel import known_organizations
from services.events.service import check_organizations, visible_to
from services.events.volunteering_schemas import (
    AttendanceRecord,
    OpportunityCreate,
    OpportunityPublic,
    ShiftCreate,
    ShiftPublic,
    SignupCreate,
    SignupPublic,
)

__all__ = [
    "cancel_signup",
    "create_opportunity",
    "create_shift",
    "live_opportunity",
    "live_shift",
    "person_key",
    "record_attendance",
    "sign_up",
]


class RegistrationClosed(Conflict):
    slug = "registration-closed"


class AlreadySignedUp(Conflict):
    slug = "already-signed-up"


def person_key(email: str) -> str:
    """Who a person is across sign-ups: a digest of the normalised email, not the email."""
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()


def token_digest(token: str) -> str:
    """Sign-up management tokens are stored hashed."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- opportunities -----------------------------------------------------------------

_OPP_WRITABLE = set(OpportunityCreate.model_fields)
_TIMES = {"starts_at", "ends_at", "signup_deadline"}


def _columns(data: BaseModel, fields: set[str]) -> dict[str, Any]:
    values = data.model_dump(mode="json", include=fields)
    for name in _TIMES & values.keys():
        values[name] = getattr(data, name)
    return values


def live_opportunity(session: Session, opportunity_id: str) -> Opportunity:
    """The opportunity, or 404 / 410."""
    found = session.get(Opportunity, opportunity_id)
    if found is None:
        raise NotFound(f"Opportunity {opportunity_id} does not exist.")
    if found.deleted_at is not None:
        raise Gone(f"Opportunity {opportunity_id} was deleted.")
    return found


def opportunities_public(session: Session, rows: Sequence[Opportunity]) -> list[OpportunityPublic]:
    """Public views, with the owners' names."""
    refs = known_organizations(session, {r.organization_id for r in rows})
    return [
        OpportunityPublic.model_validate(
            {
                **r.model_dump(),
                "organization_name": refs[r.organization_id].name
                if r.organization_id in refs
                else "",
            }
        )
        for r in rows
    ]


def _check_event(
    session: Session, event_id: str | None, organization_id: str, actor: Client
) -> None:
    """An opportunity joins a live event its own organisation organises (422 otherwise);
    a draft ``actor`` may not see is answered as an unknown event, never told apart."""
    if event_id is None:
        return
    event = session.get(Event, event_id)
    if event is None or event.deleted_at is not None or not visible_to(actor, event):
        raise ValidationProblem(
            "The event does not exist.",
            errors=[FieldError(field="body.event_id", message="unknown event", code="unknown")],
        )
    if organization_id not in event.organizer_ids:
        raise ValidationProblem(
            "An opportunity can only be part of an event its organisation organises.",
            errors=[
                FieldError(
                    field="body.event_id",
                    message=f"organisation {organization_id} does not organise this event",
                    code="not_an_organizer",
                )
            ],
        )


def _record(session: Session, entity: str, row: Any, action: str, payload: Any) -> None:
    outbox.record(
        session,
        entity=entity,
        action=action,
        entity_id=row.id,
        version=row.version,
        payload=payload,
    )


def create_opportunity(*, session: Session, data: OpportunityCreate, actor: Client) -> Opportunity:
    """Publish a volunteer opportunity for a registered organisation (part of an event it
    organises, if any)."""
    check_organizations(session, [data.organization_id], "organization_id")
    _check_event(session, data.event_id, data.organization_id, actor)
    now = utcnow()
    row = Opportunity(id=new_id(), **_columns(data, _OPP_WRITABLE), created_at=now, updated_at=now)
    row.search_text = index_text(row.title, row.description, " ".join(row.skills_wanted))
    session.add(row)
    _record(session, "opportunity", row, "created", _opp_payload(session, row))
    commit_or_conflict(session)
    return row


def _opp_payload(session: Session, row: Opportunity) -> dict[str, Any]:
    return opportunities_public(session, [row])[0].model_dump(mode="json")


def update_opportunity(
    *, session: Session, row: Opportunity, data: BaseModel, if_match: str | None, actor: Client
) -> Opportunity:
    """Partial update; shifts must still fit the opportunity's period, and a new
    `event_id` must name an event the opportunity's organisation organises."""
    lock_live(session, row, "Opportunity")
    check_if_match(if_match, row.version)
    patch = data.model_dump(mode="json", exclude_unset=True)
    current = _opp_payload(session, row)
    current = {k: v for k, v in current.items() if k in _OPP_WRITABLE}
    merged = revalidate_merged(OpportunityCreate, {**current, **patch})
    if "event_id" in patch:
        event_id = merged.event_id  # type: ignore[attr-defined]
        _check_event(session, event_id, row.organization_id, actor)
    for name, value in _columns(merged, set(patch)).items():
        setattr(row, name, value)
    for shift in repository.shifts_of(session, [row.id]):
        _check_within(row, shift.starts_at, shift.ends_at, "body.starts_at")
    row.search_text = index_text(row.title, row.description, " ".join(row.skills_wanted))
    bump(row)
    _record(session, "opportunity", row, "updated", _opp_payload(session, row))
    commit_or_conflict(session)
    return row


def delete_opportunity(*, session: Session, row: Opportunity, if_match: str | None) -> None:
    """Delete an opportunity; its shifts go with it, and their sign-ups are cancelled."""
    lock_live(session, row, "Opportunity")
    check_if_match(if_match, row.version)
    now = utcnow()
    for shift in repository.shifts_of(session, [row.id]):
        _delete_shift(session, shift, now)
    row.deleted_at = now
    bump(row, now)
    _record(session, "opportunity", row, "deleted", None)
    commit_or_conflict(session)


# --- shifts ------------------------------------------------------------------------


def live_shift(session: Session, shift_id: str) -> Shift:
    """The shift, or 404 / 410."""
    found = session.get(Shift, shift_id)
    if found is None:
        raise NotFound(f"Shift {shift_id} does not exist.")
    if found.deleted_at is not None:
        raise Gone(f"Shift {shift_id} was deleted.")
    return found


def _localise(shift: Shift) -> None:
    local = shift.starts_at.astimezone(JST)
    shift.local_weekday, shift.local_hour = local.weekday(), local.hour


def shift_public(shift: Shift) -> ShiftPublic:
    """A shift with its places left."""
    places = max(shift.capacity - shift.confirmed_count, 0)
    return ShiftPublic.model_validate({**shift.model_dump(), "places_left": places})


def _check_within(opportunity: Opportunity, starts_at: Any, ends_at: Any, field: str) -> None:
    early = opportunity.starts_at is not None and starts_at < opportunity.starts_at
    late = opportunity.ends_at is not None and ends_at > opportunity.ends_at
    if early or late:
        raise ValidationProblem(
            "The shift falls outside its opportunity's period.",
            errors=[FieldError(field=field, message="outside the opportunity", code="period")],
        )


def create_shift(*, session: Session, opportunity: Opportunity, data: ShiftCreate) -> Shift:
    """Add a shift to an opportunity, inside its period."""
    lock_live(session, opportunity, "Opportunity")
    check_organizations(session, [opportunity.organization_id], "organization_id")
    _check_within(opportunity, data.starts_at, data.ends_at, "body.starts_at")
    now = utcnow()
    shift = Shift(
        id=new_id(),
        opportunity_id=opportunity.id,
        **_columns(data, set(ShiftCreate.model_fields)),
        created_at=now,
        updated_at=now,
    )
    _localise(shift)
    session.add(shift)
    _record(session, "shift", shift, "created", shift_public(shift).model_dump(mode="json"))
    commit_or_conflict(session)
    return shift


def update_shift(*, session: Session, shift: Shift, data: BaseModel, if_match: str | None) -> Shift:
    """Change a shift; more capacity promotes from the waitlist, less may not drop anyone."""
    lock_live(session, shift, "Shift")
    check_if_match(if_match, shift.version)
    patch = data.model_dump(mode="json", exclude_unset=True)
    current = shift_public(shift).model_dump(mode="json", include=set(ShiftCreate.model_fields))
    merged = revalidate_merged(ShiftCreate, {**current, **patch})
    opportunity = live_opportunity(session, shift.opportunity_id)
    _check_within(opportunity, merged.starts_at, merged.ends_at, "body.starts_at")  # type: ignore[attr-defined]
    if merged.capacity < shift.confirmed_count:  # type: ignore[attr-defined]
        raise Conflict(
            f"{shift.confirmed_count} people are confirmed; cancel sign-ups before "
            "lowering the capacity below that."
        )
    for name, value in _columns(merged, set(patch)).items():
        setattr(shift, name, value)
    _localise(shift)
    now = utcnow()
    while shift.confirmed_count < shift.capacity and _promote(session, shift, now):
        pass
    bump(shift, now)
    _record(session, "shift", shift, "updated", shift_public(shift).model_dump(mode="json"))
    commit_or_conflict(session)
    return shift


def _delete_shift(session: Session, shift: Shift, now: Any) -> None:
    lock_row(session, shift)
    for signup in repository.list_signups(session, shift.id, None, 100_000):
        if signup.status != "cancelled":
            signup.status = "cancelled"
            bump(signup, now)
            _record(session, "signup", signup, "cancelled", _signup_event(signup))
    shift.confirmed_count = shift.waitlist_count = 0
    shift.deleted_at = now
    bump(shift, now)
    _record(session, "shift", shift, "deleted", None)


def delete_shift(*, session: Session, shift: Shift, if_match: str | None) -> None:
    """Delete a shift and cancel its sign-ups."""
    lock_live(session, shift, "Shift")
    check_if_match(if_match, shift.version)
    _delete_shift(session, shift, utcnow())
    commit_or_conflict(session)


# --- sign-ups ----------------------------------------------------------------------


def _signup_event(signup: Signup) -> dict[str, Any]:
    # Events travel to other services and webhooks: no name, email or phone.
    return {"id": signup.id, "shift_id": signup.shift_id, "status": signup.status}


def signup_public(session: Session, signup: Signup) -> SignupPublic:
    """A sign-up with its waitlist position."""
    position = (
        repository.waitlist_position(session, signup) if signup.status == "waitlisted" else None
    )
    return SignupPublic.model_validate({**signup.model_dump(), "waitlist_position": position})


def sign_up(*, session: Session, shift: Shift, data: SignupCreate) -> tuple[Signup, str]:
    """Confirm a place, or join the waitlist when the shift is full; return the sign-up and
    the token the person manages it with (shown once)."""
    lock_live(session, shift, "Shift")
    now = utcnow()
    deadline = shift.signup_deadline or shift.starts_at
    if now >= deadline:
        raise RegistrationClosed("Sign-ups for this shift are closed.")
    opportunity = live_opportunity(session, shift.opportunity_id)
    if opportunity.status != "open":
        raise RegistrationClosed("This opportunity is not taking sign-ups.")
    if not known_organizations(session, [opportunity.organization_id]):
        raise RegistrationClosed(
            "The organisation behind this opportunity is no longer registered."
        )
    key = person_key(data.email)
    if repository.active_signup(session, shift.id, key) is not None:
        raise AlreadySignedUp("This person has already signed up for this shift.")
    confirmed = shift.confirmed_count < shift.capacity
    shift.signup_seq += 1
    token = secrets.token_urlsafe(24)
    signup = Signup(
        id=new_id(),
        shift_id=shift.id,
        **data.model_dump(mode="json"),
        person_key=key,
        status="confirmed" if confirmed else "waitlisted",
        queue_position=shift.signup_seq,
        token_hash=token_digest(token),
        created_at=now,
        updated_at=now,
    )
    if confirmed:
        shift.confirmed_count += 1
    else:
        shift.waitlist_count += 1
    bump(shift, now)
    session.add(signup)
    _record(session, "signup", signup, "created", _signup_event(signup))
    commit_or_conflict(session, lambda: AlreadySignedUp("This person has already signed up."))
    return signup, token


def _promote(session: Session, shift: Shift, now: Any) -> bool:
    if now >= shift.starts_at:
        return False  # nobody is promoted into a shift that has begun
    first = repository.next_waitlisted(session, shift.id)
    if first is None:
        return False
    first.status = "confirmed"
    bump(first, now)
    shift.confirmed_count += 1
    shift.waitlist_count -= 1
    _record(session, "signup", first, "promoted", _signup_event(first))
    return True


def cancel_signup(*, session: Session, signup: Signup) -> Signup:
    """Cancel a sign-up; a freed place goes to the first on the waitlist."""
    shift = session.get(Shift, signup.shift_id)
    assert shift is not None
    lock_row(session, shift)
    session.refresh(signup)
    if signup.status == "cancelled":
        return signup  # cancelling twice is not an error
    if signup.attended is not None:
        raise Conflict("Attendance has been recorded for this sign-up; it cannot be cancelled.")
    now = utcnow()
    was_confirmed = signup.status == "confirmed"
    signup.status = "cancelled"
    bump(signup, now)
    if was_confirmed:
        shift.confirmed_count -= 1
        _promote(session, shift, now)
    else:
        shift.waitlist_count -= 1
    bump(shift, now)
    _record(session, "signup", signup, "cancelled", _signup_event(signup))
    commit_or_conflict(session)
    return signup


def record_attendance(*, session: Session, signup: Signup, data: AttendanceRecord) -> Signup:
    """The organiser confirms attendance and hours (after the shift has started)."""
    shift = session.get(Shift, signup.shift_id)
    assert shift is not None
    lock_row(session, signup)
    if signup.status != "confirmed":
        raise Conflict("Attendance can only be recorded for a confirmed sign-up.")
    if utcnow() < shift.starts_at:
        raise Conflict("Attendance can be recorded once the shift has started.")
    longest = (shift.ends_at - shift.starts_at).total_seconds() / 3600
    if data.hours is not None and data.hours > longest + 0.25:
        raise ValidationProblem(
            "More hours than the shift lasts.",
            errors=[FieldError(field="body.hours", message=f"at most {longest:g}", code="range")],
        )
    signup.attended = data.attended
    signup.hours = data.hours if data.attended else None
    bump(signup)
    _record(session, "signup", signup, "attendance", _signup_event(signup))
    commit_or_conflict(session)
    return signup


def live_signup(session: Session, signup_id: str) -> Signup:
    """The sign-up, or 404."""
    found = session.get(Signup, signup_id)
    if found is None:
        raise NotFound(f"Sign-up {signup_id} does not exist.")
    return found
