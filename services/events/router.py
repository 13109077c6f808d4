"""Event endpoints: the calendar, its occurrences and its feeds (iCalendar, CSV, JSON-LD)."""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from services.common.auth import CurrentClient, WriterClient
from services.common.db import SessionDep, lock_row
from services.common.etags import IfMatchHeader, set_etag, tagged_or_not_modified
from services.common.openapi import problem_responses
from services.common.pagination import (
    InvalidCursor,
    Page,
    after_id,
    decode_cursor,
    encode_cursor,
    set_link_header,
)
from services.common.problems import ProblemError
from services.common.timefmt import utcnow
from services.events import calendar, ical, jsonld, opendata, repository, service
from services.events.deps import (
    EventId,
    OrganisedEvent,
    PublicEvent,
    draft_owners,
    drafts_need_a_key,
    ensure_organizations,
    organised_event,
    require_organizer_changes,
    require_organizers,
)
from services.events.filters import EventCriteria, EventFilters, OccurrenceWindow
from services.events.schemas import EventCreate, EventPublic, EventUpdate, Occurrence

__all__ = ["router"]

router = APIRouter(prefix="/v1")
EVENTS: list[str | Enum] = ["events"]
LISTING = "events"
FEED_CAP = 5000
FEED_PAST = timedelta(days=30)
_WRITE_ONE = problem_responses(403, 404, 409, 410, 412, 428)


@router.post(
    "/events",
    tags=EVENTS,
    status_code=201,
    response_model=EventPublic,
    responses=problem_responses(403),
)
async def create_event(
    client: WriterClient,
    data: EventCreate,
    session: SessionDep,
    request: Request,
    response: Response,
) -> EventPublic:
    """Put an event on the calendar (one-off or recurring), by a key acting for every
    organiser. Accepts an `Idempotency-Key`."""
    require_organizers(client, data.organizer_ids)
    await ensure_organizations(request, data.organizer_ids)
    event = await run_in_threadpool(service.create_event, session=session, data=data)
    response.headers["Location"] = f"/v1/events/{event.id}"
    set_etag(response, event.version)
    return (await run_in_threadpool(service.events_public, session, [event]))[0]


