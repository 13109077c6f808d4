"""Events tables. API shapes live in :mod:`services.events.schemas`.

Times are stored in UTC. Nested objects (venue, contact, recurrence) are JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from services.common.db import JSONList
from services.common.feedreader import FeedPosition
from services.common.idempotency import IdempotencyRecord
from services.common.outbox import OutboxEvent
from services.common.timefmt import UTCDateTime

__all__ = [
    "EVENTS_TABLES",
    "Event",
    "FeedPosition",
    "Opportunity",
    "OrganizationRef",
    "PointsRule",
    "Shift",
    "Signup",
]


class OrganizationRef(SQLModel, table=True):
    """Read model: what this service knows of a registry organisation."""

    __tablename__ = "organization_ref"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    sector: str = Field(max_length=20)
    municipality_code: str = Field(max_length=6)
    version: int
    deleted: bool = False


class Event(SQLModel, table=True):
    """An event (イベント): a one-off or a recurring series."""

    __tablename__ = "event"

    id: str = Field(primary_key=True, max_length=36)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    kind: str = Field(max_length=32, index=True)
    organizer_ids: list[str] = Field(default_factory=list, sa_type=JSONList)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    all_day: bool = False
    timezone: str = Field(default="Asia/Tokyo", max_length=64)
    recurrence: dict[str, Any] | None = Field(default=None, sa_type=JSONList)
    series_ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    venue: dict[str, Any] | None = Field(default=None, sa_type=JSONList)
    online_url: str | None = Field(default=None, max_length=2048)
    municipality_code: str = Field(max_length=6, index=True)
    fields: list[str] = Field(default_factory=list, sa_type=JSONList)
    target_audience: str = Field(default="", max_length=500)
    fee_jpy: int | None = None
    fee_note: str = Field(default="", max_length=500)
    capacity: int | None = None
    places_taken: int = 0
    registration_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accessibility_notes: str = Field(default="", sa_type=sa.Text)
    contact: dict[str, Any] | None = Field(default=None, sa_type=JSONList)
    status: str = Field(max_length=16, index=True)
    search_text: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class Opportunity(SQLModel, table=True):
    """A volunteer opportunity (ボランティア募集) with shifts."""

    __tablename__ = "opportunity"

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = Field(max_length=36, index=True)
    event_id: str | None = Field(default=None, foreign_key="event.id", max_length=36, index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    skills_wanted: list[str] = Field(default_factory=list, sa_type=JSONList)
    fields: list[str] = Field(default_factory=list, sa_type=JSONList)
    municipality_code: str = Field(max_length=6, index=True)
    commitment: str = Field(max_length=16)
    minimum_age: int | None = None
    what_to_bring: str = Field(default="", max_length=1000)
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(max_length=16, index=True)
    search_text: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class Shift(SQLModel, table=True):
    """A shift of an opportunity: a time slot with a capacity."""

    __tablename__ = "shift"

    id: str = Field(primary_key=True, max_length=36)
    opportunity_id: str = Field(foreign_key="opportunity.id", max_length=36, index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    capacity: int
    signup_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_count: int = 0
    waitlist_count: int = 0
    signup_seq: int = 0
    note: str = Field(default="", max_length=500)
    # Japan-time weekday (0 = Monday) and hour of the start, for weekend/evening filters.
    local_weekday: int = 0
    local_hour: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class Signup(SQLModel, table=True):
    """A person's sign-up for a shift (personal data)."""

    __tablename__ = "signup"
    __table_args__ = (
        sa.Index(
            "uq_signup_active_person",
            "shift_id",
            "person_key",
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    shift_id: str = Field(foreign_key="shift.id", max_length=36, index=True)
    name: str = Field(max_length=100)
    name_kana: str | None = Field(default=None, max_length=100)
    email: str = Field(max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    person_key: str = Field(max_length=64, index=True)
    status: str = Field(max_length=16, index=True)
    queue_position: int = Field(index=True)
    attended: bool | None = None
    hours: float | None = None
    token_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    version: int = 1


class PointsRule(SQLModel, table=True):
    """A municipality's volunteer points rule (e.g. one point per hour)."""

    __tablename__ = "points_rule"

    municipality_code: str = Field(primary_key=True, max_length=6)
    points_per_hour: float
    minimum_hours: float = 0
    max_points_per_signup: float | None = None
    updated_at: datetime = Field(sa_type=UTCDateTime)
    version: int = 1


EVENTS_TABLES = {
    OrganizationRef.__tablename__,
    FeedPosition.__tablename__,
    Event.__tablename__,
    Opportunity.__tablename__,
    Shift.__tablename__,
    Signup.__tablename__,
    PointsRule.__tablename__,
    OutboxEvent.__tablename__,
    IdempotencyRecord.__tablename__,
}
