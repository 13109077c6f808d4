"""Registry tables. API shapes live in :mod:`services.registry.schemas`.

Departure from one-SQLModel-family-per-resource (STYLE.md), on purpose: the
API nests objects (certification, availability, funding) that are stored as
JSON, and keeping the storage rows apart from the published schemas keeps both
simple. List-valued columns are JSON (JSONB on PostgreSQL) and are filtered
with :func:`services.common.db.json_list_contains`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from services.common.db import JSONList
from services.common.idempotency import IdempotencyRecord
from services.common.outbox import OutboxEvent
from services.common.timefmt import UTCDateTime

__all__ = ["REGISTRY_TABLES", "Organization", "Resource"]


class Organization(SQLModel, table=True):
    """An organisation (団体) of any kind; soft-deleted rows stay as tombstones."""

    __tablename__ = "organization"
    __table_args__ = (
        sa.Index(
            "uq_organization_corporate_number_live",
            "corporate_number",
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    name_kana: str | None = Field(default=None, max_length=200)
    kind: str = Field(max_length=40, index=True)
    sector: str = Field(max_length=20, index=True)
    corporate_number: str | None = Field(default=None, max_length=13)
    certification: dict[str, Any] | None = Field(default=None, sa_type=JSONList)
    municipality_code: str = Field(max_length=6, index=True)
    postal_code: str | None = Field(default=None, max_length=8)
    address: str | None = Field(default=None, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    website: str | None = Field(default=None, max_length=2048)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    fields: list[str] = Field(default_factory=list, sa_type=JSONList)
    description: str = Field(default="", sa_type=sa.Text)
    established_on: date | None = None
    contacts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONList)
    search_text: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class Resource(SQLModel, table=True):
    """A resource (シーズ) an organisation offers."""

    __tablename__ = "resource"

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = Field(foreign_key="organization.id", max_length=36, index=True)
    type: str = Field(max_length=32, index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    fields: list[str] = Field(default_factory=list, sa_type=JSONList)
    municipality_codes: list[str] = Field(default_factory=list, sa_type=JSONList)
    service_radius_km: float | None = None
    availability: dict[str, Any] | None = Field(default=None, sa_type=JSONList)
    funding: dict[str, Any] | None = Field(default=None, sa_type=JSONList)
    application_deadline: date | None = Field(default=None, index=True)
    conditions: str = Field(default="", sa_type=sa.Text)
    status: str = Field(max_length=16, index=True)
    search_text: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


REGISTRY_TABLES = {
    Organization.__tablename__,
    Resource.__tablename__,
    OutboxEvent.__tablename__,
    IdempotencyRecord.__tablename__,
}
