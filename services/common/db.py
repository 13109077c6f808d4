"""Database engines and sessions: one database per service, SQLite or PostgreSQL.

The schema always comes from the service's alembic history (see ``migrations/``),
never from ``create_all``. Services commit explicitly in their service layer, so
a request that fails before the commit writes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlmodel import Session

__all__ = [
    "JSONList",
    "SessionDep",
    "create_db_engine",
    "get_session",
    "is_postgres",
    "json_list_contains",
    "lock_row",
    "write_session",
    "writer",
]


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine tuned for the backend: WAL and foreign keys on SQLite, pre-ping on PostgreSQL."""
    if url.startswith("sqlite"):
        in_memory = url in {"sqlite://", "sqlite:///:memory:"}
        # A file database gets a pool as large as the request threadpool, so
        # concurrent reads do not queue for a connection.
        pool = {} if in_memory else {"pool_size": 20, "max_overflow": 20}
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **pool, **kwargs
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level so SQLAlchemy's "begin" hook decides how
    # transactions start (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: sa.Connection) -> None:
    # A write transaction takes the write lock when it starts, so a
    # read-then-write never fails half-way with "database is locked" (WAL
    # cannot upgrade a stale read snapshot). Reads stay concurrent.
    if connection.get_execution_options().get(_WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


_WRITE_OPTION = "kyodo_write"


def writer(engine: Engine) -> Engine:
    """The engine whose transactions begin as writes (SQLite: ``BEGIN IMMEDIATE``).

    It shares the pool and events of ``engine``; nothing connects until used.
    """
    found = _WRITERS.get(engine)
    if found is None:
        found = _WRITERS[engine] = engine.execution_options(**{_WRITE_OPTION: True})
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
