"""SQLite as the embedded platform uses it: WAL, foreign keys, one writer at a time.

A write transaction starts with ``BEGIN IMMEDIATE`` so that a read-then-write
never fails half-way with "database is locked" (WAL cannot upgrade a stale read
snapshot). Writers of this process also queue on a Python lock before that:
SQLite's own busy handler polls with growing sleeps, which collapses under a
burst of concurrent writers, while a lock hands over at once. Reads stay
concurrent.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = ["WRITE_OPTION", "create_sqlite_engine"]

WRITE_OPTION = "kyodo_write"
_GATE_HELD = "kyodo_write_gate"


def create_sqlite_engine(url: str, **kwargs: Any) -> Engine:
    """An engine on a SQLite database, tuned as described above."""
    in_memory = url in {"sqlite://", "sqlite:///:memory:"}
    # A file database gets a pool as large as the request threadpool and more,
    # so concurrent requests do not queue for a connection.
    pool = {} if in_memory else {"pool_size": 20, "max_overflow": 60}
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        hide_parameters=True,  # statement parameters may hold personal data
        **pool,
        **kwargs,
    )
    gate = threading.Lock()

    def begin(connection: sa.Connection) -> None:
        if not connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN")
            return
        gate.acquire()
        connection.info[_GATE_HELD] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            release(connection)
            raise

    def release(connection: Any, *_args: Any) -> None:
        if connection.info.pop(_GATE_HELD, False):
            gate.release()

    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        # A connection returned without commit or rollback must not keep the gate.
        if record.info.pop(_GATE_HELD, False):
            gate.release()

    sa.event.listen(engine, "connect", _pragmas)
    sa.event.listen(engine, "begin", begin)
    sa.event.listen(engine, "commit", release)
    sa.event.listen(engine, "rollback", release)
    sa.event.listen(engine.pool, "checkin", on_checkin)
    return engine


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level so the "begin" hook decides how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
