"""Matching tables. API shapes live in the ``*schemas`` modules.

``organization_doc`` and ``resource_doc`` are a read model of the registry,
fed by its change feed; ``seq`` orders their changes so each process's
in-memory index can catch up with just what changed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from services.common.db import JSONList
from services.common.feedreader import FeedPosition
from services.common.idempotency import IdempotencyRecord
from services.common.outbox import OutboxEvent
from services.common.timefmt import UTCDateTime

__all__ = [
    "MATCHING_TABLES",
    "CaseStudy",
    "FittedWeights",
    "Issue",
    "Match",
    "OrganizationDoc",
    "ResourceDoc",
]


class OrganizationDoc(SQLModel, table=True):
    """Read model: what matching knows of a registry organisation."""

    __tablename__ = "organization_doc"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(default="", max_length=200)
    kind: str = Field(default="", max_length=40)
    sector: str = Field(default="", max_length=20)
    municipality_code: str = Field(default="", max_length=6, index=True)
    latitude: float | None = None
    longitude: float | None = None
    fields: list[str] = Field(default_factory=list, sa_type=JSONList)
    description: str = Field(default="", sa_type=sa.Text)
    completeness: float = 0.0
    version: int = 0
    deleted: bool = False
    seq: int = Field(default=0, index=True)


class ResourceDoc(SQLModel, table=True):
    """Read model: a registry resource (シーズ) as matching ranks it."""

    __tablename__ = "resource_doc"

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = Field(max_length=36, index=True)
    type: str = Field(default="", max_length=32)
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    conditions: str = Field(default="", sa_type=sa.Text)
    fields: list[str] = Field(default_factory=list, sa_type=JSONList)
    municipality_codes: list[str] = Field(default_factory=list, sa_type=JSONList)
    service_radius_km: float | None = None
    available_from: date | None = None
    available_until: date | None = None
    status: str = Field(default="active", max_length=16)
    version: int = 0
    deleted: bool = False
    seq: int = Field(default=0, index=True)


class Issue(SQLModel, table=True):
    """A local issue (地域課題・ニーズ) posted by an organisation."""

    __tablename__ = "issue"

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = Field(max_length=36, index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    fields: list[str] = Field(default_factory=list, sa_type=JSONList)
    needed_resource_types: list[str] = Field(default_factory=list, sa_type=JSONList)
    resource_notes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONList)
    municipality_code: str = Field(max_length=6, index=True)
    latitude: float | None = None
    longitude: float | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    collaboration_forms: list[str] = Field(default_factory=list, sa_type=JSONList)
    origin: str = Field(max_length=24)
    status: str = Field(max_length=16, index=True)
    search_text: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    """When the issue was first opened (posted publicly); drafts have none."""
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class Match(SQLModel, table=True):
    """A collaboration between an issue and a partner, through the lifecycle (協働の流れ)."""

    __tablename__ = "match"
    __table_args__ = (
        # One live match per issue and partner organisation, whichever way it was asked
        # (through a resource or directly): the database backs the duplicate check.
        sa.Index(
            "uq_match_live_partner",
            "issue_id",
            "organization_id",
            unique=True,
            sqlite_where=sa.text("status NOT IN ('declined', 'withdrawn')"),
            postgresql_where=sa.text("status NOT IN ('declined', 'withdrawn')"),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    issue_id: str = Field(foreign_key="issue.id", max_length=36, index=True)
    issue_organization_id: str = Field(max_length=36, index=True)
    resource_id: str | None = Field(default=None, max_length=36, index=True)
    organization_id: str = Field(max_length=36, index=True)
    """The partner: the resource's organisation, or an organisation asked directly."""
    status: str = Field(max_length=16, index=True)
    proposed_by: str = Field(default="admin", max_length=8)
    """The side that proposed the match: ``issue``, ``partner``, or ``admin``."""
    reason: str | None = Field(default=None, max_length=1000)
    message: str = Field(default="", sa_type=sa.Text)
    score: float | None = None
    factor_values: dict[str, Any] | None = Field(default=None, sa_type=JSONList)
    """The candidate's factor values when the match was proposed: feedback for learning."""
    agreement: dict[str, Any] | None = Field(default=None, sa_type=JSONList)
    """What both sides agreed; set when the match becomes ``agreed``."""
    pending_agreement: dict[str, Any] | None = Field(default=None, sa_type=JSONList)
    """An agreement one side proposed, awaiting the other side's confirmation."""
    agreement_pending_from: str | None = Field(default=None, max_length=8)
    """The side whose confirmation ``pending_agreement`` awaits."""
    progress_notes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONList)
    reviews: dict[str, Any] = Field(default_factory=dict, sa_type=JSONList)
    history: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONList)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    agreed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class CaseStudy(SQLModel, table=True):
    """A collaboration (協働事例) from a reviewed match: a ``draft`` until both sides
    consent, then ``published``."""

    __tablename__ = "case_study"

    id: str = Field(primary_key=True, max_length=36)
    match_id: str = Field(foreign_key="match.id", max_length=36, unique=True)
    issue_id: str = Field(max_length=36, index=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", sa_type=sa.Text)
    outcomes: str = Field(default="", sa_type=sa.Text)
    lessons: str = Field(default="", sa_type=sa.Text)
    fields: list[str] = Field(default_factory=list, sa_type=JSONList)
    collaboration_form: str = Field(max_length=24, index=True)
    sectors: list[str] = Field(default_factory=list, sa_type=JSONList)
    organization_ids: list[str] = Field(default_factory=list, sa_type=JSONList)
    municipality_code: str = Field(max_length=6, index=True)
    search_text: str = Field(default="", sa_type=sa.Text)
    status: str = Field(default="published", max_length=16, index=True)
    consents: list[str] = Field(default_factory=list, sa_type=JSONList)
    """The sides that consented to publishing this text (both, once published)."""
    lessons_from_reviews: bool = False
    """Whether ``lessons`` was left to default to the consenting sides' review lessons."""
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class FittedWeights(SQLModel, table=True):
    """Factor weights fitted to outcomes; the newest applied row overrides configuration."""

    __tablename__ = "fitted_weights"

    id: int | None = Field(default=None, primary_key=True)
    weights: dict[str, Any] = Field(sa_type=JSONList)
    before: float
    after: float
    train_size: int
    holdout_size: int
    applied: bool
    fitted_at: datetime = Field(sa_type=UTCDateTime)


MATCHING_TABLES = {
    OrganizationDoc.__tablename__,
    ResourceDoc.__tablename__,
    FeedPosition.__tablename__,
    Issue.__tablename__,
    Match.__tablename__,
    CaseStudy.__tablename__,
    FittedWeights.__tablename__,
    OutboxEvent.__tablename__,
    IdempotencyRecord.__tablename__,
}