@router.get("/events", tags=EVENTS, response_model=Page[EventPublic])
def list_events(
    filters: Annotated[EventFilters, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
    client: CurrentClient,
) -> Page[EventPublic]:
    """List events; with `date_from`/`date_to`, those with an occurrence in that range.
    Drafts are listed only to their organisers."""
    drafts_need_a_key(filters.status, client)
    start = after_id(filters.cursor, LISTING)
    found = [
        e
        for e, _ in calendar.matching_events(
            session, filters, start, filters.limit + 1, draft_owners=draft_owners(client)
        )
    ]
    page = found[: filters.limit]
    next_cursor = (
        encode_cursor({"id": page[-1].id, "of": LISTING}) if len(found) > filters.limit else None
    )
    set_link_header(request, response, next_cursor)
    return Page(items=service.events_public(session, page), next_cursor=next_cursor)


@router.get(
    "/events/occurrences",
    tags=EVENTS,
    response_model=Page[Occurrence],
    responses=problem_responses(422),
)
def list_occurrences(
    filters: Annotated[OccurrenceWindow, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
    client: CurrentClient,
) -> Page[Occurrence]:
    """Every occurrence in [date_from, date_to), recurring events expanded, by start time."""
    drafts_need_a_key(filters.status, client)
    after = _occurrence_position(filters.cursor)
    timeline = _timeline(request, session, filters, draft_owners(client))
    start = 0 if after is None else bisect.bisect_right(timeline, after, key=_position)
    chosen = timeline[start : start + filters.limit + 1]
    page = chosen[: filters.limit]
    next_cursor = None
    if len(chosen) > filters.limit:
        last = page[-1]
        next_cursor = encode_cursor({"t": last.starts_at.isoformat(), "id": last.event_id})
    set_link_header(request, response, next_cursor)
    return Page(items=page, next_cursor=next_cursor)


def _position(occurrence: Occurrence) -> tuple[datetime, str]:
    return occurrence.starts_at, occurrence.event_id


# Paging through a window re-reads the same timeline: each app keeps a few,
# keyed by the query and its newest outbox event, so any change invalidates.
_TIMELINES_KEPT = 16
_TIMELINES_LOCK = threading.Lock()


def _timeline(
    request: Request,
    session: SessionDep,
    window: OccurrenceWindow,
    owners: frozenset[str] | None,
) -> list[Occurrence]:
    """Every occurrence of the window, sorted by (start, event id); drafts only of
    ``owners`` (None: everyone's)."""
    state = request.app.state
    with _TIMELINES_LOCK:
        if getattr(state, "timelines", None) is None:
            state.timelines = OrderedDict()
        timelines: OrderedDict[tuple[str, Any], list[Occurrence]] = state.timelines
    query = window.model_dump_json(exclude={"cursor", "limit"})
    key = (
        query,
        None if owners is None else tuple(sorted(owners)),
        repository.latest_change(session),
    )
    with _TIMELINES_LOCK:
        cached = timelines.get(key)
        if cached is not None:
            timelines.move_to_end(key)
            return cached
    timeline = sorted(
        (
            _occurrence(event, hit)
            for event, hits in _capped(session, window, owners)
            for hit in hits
        ),
        key=_position,
    )
    with _TIMELINES_LOCK:
        timelines[key] = timeline
        while len(timelines) > _TIMELINES_KEPT:
            timelines.popitem(last=False)
    return timeline


def _occurrence_position(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    position = decode_cursor(cursor, {"t": str, "id": str})
    try:
        moment = datetime.fromisoformat(position["t"])
    except (ValueError, OverflowError):
        raise InvalidCursor("The cursor is not one this API issued.") from None
    if moment.tzinfo is None or not 1900 <= moment.year <= 2200:
        raise InvalidCursor("The cursor is not one this API issued.")
    return moment, position["id"]


class TooManyEvents(ProblemError):
    status, slug, title = 422, "too-many-events", "Too many events"


def _capped(
    session: SessionDep, criteria: EventCriteria, owners: frozenset[str] | None
) -> list[tuple[Any, list[Any]]]:
    """Matching events, refusing (422) rather than silently cutting at FEED_CAP."""
    found = list(
        calendar.matching_events(session, criteria, None, FEED_CAP + 1, draft_owners=owners)
    )
    if len(found) > FEED_CAP:
        raise TooManyEvents(f"More than {FEED_CAP} events match: narrow the dates or the filters.")
    return found


def _occurrence(event: Any, occurrence: Any) -> Occurrence:
    places = None if event.capacity is None else max(event.capacity - event.places_taken, 0)
    return Occurrence(
        event_id=event.id,
        title=event.title,
        kind=event.kind,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        all_day=event.all_day,
        cancelled=occurrence.cancelled or event.status == "cancelled",
        municipality_code=event.municipality_code,
        venue_name=(event.venue or {}).get("name"),
        online=event.online_url is not None,
        fee_jpy=event.fee_jpy,
        places_left=places,
        status=event.status,
    )


def _feed(
    session: SessionDep, criteria: EventCriteria, client: CurrentClient
) -> list[dict[str, Any]]:
    drafts_need_a_key(criteria.status, client)
    if criteria.date_from is None and criteria.date_to is None:
        # A feed is what is coming up: without dates it covers the last
        # FEED_PAST and the year ahead, so it does not grow with the archive.
        criteria = criteria.model_copy(update={"date_from": utcnow() - FEED_PAST})
    events = [e for e, _ in _capped(session, criteria, draft_owners(client))]
    return [p.model_dump(mode="json") for p in service.events_public(session, events)]


_CALENDAR = {200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}}


@router.get("/events.ics", tags=EVENTS, response_class=Response, responses=_CALENDAR)
def events_calendar(
    filters: Annotated[EventCriteria, Query()],
    session: SessionDep,
    request: Request,
    client: CurrentClient,
) -> Response:
    """The listing as an iCalendar feed (RRULEs kept), for calendar apps and portals.

    Without `date_from`/`date_to` it covers the past 30 days and the year ahead."""
    body = ical.calendar_bytes(
        _feed(session, filters, client), name="Kyodo イベント", url=str(request.url)
    )
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.get(
    "/events.csv",
    tags=EVENTS,
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def events_csv(
    filters: Annotated[EventCriteria, Query()], session: SessionDep, client: CurrentClient
) -> StreamingResponse:
    """The listing in the columns of the municipal standard open-data set (UTF-8 with BOM).

    Without `date_from`/`date_to` it covers the past 30 days and the year ahead."""
    rows: Iterator[bytes] = opendata.events_csv(_feed(session, filters, client))
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="events.csv"'},
    )


@router.get(
    "/events/{event_id}",
    tags=EVENTS,
    response_model=EventPublic,
    responses={**problem_responses(404, 410), 304: {"description": "Not modified."}},
)
def get_event(
    event: PublicEvent, session: SessionDep, request: Request, response: Response
) -> EventPublic | Response:
    """Read one event. Carries an `ETag`; `If-None-Match` answers 304."""
    cached = tagged_or_not_modified(request, response, event.version)
    return cached or service.events_public(session, [event])[0]


@router.get(
    "/events/{event_id}/jsonld",
    tags=EVENTS,
    responses={
        200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}},
        **problem_responses(404, 410),
    },
)
def get_event_jsonld(event: PublicEvent, session: SessionDep, request: Request) -> JSONResponse:
    """The event as schema.org `Event` JSON-LD, for search engines and portals."""
    public = service.events_public(session, [event])[0].model_dump(mode="json")
    url = str(request.url).removesuffix("/jsonld")
    return JSONResponse(jsonld.event_jsonld(public, url=url), media_type="application/ld+json")


