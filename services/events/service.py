"""Event rules and transactions. Each write commits once, with its outbox event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from services.common import outbox
from services.common.auth import Client, acts_for
from services.common.db import lock_live
from services.common.etags import check_if_match
from services.common.ids import new_id
from services.common.jptext import index_text
from services.common.partial import revalidate_merged
from services.common.problems import FieldError, Gone, NotFound, ValidationProblem, require_known
from services.common.timefmt import utcnow
from services.common.versioned import bump, commit_or_conflict
from services.events.models import Event
from services.events.readmodel import known_organizations
from services.events.recurrence import expand, series_end, validate_rrule
from services.events.schemas import EventCreate, EventPublic

__all__ = [
    "check_organizations",
    "create_event",
    "delete_event",
    "event_public",
    "events_public",
    "live_event",
    "organises",
    "update_event",
    "visible_to",
]

_WRITABLE = set(EventCreate.model_fields)
_TIME_COLUMNS = {"starts_at", "ends_at", "registration_deadline"}


def check_organizations(session: Session, ids: Sequence[str], field: str) -> None:
    """Every id must be a live organisation of the registry (422 naming each unknown one)."""
    require_known(ids, known_organizations(session, ids), field, "organization")


def live_event(session: Session, event_id: str) -> Event:
    """The event, or 404 (never existed) / 410 (deleted)."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"Event {event_id} does not exist.")
    if event.deleted_at is not None:
        raise Gone(f"Event {event_id} was deleted.")
    return event


def organises(client: Client, event: Event) -> bool:
    """Whether ``client`` acts for one of the event's organisers."""
    return any(acts_for(client, organizer) for organizer in event.organizer_ids)


def visible_to(client: Client, event: Event) -> bool:
    """Whether ``client`` may know of the event: a draft exists only for its organisers."""
    return event.status != "draft" or organises(client, event)


def events_public(session: Session, events: Sequence[Event]) -> list[EventPublic]:
    """Public views of events, with their organisers' names, in one query."""
    refs = known_organizations(session, {i for e in events for i in e.organizer_ids})
    return [event_public(event, {i: refs[i].name for i in refs}) for event in events]


def event_public(event: Event, names: dict[str, str]) -> EventPublic:
    """The public view of an event."""
    places_left = None if event.capacity is None else max(event.capacity - event.places_taken, 0)
    organizers = [{"id": i, "name": names.get(i, "")} for i in event.organizer_ids]
    return EventPublic.model_validate(
        {**event.model_dump(), "organizers": organizers, "places_left": places_left}
    )


def _columns(data: BaseModel, fields: set[str]) -> dict[str, Any]:
    values = data.model_dump(mode="json", include=fields)
    for name in _TIME_COLUMNS & values.keys():
        value = getattr(data, name)
        values[name] = value
    return values


def _schedule(event: Event) -> None:
    """Validate the recurrence against the start, and store where the series ends."""
    rule = (event.recurrence or {}).get("rrule")
    if rule is not None:
        try:
            rule = validate_rrule(rule, event.starts_at, tz=event.timezone)
        except ValueError as exc:
            raise ValidationProblem(
                "The recurrence rule is not usable.",
                errors=[FieldError(field="body.recurrence.rrule", message=str(exc), code="rrule")],
            ) from None
        event.recurrence = {**(event.recurrence or {}), "rrule": rule}
        _check_cancelled(event, rule)
    event.series_ends_at = series_end(
        starts_at=event.starts_at, ends_at=event.ends_at, rrule=rule, tz=event.timezone
    )


def _check_cancelled(event: Event, rule: str) -> None:
    """Each cancelled start must be an occurrence of the rule (a typo cancels nothing)."""
    errors = []
    for i, text in enumerate((event.recurrence or {}).get("cancelled_occurrences", [])):
        moment = datetime.fromisoformat(text)
        hits = expand(
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            rrule=rule,
            cancelled=[],
            tz=event.timezone,
            window_start=moment,
            window_end=moment + timedelta(seconds=1),
        )
        if not any(hit.starts_at == moment for hit in hits):
            errors.append(
                FieldError(
                    field=f"body.recurrence.cancelled_occurrences.{i}",
                    message=f"{text} is not an occurrence of the recurrence rule",
                    code="not_an_occurrence",
                )
            )
    if errors:
        raise ValidationProblem("Cancelled occurrences must be occurrences.", errors=errors)


def _search_text(event: Event) -> str:
    venue = event.venue or {}
    return index_text(
        event.title,
        event.description,
        event.target_audience,
        venue.get("name"),
        venue.get("address"),
    )


def _record(session: Session, event: Event, action: str) -> None:
    payload = None
    if action != "deleted":
        payload = events_public(session, [event])[0].model_dump(mode="json")
    outbox.record(
        session,
        entity="event",
        action=action,
        entity_id=event.id,
        version=event.version,
        payload=payload,
    )


def create_event(*, session: Session, data: EventCreate) -> Event:
    """Put an event on the calendar."""
    check_organizations(session, data.organizer_ids, "organizer_ids")
    now = utcnow()
    event = Event(id=new_id(), **_columns(data, _WRITABLE), created_at=now, updated_at=now)
    _schedule(event)
    event.search_text = _search_text(event)
    session.add(event)
    _record(session, event, "created")
    commit_or_conflict(session)
    return event


def update_event(*, session: Session, event: Event, data: BaseModel, if_match: str | None) -> Event:
    """Apply a partial update, checking the version and the merged state."""
    lock_live(session, event, "Event")
    check_if_match(if_match, event.version)
    patch = data.model_dump(mode="json", exclude_unset=True)
    current = event_public(event, {}).model_dump(mode="json", include=_WRITABLE)
    merged = revalidate_merged(EventCreate, {**current, **patch})
    # The organisers must still be registered, whether or not this update names them.
    check_organizations(session, merged.organizer_ids, "organizer_ids")  # type: ignore[attr-defined]
    for name, value in _columns(merged, set(patch)).items():
        setattr(event, name, value)
    _schedule(event)
    event.search_text = _search_text(event)
    bump(event)
    _record(session, event, "updated")
    commit_or_conflict(session)
    return event


def delete_event(*, session: Session, event: Event, if_match: str | None) -> None:
    """Delete an event (a tombstone in the outbox)."""
    lock_live(session, event, "Event")
    check_if_match(if_match, event.version)
    event.deleted_at = utcnow()
    bump(event, event.deleted_at)
    _record(session, event, "deleted")
    commit_or_conflict(session)
