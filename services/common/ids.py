"""Resource ids: UUIDv7, so ids sort by creation time and serve as a stable keyset."""

from __future__ import annotations

from uuid6 import uuid7

__all__ = ["ID_PATTERN", "new_id"]

ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def new_id() -> str:
    """A new, time-ordered resource id."""
    return str(uuid7())