@router.get(
    "/events/{event_id}/calendar.ics",
    tags=EVENTS,
    response_class=Response,
    responses={**_CALENDAR, **problem_responses(404, 410)},
)
def get_event_calendar(event: PublicEvent, session: SessionDep) -> Response:
    """One event as iCalendar (add it to a calendar app)."""
    public = service.events_public(session, [event])[0].model_dump(mode="json")
    body = ical.calendar_bytes([public], name=public["title"])
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.patch("/events/{event_id}", tags=EVENTS, response_model=EventPublic, responses=_WRITE_ONE)
async def update_event(
    client: WriterClient,
    event_id: EventId,
    data: EventUpdate,  # type: ignore[valid-type]
    session: SessionDep,
    request: Request,
    response: Response,
    if_match: IfMatchHeader = None,
) -> EventPublic:
    """Update some fields of an event (bumps its iCalendar SEQUENCE), by a key acting for one
    of its organisers, and for every organiser it adds or removes. Requires `If-Match`."""
    organizers = getattr(data, "organizer_ids", None)
    if organizers:
        # Before this request touches the database: the catch-up writes too.
        await ensure_organizations(request, organizers)

    def update() -> EventPublic:
        event = organised_event(session, event_id, client)
        if organizers is not None:
            # Judge the change against the organisers it replaces, read under the row
            # lock (PostgreSQL): not against an earlier read a concurrent update changed.
            lock_row(session, event)
            event = organised_event(session, event_id, client)
            require_organizer_changes(client, event.organizer_ids, organizers)
        event = service.update_event(session=session, event=event, data=data, if_match=if_match)
        set_etag(response, event.version)
        return service.events_public(session, [event])[0]

    return await run_in_threadpool(update)


@router.delete("/events/{event_id}", tags=EVENTS, status_code=204, responses=_WRITE_ONE)
def delete_event(
    client: WriterClient, event: OrganisedEvent, session: SessionDep, if_match: IfMatchHeader = None
) -> Response:
    """Delete an event, by a key acting for every one of its organisers (a co-organised
    event is theirs together; one of them may leave it, or set `status` to `cancelled` to
    cancel it and keep it visible)."""
    require_organizers(client, event.organizer_ids)
    service.delete_event(session=session, event=event, if_match=if_match)
    return Response(status_code=204)
