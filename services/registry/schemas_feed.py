"""Shapes of the change feed and of CSV import reports."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from services.common.outbox import OutboxEvent
from services.common.pagination import encode_cursor
from services.common.problems import FieldError
from services.common.timefmt import Timestamp

__all__ = ["Change", "ChangePage", "ImportReport"]


class Change(BaseModel):
    """One change: the entity's new state, or none for a deletion (a tombstone)."""

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
            type=row.entity,  # type: ignore[arg-type]
            id=row.entity_id,
            action=row.action,  # type: ignore[arg-type]
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

    rows: int
    created: int
    dry_run: bool
    organization_ids: list[str] = Field(default_factory=list)
    errors: list[FieldError] = Field(default_factory=list)
