"""API clients and their keys: tables and API shapes, one family per resource."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlmodel import Field as Column
from sqlmodel import SQLModel

from services.common.db import JSONList
from services.common.fieldtypes import Id, unique_items
from services.common.idempotency import IdempotencyRecord
from services.common.textfields import single_line
from services.common.timefmt import Timestamp, UTCDateTime

__all__ = [
    "GATEWAY_TABLES",
    "ApiClient",
    "ApiKey",
    "Caller",
    "ClientCreate",
    "ClientCreated",
    "ClientPublic",
    "ClientUpdate",
    "KeyCreated",
    "KeyPublic",
    "KeyRotation",
    "Scope",
]

Scope = Literal[
    "public:read",
    "registry:write",
    "events:write",
    "matching:write",
    "webhooks:manage",
    "metrics:read",
    "admin",
]
Scopes = Annotated[list[Scope], Field(min_length=1, max_length=16), AfterValidator(unique_items)]
OrganizationIds = Annotated[list[Id], Field(max_length=100), AfterValidator(unique_items)]
RateLimit = Annotated[int, Field(ge=1, le=1_000_000)]
STRICT = ConfigDict(extra="forbid")


class ApiClient(SQLModel, table=True):
    """A program that calls the platform, bound to organisations, with scopes."""

    __tablename__ = "api_client"

    id: str = Column(primary_key=True, max_length=36)
    name: str = Column(max_length=200)
    scopes: list[str] = Column(default_factory=list, sa_type=JSONList)
    organization_ids: list[str] = Column(default_factory=list, sa_type=JSONList)
    rate_limit_per_minute: int
    version: int = 1
    created_at: datetime = Column(sa_type=UTCDateTime)
    updated_at: datetime = Column(sa_type=UTCDateTime)
    revoked_at: datetime | None = Column(default=None, sa_type=UTCDateTime)


class ApiKey(SQLModel, table=True):
    """One key of a client: only its visible prefix and a SHA-256 digest are kept."""

    __tablename__ = "api_key"

    id: str = Column(primary_key=True, max_length=36)
    client_id: str = Column(foreign_key="api_client.id", index=True, max_length=36)
    prefix: str = Column(max_length=32, sa_column_kwargs={"unique": True})
    digest: str = Column(max_length=64)
    created_at: datetime = Column(sa_type=UTCDateTime)
    expires_at: datetime | None = Column(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Column(default=None, sa_type=UTCDateTime)


GATEWAY_TABLES = {ApiClient.__tablename__, ApiKey.__tablename__, IdempotencyRecord.__tablename__}

_CLIENT_EXAMPLE: dict[str, Any] = {
    "name": "桜ヶ丘市ボランティアセンター アプリ",
    "organization_ids": ["0193a5c2-7d1e-7c3a-9f00-4b1d2e3f4a5b"],
    "scopes": ["events:write", "matching:write"],
    "rate_limit_per_minute": 600,
}


class ClientCreate(BaseModel):
    """A new API client; its first key is in the answer, shown this once."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CLIENT_EXAMPLE]})

    name: single_line(200)  # type: ignore[valid-type]
    organization_ids: OrganizationIds = Field(
        default_factory=list,
        description="The organisations the client acts for (their records it may change).",
    )
    scopes: Scopes = Field(description="What the client may do (see the security scheme).")
    rate_limit_per_minute: RateLimit | None = Field(
        None, description="Requests per minute; the platform's default when omitted."
    )


class ClientUpdate(BaseModel):
    """Changes to a client (only the fields given); keys stay valid."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"scopes": ["events:write"]}]}
    )

    name: single_line(200) | None = None  # type: ignore[valid-type]
    organization_ids: OrganizationIds | None = None
    scopes: Scopes | None = None
    rate_limit_per_minute: RateLimit | None = None


class KeyPublic(BaseModel):
    """A key as stored: its prefix and lifetime, never the key."""

    id: str
    prefix: str = Field(description="The key's first characters, to recognise it in a list.")
    created_at: Timestamp
    expires_at: Timestamp | None = Field(
        None, description="When a rotated-out key stops working (its grace period ends)."
    )
    revoked_at: Timestamp | None = None
    active: bool


class ClientPublic(BaseModel):
    """An API client."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_CLIENT_EXAMPLE,
                    "id": "0193a5c2-8000-7c3a-9f00-4b1d2e3f4a5b",
                    "version": 1,
                    "created_at": "2026-11-25T10:00:00+09:00",
                    "updated_at": "2026-11-25T10:00:00+09:00",
                    "revoked_at": None,
                    "keys": [],
                }
            ]
        }
    )

    id: str
    name: str
    organization_ids: list[str]
    scopes: list[str]
    rate_limit_per_minute: int
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    revoked_at: Timestamp | None = None
    keys: list[KeyPublic] = Field(default_factory=list, description="Keys, newest first.")


class KeyCreated(KeyPublic):
    """A new key: the only answer that ever contains it."""

    key: str = Field(description="Send as `Authorization: Bearer <key>`. Shown once.")


class ClientCreated(ClientPublic):
    """A new client with its first key (shown once)."""

    key: str = Field(description="Send as `Authorization: Bearer <key>`. Shown once.")
    key_prefix: str


class KeyRotation(BaseModel):
    """A new key for a client; the current keys stop working after a grace period."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"grace_period_seconds": 86400}]}
    )

    grace_period_seconds: int = Field(
        0,
        ge=0,
        le=30 * 86400,
        description="How long the client's current keys keep working (0: revoked at once).",
    )


class Caller(BaseModel):
    """Who the gateway authenticated for this request (``GET /v1/me``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client_id": "0193a5c2-8000-7c3a-9f00-4b1d2e3f4a5b",
                    "name": "桜ヶ丘市ボランティアセンター アプリ",
                    "scopes": ["events:write"],
                    "organization_ids": ["0193a5c2-7d1e-7c3a-9f00-4b1d2e3f4a5b"],
                    "rate_limit_per_minute": 600,
                    "key_prefix": "kyodo_3fj29dk1",
                }
            ]
        }
    )

    client_id: str
    name: str
    scopes: list[str]
    organization_ids: list[str]
    rate_limit_per_minute: int
    key_prefix: str | None = None
