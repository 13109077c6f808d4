"""The events service's read model of organisations, fed by the registry's change feed.

This service never reads the registry's tables: it follows
``GET /v1/registry/changes`` (the feed batch partners use), keeps its position,
and applies each change idempotently (a change seen twice, or an older
version after a newer one, changes nothing). The embedded platform polls the
feed in the background and also catches up on demand, when a request names an
organisation this service has not seen yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.common.db import write_session
from services.common.timefmt import utcnow
from services.events.models import FeedPosition, OrganizationRef

__all__ = ["REGISTRY_FEED", "apply_changes", "known_organizations", "sync_organizations"]

REGISTRY_FEED = "registry"
_CHANGES_PATH = "/v1/registry/changes"
_PAGE = 200


def known_organizations(session: Session, ids: Iterable[str]) -> dict[str, OrganizationRef]:
    """The live organisations among ``ids`` that this service knows."""
    wanted = set(ids)
    if not wanted:
        return {}
    query = select(OrganizationRef).where(
        col(OrganizationRef.id).in_(wanted), col(OrganizationRef.deleted).is_(False)
    )
    return {ref.id: ref for ref in session.exec(query)}


def apply_changes(engine: Engine, items: Sequence[dict[str, Any]], cursor: str) -> int:
    """Apply organisation changes and store the feed position, in one transaction."""
    applied = 0
    with write_session(engine) as session:
        for item in items:
            if item.get("type") == "organization" and _apply(session, item):
                applied += 1
        position = session.get(FeedPosition, REGISTRY_FEED)
        if position is None:
            session.add(FeedPosition(source=REGISTRY_FEED, cursor=cursor, updated_at=utcnow()))
        else:
            position.cursor, position.updated_at = cursor, utcnow()
        session.commit()
    return applied


def _apply(session: Session, item: dict[str, Any]) -> bool:
    ref = session.get(OrganizationRef, item["id"])
    if ref is not None and ref.version >= item["version"]:
        return False  # seen already, or older than what we have
    data = item.get("data") or {}
    if ref is None:
        ref = OrganizationRef(
            id=item["id"], name="", kind="", sector="", municipality_code="", version=0
        )
        session.add(ref)
    ref.version = item["version"]
    ref.deleted = item["action"] == "deleted"
    if not ref.deleted:
        ref.name = data["name"]
        ref.kind = data["kind"]
        ref.sector = data["sector"]
        ref.municipality_code = data["municipality_code"]
    return True


def _position(engine: Engine) -> str | None:
    with Session(engine) as session:
        position = session.get(FeedPosition, REGISTRY_FEED)
        return position.cursor if position else None


async def sync_organizations(engine: Engine, client: httpx.AsyncClient) -> int:
    """Read the registry's feed from where we stopped to its end; return changes applied."""
    import anyio

    applied = 0
    cursor = await anyio.to_thread.run_sync(_position, engine)
    while True:
        params: dict[str, Any] = {"type": "organization", "limit": _PAGE}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(_CHANGES_PATH, params=params)
        response.raise_for_status()
        page = response.json()
        cursor = page["next_cursor"]
        applied += await anyio.to_thread.run_sync(apply_changes, engine, page["items"], cursor)
        if not page["has_more"]:
            return applied
