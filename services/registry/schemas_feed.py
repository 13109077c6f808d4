"""Shapes of the change feed and of CSV import reports."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.outbox import OutboxEvent
from services.common.pagination import encode_cursor
from services.common.problems import FieldError
from services.common.timefmt import Timestamp

__all__ = ["Change", "ChangePage", "ImportReport"]


class Change(BaseModel):
    """One change: the entity's new state, or none for a deletion (a tombstone)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cursor": "eyJzZXEiOjQyLCJ2IjoxfQ",
                    "type": "resource",
                    "id": "019a2b3c-5d6e-7f70-8a1b-2c3d4e5f6a7c",
                    "action": "deleted",
                    "version": 3,
                    "occurred_at": "2026-11-25T11:00:00+09:00",
                    "event_id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
                    "data": None,
                }
            ]
        }
    )

    cursor: str = Field(description="Resume after this change by passing it as `cursor`.")
    type: Literal["organization", "resource"]
    id: str
    action: Literal["created", "updated", "deleted"]
    version: int
    occurred_at: Timestamp
    event_id: str
    data: dict[str, Any] | None = Field(
        description="The state after the change (as the public read shows it); null when deleted."
    )

    @classmethod
    def of(cls, row: OutboxEvent) -> Change:
        return cls(
            cursor=encode_cursor({"seq": row.seq}),
            type=row.entity,
            id=row.entity_id,
            action=row.action,
            version=row.entity_version,
            occurred_at=row.occurred_at,
            event_id=row.event_id,
            data=row.payload,
        )


class ChangePage(BaseModel):
    """A page of the change feed."""

    items: list[Change]
    next_cursor: str | None = Field(
        description="Where to continue; present even on the last page, for polling."
    )
    has_more: bool = Field(description="Whether more changes are available right now.")


class ImportReport(BaseModel):
    """What a CSV import did (or, with `dry_run`, would do)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rows": 2,
                    "created": 2,
                    "dry_run": False,
                    "organization_ids": [
                        "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b",
                        "019a2b3c-4d5f-7f60-8a1b-2c3d4e5f6a7d",
                    ],
                    "errors": [],
                }
            ]
        }
    )

    rows: int
    created: int
    dry_run: bool
    organization_ids: list[str] = Field(default_factory=list)
    errors: list[FieldError] = Field(default_factory=list)
