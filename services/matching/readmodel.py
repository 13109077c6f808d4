"""Matching's read model of the registry: organisations and resources.

Fed by the registry's change feed (see :mod:`services.common.feedreader`);
each change is applied idempotently (an older version after a newer one
changes nothing). Every applied change gets the next ``seq``, so an in-memory
index anywhere can catch up with exactly what changed since it last looked.
``rebuild`` forgets everything and reads the feed again from the start.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, delete, func, select, update

from services.common.db import write_session
from services.common.feedreader import FeedPosition, follow_feed
from services.matching.models import OrganizationDoc, ResourceDoc

__all__ = [
    "REGISTRY_FEED",
    "apply_changes",
    "completeness",
    "follow_registry",
    "forget_registry",
    "latest_seq",
    "sync_registry",
]

REGISTRY_FEED = "registry"
_CHANGES_PATH = "/v1/registry/changes"
# What a complete public profile has: each present field counts equally.
_PROFILE_FIELDS = (
    "name_kana",
    "corporate_number",
    "postal_code",
    "address",
    "latitude",
    "website",
    "email",
    "phone",
    "fields",
    "established_on",
)


def completeness(data: dict[str, Any]) -> float:
    """0..1: how complete an organisation's public profile is (a trust signal)."""
    present = sum(1 for name in _PROFILE_FIELDS if data.get(name))
    described = 1 if len(data.get("description") or "") >= 40 else 0
    return (present + described) / (len(_PROFILE_FIELDS) + 1)


def latest_seq(session: Session) -> int:
    """The newest change applied to the read model (0 when empty)."""
    newest = [
        session.exec(select(func.max(OrganizationDoc.seq))).one() or 0,
        session.exec(select(func.max(ResourceDoc.seq))).one() or 0,
    ]
    return max(newest)


def apply_changes(session: Session, items: Sequence[dict[str, Any]]) -> int:
    """Apply a page of registry changes (idempotent; the caller commits)."""
    seq = latest_seq(session) + 1
    applied = 0
    for item in items:
        if item.get("type") == "organization":
            applied += _apply(session, OrganizationDoc, item, _organization_columns, seq)
        elif item.get("type") == "resource":
            applied += _apply(session, ResourceDoc, item, _resource_columns, seq)
    return applied


def _apply(session: Session, table: Any, item: dict[str, Any], columns: Any, seq: int) -> int:
    row = session.get(table, item["id"])
    if row is not None and row.version >= item["version"]:
        return 0  # seen already, or older than what we have
    if row is None:
        row = (
            table(id=item["id"], organization_id="")
            if table is ResourceDoc
            else table(id=item["id"])
        )
        session.add(row)
    row.version, row.seq = item["version"], seq
    row.deleted = item["action"] == "deleted"
    if not row.deleted:
        for name, value in columns(item.get("data") or {}).items():
            setattr(row, name, value)
    return 1


def _organization_columns(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "kind": data["kind"],
        "sector": data["sector"],
        "municipality_code": data["municipality_code"],
        "latitude": data.get("latitude"),
        "longitude": data.get("longitude"),
        "fields": data.get("fields") or [],
        "description": data.get("description") or "",
        "completeness": completeness(data),
    }


def _resource_columns(data: dict[str, Any]) -> dict[str, Any]:
    availability = data.get("availability") or {}
    return {
        "organization_id": data["organization_id"],
        "type": data["type"],
        "title": data["title"],
        "description": data.get("description") or "",
        "conditions": data.get("conditions") or "",
        "fields": data.get("fields") or [],
        "municipality_codes": data.get("municipality_codes") or [],
        "service_radius_km": data.get("service_radius_km"),
        "available_from": _day(availability.get("starts_on")),
        "available_until": _day(availability.get("ends_on")),
        "status": data.get("status") or "active",
    }


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


async def sync_registry(engine: Engine, client: httpx.AsyncClient) -> int:
    """Read the registry's feed from where we stopped to its end; return changes applied."""
    return await follow_feed(
        engine, client, source=REGISTRY_FEED, path=_CHANGES_PATH, apply=apply_changes
    )


async def follow_registry(app: Any, client: httpx.AsyncClient) -> int:
    """The matching service's :data:`~services.common.feedreader.Follower` (the indexes
    catch up with the read model before each ranking)."""
    return await sync_registry(app.state.engine, client)


def forget_registry(engine: Engine) -> None:
    """Forget the read model and the feed position: the next sync reads the feed from the
    start. Rows are kept as unknown tombstones (version 0, a new ``seq``) rather than
    deleted, so every process's index sees them go and sees them come back."""
    with write_session(engine) as session:
        seq = latest_seq(session) + 1
        for table in (ResourceDoc, OrganizationDoc):
            session.exec(
                update(table).values(deleted=True, version=0, seq=seq)  # type: ignore[call-overload]
            )
        session.exec(
            delete(FeedPosition).where(sa.column("source") == REGISTRY_FEED)  # type: ignore[call-overload]
        )
        session.commit()
