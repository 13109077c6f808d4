"""Database engines and sessions: one database per service, SQLite or PostgreSQL.

The schema always comes from the service's alembic history (see ``migrations/``),
never from ``create_all``. Services commit explicitly in their service layer, so
a request that fails before the commit writes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.common.problems import Gone
from services.common.sqlite import WRITE_OPTION, create_sqlite_engine

__all__ = [
    "JSONList",
    "SessionDep",
    "create_db_engine",
    "get_session",
    "is_postgres",
    "json_list_contains",
    "json_list_overlaps",
    "lock_live",
    "lock_row",
    "write_session",
    "writer",
]


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine tuned for the backend (see :mod:`services.common.sqlite`); on PostgreSQL,
    pre-ping and the write lock below."""
    if url.startswith("sqlite"):
        return create_sqlite_engine(url, **kwargs)
    engine = sa.create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True, **kwargs
    )
    sa.event.listen(engine, "begin", _postgres_begin_write)
    return engine


# Every write transaction on PostgreSQL takes this transaction-scoped lock first,
# before any row lock: outbox sequence numbers are then handed out in commit
# order (a change-feed reader never skips a change still in flight), and no two
# writers can deadlock on lock order. The cost: one writer at a time per database.
_WRITE_LOCK_KEY = 0x6B796F646F  # "kyodo"


def _postgres_begin_write(connection: sa.Connection) -> None:
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITE_LOCK_KEY})


def writer(engine: Engine) -> Engine:
    """The engine whose transactions begin as writes (SQLite: ``BEGIN IMMEDIATE``).

    It shares the pool and events of ``engine``; nothing connects until used.
    """
    found = _WRITERS.get(engine)
    if found is None:
        found = _WRITERS[engine] = engine.execution_options(**{WRITE_OPTION: True})
    return found


_WRITERS: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


def write_session(engine: Engine) -> Session:
    """A session whose transaction is a write from the start."""
    return Session(writer(engine), expire_on_commit=False)


def lock_row(session: Session, row: Any) -> None:
    """Re-read ``row`` under a row lock on PostgreSQL, so a version check cannot race.

    On SQLite a write transaction already holds the database's write lock.
    """
    if is_postgres(session):
        session.refresh(row, with_for_update=True)


def lock_live(session: Session, row: Any, what: str) -> None:
    """Lock ``row`` and make sure nobody deleted it meanwhile (410 if so)."""
    lock_row(session, row)
    if getattr(row, "deleted_at", None) is not None:
        raise Gone(f"{what} {row.id} was deleted.")


def is_postgres(session: Session) -> bool:
    """Whether the session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


JSONList = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
"""A JSON column (Python None is SQL NULL); JSONB on PostgreSQL so containment can be queried."""


def json_list_contains(session: Session, column: Any, value: str) -> sa.ColumnElement[bool]:
    """SQL: the JSON array in ``column`` contains the string ``value``."""
    if is_postgres(session):
        return column.op("@>")(sa.func.jsonb_build_array(sa.cast(str(value), sa.Text)))
    each = sa.func.json_each(column).table_valued("value").alias("elem")
    return sa.exists(sa.select(1).select_from(each).where(each.c.value == value))


_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session on the service's engine for one request; writes begin as writes.

    Async so that FastAPI does not spend a thread hop on it: creating a session
    does no I/O (the connection is taken when the endpoint first queries).
    """
    engine: Engine = request.app.state.engine
    bind = engine if request.method in _READ_METHODS else writer(engine)
    with Session(bind, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def json_list_overlaps(
    session: Session, column: Any, values: Sequence[str]
) -> sa.ColumnElement[bool]:
    """SQL: the JSON array in ``column`` contains any of ``values`` (a filter's "any of")."""
    return sa.or_(*(json_list_contains(session, column, value) for value in values))
