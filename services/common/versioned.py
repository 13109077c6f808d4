"""Versioned rows: every change bumps the version that ETags and events carry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.common.problems import Conflict, ProblemError
from services.common.timefmt import utcnow

__all__ = ["Versioned", "bump", "commit_or_conflict"]


class Versioned(Protocol):
    """A row with a version and an update time."""

    version: int
    updated_at: datetime


def bump(row: Versioned, now: datetime | None = None) -> None:
    """Mark a row changed: next version, new update time."""
    row.version += 1
    row.updated_at = now or utcnow()


def commit_or_conflict(
    session: Session, conflict: Callable[[], ProblemError] | None = None
) -> None:
    """Commit; a constraint violation rolls back and becomes a 409 (or ``conflict()``)."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        if conflict is not None:
            raise conflict() from None
        raise Conflict("The change conflicts with stored data; nothing was written.") from None
