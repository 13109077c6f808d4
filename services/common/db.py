"""Database engines and sessions: one database per service, SQLite or PostgreSQL.

The schema always comes from the service's alembic history (see ``migrations/``),
never from ``create_all``. Services commit explicitly in their service layer, so
a request that fails before the commit writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

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
]


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine tuned for the backend: WAL and foreign keys on SQLite, pre-ping on PostgreSQL."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
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
    # Take the write lock when the transaction starts: a read-then-write
    # transaction never fails half-way with "database is locked".
    connection.exec_driver_sql("BEGIN IMMEDIATE")


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


def get_session(request: Request) -> Iterator[Session]:
    """A session on the service's engine for one request."""
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
