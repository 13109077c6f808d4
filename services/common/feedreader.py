"""Following another service's change feed (read models of its data).

A service never reads another's tables: it pages through the other's
``/changes`` feed (the one batch partners use) from the position it stored,
applies each page idempotently and stores the new position in the same
transaction, so a crash never loses or double-applies a page. A background
task polls; requests may also catch up on demand.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from functools import partial
from typing import Any

import anyio
import httpx
import structlog
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel

from services.common.db import write_session
from services.common.timefmt import UTCDateTime, utcnow

__all__ = [
    "FeedPosition",
    "Follower",
    "catch_up",
    "follow_feed",
    "install_registry_follower",
    "read_position",
    "with_background",
    "with_background_follower",
]

log = structlog.get_logger(__name__)

ApplyPage = Callable[[Session, Sequence[dict[str, Any]]], int]
"""Apply one page of changes in the given session (no commit); return how many applied."""

Follower = Callable[[FastAPI, httpx.AsyncClient], Awaitable[int]]
"""Catch up with a feed for this app using the given client; return changes applied."""

_PAGE = 200


class FeedPosition(SQLModel, table=True):
    """How far this service has read another service's change feed."""

    __tablename__ = "feed_position"

    source: str = Field(primary_key=True, max_length=32)
    cursor: str = Field(max_length=512)
    updated_at: datetime = Field(sa_type=UTCDateTime)


def read_position(engine: Engine, source: str) -> str | None:
    with Session(engine) as session:
        position = session.get(FeedPosition, source)
        return position.cursor if position else None


def _apply_page(
    engine: Engine, source: str, apply: ApplyPage, items: Sequence[dict[str, Any]], cursor: str
) -> int:
    with write_session(engine) as session:
        applied = apply(session, items)
        position = session.get(FeedPosition, source)
        if position is None:
            session.add(FeedPosition(source=source, cursor=cursor, updated_at=utcnow()))
        else:
            position.cursor, position.updated_at = cursor, utcnow()
        session.commit()
    return applied


async def follow_feed(
    engine: Engine,
    client: httpx.AsyncClient,
    *,
    source: str,
    path: str,
    apply: ApplyPage,
    params: dict[str, Any] | None = None,
) -> int:
    """Read a change feed from the stored position to its end; return changes applied."""
    applied = 0
    cursor = await anyio.to_thread.run_sync(read_position, engine, source)
    while True:
        query: dict[str, Any] = {**(params or {}), "limit": _PAGE}
        if cursor:
            query["cursor"] = cursor
        response = await client.get(path, params=query)
        response.raise_for_status()
        page = response.json()
        cursor = page["next_cursor"]
        applied += await anyio.to_thread.run_sync(
            _apply_page, engine, source, apply, page["items"], cursor
        )
        if not page["has_more"]:
            return applied


def install_registry_follower(
    app: FastAPI, follow: Follower, *, registry_url: str, transport: Any, interval: float
) -> None:
    """Give ``app`` a client of the registry (in-process when ``transport`` is given) and a
    background task that follows its feed every ``interval`` seconds (never when 0)."""
    base_url = "http://registry" if transport is not None else registry_url
    app.state.registry_client = partial(
        httpx.AsyncClient, base_url=base_url, transport=transport, timeout=10
    )
    app.state.sync_interval = interval
    app.router.lifespan_context = with_background_follower(app.router.lifespan_context, follow)


def with_background_follower(inner: Any, follow: Follower) -> Any:
    """Wrap a lifespan so that, while the app runs, ``follow`` polls the registry every
    ``app.state.sync_interval`` seconds (never when 0) with ``app.state.registry_client()``."""

    async def poll_if_asked(app: FastAPI) -> None:
        if app.state.sync_interval > 0:
            await _poll(app, follow)

    return with_background(inner, poll_if_asked)


def with_background(inner: Any, job: Callable[[FastAPI], Coroutine[Any, Any, None]]) -> Any:
    """Wrap a lifespan so that ``job(app)`` runs in the background while the app runs,
    and is cancelled when it stops."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app), anyio.create_task_group() as tasks:
            tasks.start_soon(job, app)
            yield
            tasks.cancel_scope.cancel()

    return lifespan


async def _poll(app: FastAPI, follow: Follower) -> None:
    async with app.state.registry_client() as client:
        while True:
            try:
                await follow(app, client)
            except Exception as exc:  # the registry may be down or not migrated yet: retry
                log.warning("registry_feed_unavailable", error=type(exc).__name__)
            await anyio.sleep(app.state.sync_interval)


async def catch_up(app: FastAPI, follow: Follower) -> None:
    """Follow the registry's feed to its end now; when it is unreachable, go on with what
    we know (reading the feed from our position is one small request when nothing changed)."""
    make_client = getattr(app.state, "registry_client", None)
    if make_client is None:
        return
    try:
        async with make_client() as client:
            await follow(app, client)
    except httpx.HTTPError:
        return
