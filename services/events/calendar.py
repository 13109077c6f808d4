"""The calendar view: which events have occurrences in a window, and the occurrences.

SQL narrows the candidates (see :func:`repository.candidate_events`); the
recurrence rules are expanded here, in the event's own time zone, so weekend,
evening and window filters see each occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from services.common.timefmt import utcnow
from services.events import repository
from services.events.filters import EventCriteria
from services.events.models import Event
from services.events.recurrence import Occurrence, expand
from services.events.repository import EVENING_HOUR

__all__ = ["DEFAULT_HORIZON", "matching_events", "occurrences_of"]

DEFAULT_HORIZON = timedelta(days=365)
_BATCH = 200


def occurrences_of(
    event: Event, start: datetime, end: datetime, limit: int = 1000
) -> list[Occurrence]:
    """The event's occurrences overlapping [start, end)."""
    recurrence = event.recurrence or {}
    cancelled = [datetime.fromisoformat(c) for c in recurrence.get("cancelled_occurrences", [])]
    return expand(
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        rrule=recurrence.get("rrule"),
        cancelled=cancelled,
        tz=event.timezone,
        window_start=start,
        window_end=end,
        limit=limit,
    )


def _window(filters: EventCriteria) -> tuple[datetime, datetime] | None:
    if filters.date_from or filters.date_to:
        if filters.date_from and filters.date_to:
            return filters.date_from, filters.date_to
        if filters.date_from:
            return filters.date_from, filters.date_from + DEFAULT_HORIZON
        assert filters.date_to is not None
        return filters.date_to - DEFAULT_HORIZON, filters.date_to
    if filters.weekend is not None or filters.evening is not None:
        now = utcnow()
        return now, now + DEFAULT_HORIZON
    return None


def _fits(occurrence: Occurrence, filters: EventCriteria, zone: ZoneInfo) -> bool:
    local = occurrence.starts_at.astimezone(zone)
    if filters.weekend is not None and (local.weekday() >= 5) != filters.weekend:
        return False
    return filters.evening is None or (local.hour >= EVENING_HOUR) == filters.evening


def matching_events(
    session: Session,
    filters: EventCriteria,
    after_id: str | None,
    limit: int,
    *,
    draft_owners: frozenset[str] | None = None,
) -> Iterator[tuple[Event, list[Occurrence]]]:
    """Events (in id order, after ``after_id``) that pass every filter, with the occurrences
    that made them pass (empty when no window applies); at most ``limit`` events. Drafts
    only of ``draft_owners`` (None: everyone's)."""
    window = _window(filters)
    found = 0
    while found < limit:
        batch = repository.candidate_events(
            session, filters, after_id, _BATCH, draft_owners=draft_owners
        )
        for event in batch:
            after_id = event.id
            if window is None:
                yield event, []
            else:
                zone = ZoneInfo(event.timezone)
                hits = [o for o in occurrences_of(event, *window) if _fits(o, filters, zone)]
                if not hits:
                    continue
                yield event, hits
            found += 1
            if found >= limit:
                return
        if len(batch) < _BATCH:
            return
