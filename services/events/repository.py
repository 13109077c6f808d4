"""Events queries: no HTTP, no rules."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.common.db import json_list_overlaps
from services.common.outbox import OutboxEvent
from services.common.search import text_matches
from services.events.filters import EventCriteria, OpportunityFilters
from services.events.models import Event, Opportunity, PointsRule, Shift, Signup

__all__ = [
    "candidate_events",
    "latest_change",
    "list_opportunities",
    "list_shifts",
    "list_signups",
    "next_waitlisted",
    "person_signups",
]

PUBLIC_STATUSES = ("published", "cancelled", "postponed")
EVENING_HOUR = 17


def candidate_events(
    session: Session,
    filters: EventCriteria,
    after_id: str | None,
    batch: int,
    *,
    draft_owners: frozenset[str] | None = None,
) -> Sequence[Event]:
    """Live events matching the SQL-checkable filters, in id order; drafts only of
    ``draft_owners`` (None: every draft).

    Occurrence-level filters (the date window's overlap, weekends, evenings)
    are applied by the caller to these candidates.
    """
    query = select(Event).where(col(Event.deleted_at).is_(None))
    if after_id is not None:
        query = query.where(Event.id > after_id)
    query = query.where(col(Event.status).in_(filters.status or PUBLIC_STATUSES))
    if draft_owners is not None:
        query = query.where(_not_a_draft_or_of(session, draft_owners))
    if filters.date_to is not None:
        query = query.where(Event.starts_at < filters.date_to)
    if filters.date_from is not None:
        query = query.where(
            col(Event.series_ends_at).is_(None) | (col(Event.series_ends_at) > filters.date_from)
        )
    if filters.q:
        query = query.where(text_matches(col(Event.search_text), filters.q))
    if filters.kind:
        query = query.where(col(Event.kind).in_(filters.kind))
    if filters.field:
        query = query.where(json_list_overlaps(session, Event.fields, filters.field))
    if filters.organizer_id:
        query = query.where(json_list_overlaps(session, Event.organizer_ids, filters.organizer_id))
    if filters.municipality_code:
        query = query.where(col(Event.municipality_code).in_(filters.municipality_code))
    if filters.online is not None:
        has_url = col(Event.online_url).is_not(None)
        query = query.where(has_url if filters.online else ~has_url)
    if filters.in_person is not None:
        has_venue = col(Event.venue).is_not(None)
        query = query.where(has_venue if filters.in_person else ~has_venue)
    if filters.free is not None:
        query = query.where(
            Event.fee_jpy == 0 if filters.free else col(Event.fee_jpy).is_distinct_from(0)
        )
    if filters.has_places is not None:
        open_places = col(Event.capacity).is_(None) | (Event.places_taken < Event.capacity)
        query = query.where(open_places if filters.has_places else ~open_places)
    return list(session.exec(query.order_by(col(Event.id)).limit(batch)))


def _not_a_draft_or_of(session: Session, owners: frozenset[str]) -> sa.ColumnElement[bool]:
    published = Event.status != "draft"
    if not owners:
        return published
    return sa.or_(published, json_list_overlaps(session, Event.organizer_ids, sorted(owners)))


def list_opportunities(
    session: Session, filters: OpportunityFilters, after_id: str | None, now: datetime
) -> Sequence[Opportunity]:
    """Live opportunities matching the filters, in id order, one more than the limit."""
    query = select(Opportunity).where(col(Opportunity.deleted_at).is_(None))
    if after_id is not None:
        query = query.where(Opportunity.id > after_id)
    if filters.q:
        query = query.where(text_matches(col(Opportunity.search_text), filters.q))
    if filters.field:
        query = query.where(json_list_overlaps(session, Opportunity.fields, filters.field))
    if filters.municipality_code:
        query = query.where(col(Opportunity.municipality_code).in_(filters.municipality_code))
    if filters.organization_id:
        query = query.where(col(Opportunity.organization_id).in_(filters.organization_id))
    if filters.event_id:
        query = query.where(Opportunity.event_id == filters.event_id)
    if filters.commitment:
        query = query.where(col(Opportunity.commitment).in_(filters.commitment))
    if filters.status:
        query = query.where(col(Opportunity.status).in_(filters.status))
    if filters.weekend is not None or filters.evening is not None:
        shift_times = select(Shift.id).where(
            Shift.opportunity_id == Opportunity.id, col(Shift.deleted_at).is_(None)
        )
        if filters.weekend is not None:
            weekend = col(Shift.local_weekday) >= 5
            shift_times = shift_times.where(weekend if filters.weekend else ~weekend)
        if filters.evening is not None:
            evening = col(Shift.local_hour) >= EVENING_HOUR
            shift_times = shift_times.where(evening if filters.evening else ~evening)
        query = query.where(sa.exists(shift_times))
    if filters.has_open_shifts is not None:
        open_shift = sa.exists(
            select(Shift.id).where(
                Shift.opportunity_id == Opportunity.id,
                col(Shift.deleted_at).is_(None),
                Shift.starts_at > now,
                Shift.confirmed_count < Shift.capacity,
            )
        )
        query = query.where(open_shift if filters.has_open_shifts else ~open_shift)
    return list(session.exec(query.order_by(col(Opportunity.id)).limit(filters.limit + 1)))


def shifts_of(session: Session, opportunity_ids: Sequence[str]) -> Sequence[Shift]:
    """Live shifts of the opportunities, by start time."""
    if not opportunity_ids:
        return []
    query = select(Shift).where(
        col(Shift.opportunity_id).in_(opportunity_ids), col(Shift.deleted_at).is_(None)
    )
    return list(session.exec(query.order_by(col(Shift.starts_at), col(Shift.id))))


def list_shifts(
    session: Session, opportunity_id: str, after_id: str | None, limit: int
) -> Sequence[Shift]:
    """Live shifts of one opportunity in id order, one more than the limit."""
    query = select(Shift).where(
        Shift.opportunity_id == opportunity_id, col(Shift.deleted_at).is_(None)
    )
    if after_id is not None:
        query = query.where(Shift.id > after_id)
    return list(session.exec(query.order_by(col(Shift.id)).limit(limit + 1)))


def list_signups(
    session: Session, shift_id: str, after_id: str | None, limit: int
) -> Sequence[Signup]:
    """Sign-ups of a shift in id order, one more than the limit."""
    query = select(Signup).where(Signup.shift_id == shift_id)
    if after_id is not None:
        query = query.where(Signup.id > after_id)
    return list(session.exec(query.order_by(col(Signup.id)).limit(limit + 1)))


def active_signup(session: Session, shift_id: str, person_key: str) -> Signup | None:
    """The person's confirmed or waitlisted sign-up for the shift, if any."""
    query = select(Signup).where(
        Signup.shift_id == shift_id, Signup.person_key == person_key, Signup.status != "cancelled"
    )
    return session.exec(query.limit(1)).first()


def next_waitlisted(session: Session, shift_id: str) -> Signup | None:
    """The first person on the shift's waitlist."""
    query = select(Signup).where(Signup.shift_id == shift_id, Signup.status == "waitlisted")
    return session.exec(query.order_by(col(Signup.queue_position)).limit(1)).first()


def waitlist_position(session: Session, signup: Signup) -> int:
    """1 for the next to be promoted."""
    query = select(sa.func.count()).where(
        Signup.shift_id == signup.shift_id,
        Signup.status == "waitlisted",
        Signup.queue_position <= signup.queue_position,
    )
    return int(session.exec(query).one())


def attended_rows(
    session: Session,
    *,
    organization_ids: Collection[str] | None = None,
    person_key: str | None = None,
) -> Sequence[tuple[Signup, Opportunity]]:
    """Attended sign-ups with hours, with their opportunity (for totals and points); only at
    opportunities of ``organization_ids`` when given."""
    query = (
        select(Signup, Opportunity)
        .join(Shift, col(Shift.id) == Signup.shift_id)
        .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
        .where(
            col(Signup.attended).is_(True),
            col(Signup.hours).is_not(None),
            Signup.status == "confirmed",
        )
    )
    if organization_ids is not None:
        query = query.where(col(Opportunity.organization_id).in_(set(organization_ids)))
    if person_key is not None:
        query = query.where(Signup.person_key == person_key)
    return list(session.exec(query))


def points_rules(session: Session, codes: Sequence[str]) -> dict[str, PointsRule]:
    """The points rules of these municipalities."""
    if not codes:
        return {}
    query = select(PointsRule).where(col(PointsRule.municipality_code).in_(set(codes)))
    return {rule.municipality_code: rule for rule in session.exec(query)}


def latest_change(session: Session) -> tuple[int, str]:
    """The newest outbox event (sequence and id): it moves whenever anything changes."""
    query = select(OutboxEvent.seq, OutboxEvent.event_id).order_by(col(OutboxEvent.seq).desc())
    row = session.exec(query.limit(1)).first()
    return (row[0] or 0, row[1]) if row else (0, "")


def person_signups(session: Session, person_key: str) -> Sequence[Signup]:
    """Every sign-up of a person."""
    return list(session.exec(select(Signup).where(Signup.person_key == person_key)))
