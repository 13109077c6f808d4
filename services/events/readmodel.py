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

from services.common.feedreader import follow_feed
from services.events.models import OrganizationRef

__all__ = [
    "REGISTRY_FEED",
    "apply_changes",
    "follow_registry",
    "known_organizations",
    "sync_organizations",
]

REGISTRY_FEED = "registry"
_CHANGES_PATH = "/v1/registry/changes"


def known_organizations(session: Session, ids: Iterable[str]) -> dict[str, OrganizationRef]:
    """The live organisations among ``ids`` that this service knows."""
    wanted = set(ids)
    if not wanted:
        return {}
    query = select(OrganizationRef).where(
        col(OrganizationRef.id).in_(wanted), col(OrganizationRef.deleted).is_(False)
    )
    return {ref.id: ref for ref in session.exec(query)}


def apply_changes(session: Session, items: Sequence[dict[str, Any]]) -> int:
    """Apply a page of organisation changes (idempotent; the caller commits)."""
    return sum(1 for item in items if item.get("type") == "organization" and _apply(session, item))


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


async def sync_organizations(engine: Engine, client: httpx.AsyncClient) -> int:
    """Read the registry's feed from where we stopped to its end; return changes applied."""
    return await follow_feed(
        engine,
        client,
        source=REGISTRY_FEED,
        path=_CHANGES_PATH,
        apply=apply_changes,
        params={"type": "organization"},
    )


async def follow_registry(app: Any, client: httpx.AsyncClient) -> int:
    """The events service's :data:`~services.common.feedreader.Follower`."""
    return await sync_organizations(app.state.engine, client)
