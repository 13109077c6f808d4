"""The transactional outbox: every state change and its event in one transaction.

Service code calls :func:`record` in the same session as the change, before the
commit, so an event exists exactly when its change does. A relay later hands
the rows, in order, to a bus (:class:`Bus`); the rows stay as the service's
change log, which also serves the change feed that batch partners and other
services rebuild from.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from services.common.db import JSONList, is_postgres, write_session
from services.common.requestid import current_request_id
from services.common.timefmt import UTCDateTime, utcnow

__all__ = ["Bus", "EventEnvelope", "OutboxEvent", "OutboxRelay", "record"]

# Sequence numbers follow commit order because every write transaction takes
# the database's write lock first (see services.common.db): a change-feed reader
# never sees seq 11 committed while seq 10 is still in flight.


class OutboxEvent(SQLModel, table=True):
    """One recorded change, waiting for (or past) publication."""

    __tablename__ = "outbox"
    __table_args__ = ({"sqlite_autoincrement": True},)

    seq: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=36, unique=True)
    type: str = Field(max_length=64)
    entity: str = Field(max_length=32, index=True)
    entity_id: str = Field(max_length=36, index=True)
    entity_version: int
    action: str = Field(max_length=16)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    payload: dict[str, Any] | None = Field(default=None, sa_type=JSONList)
    request_id: str | None = Field(default=None, max_length=128)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


def record(
    session: Session,
    *,
    entity: str,
    action: str,
    entity_id: str,
    version: int,
    payload: dict[str, Any] | None,
) -> OutboxEvent:
    """Add the event ``<entity>.<action>`` to the session's transaction.

    The session must be a write session (:func:`services.common.db.writer`).
    """
    event = OutboxEvent(
        event_id=str(uuid.uuid4()),
        type=f"{entity}.{action}",
        entity=entity,
        entity_id=entity_id,
        entity_version=version,
        action=action,
        occurred_at=utcnow(),
        payload=payload,
        request_id=current_request_id(),
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class EventEnvelope:
    """What a bus carries: id, type, time, the entity's id and version, its new state."""

    id: str
    type: str
    occurred_at: datetime
    entity: str
    entity_id: str
    version: int
    data: dict[str, Any] | None
    seq: int

    @classmethod
    def of(cls, row: OutboxEvent) -> EventEnvelope:
        assert row.seq is not None
        return cls(
            id=row.event_id,
            type=row.type,
            occurred_at=row.occurred_at,
            entity=row.entity,
            entity_id=row.entity_id,
            version=row.entity_version,
            data=row.payload,
            seq=row.seq,
        )


class Bus(Protocol):
    """Where the relay publishes; consumers must be idempotent (at-least-once)."""

    def publish(self, events: Sequence[EventEnvelope]) -> None:
        """Publish the events in order; raise if any could not be published."""


class OutboxRelay:
    """Moves unpublished outbox rows to a bus, oldest first, marking them published.

    A failed publish leaves the batch unpublished, so it is retried (in order)
    on the next call: nothing committed is lost while the bus is down.
    """

    def __init__(self, engine: Engine, bus: Bus, *, batch_size: int = 100) -> None:
        self.engine = engine
        self.bus = bus
        self.batch_size = batch_size

    def pending(self) -> int:
        """How many committed events wait for publication."""
        with Session(self.engine) as session:
            query = select(sa.func.count()).where(col(OutboxEvent.published_at).is_(None))
            return int(session.exec(query).one())

    def relay_once(self) -> int:
        """Publish one batch; return how many events were published."""
        with write_session(self.engine) as session:
            query = (
                select(OutboxEvent)
                .where(col(OutboxEvent.published_at).is_(None))
                .order_by(col(OutboxEvent.seq))
                .limit(self.batch_size)
            )
            if is_postgres(session):
                query = query.with_for_update(skip_locked=True)
            rows = list(session.exec(query))
            if not rows:
                return 0
            self.bus.publish([EventEnvelope.of(row) for row in rows])
            now = utcnow()
            for row in rows:
                row.published_at = now
            session.commit()
            return len(rows)
