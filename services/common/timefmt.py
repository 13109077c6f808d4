"""Time as the API speaks it: stored in UTC, written RFC 3339 with the +09:00 offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, AwareDatetime, PlainSerializer

__all__ = ["JST", "Timestamp", "UTCDateTime", "to_api_time", "utcnow"]

JST = timezone(timedelta(hours=9), "JST")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_api_time(value: datetime) -> str:
    """RFC 3339 in Japan time, the offset the platform's users read."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(JST).isoformat(timespec="seconds")


_EARLIEST, _LATEST = 1900, 2200


def _as_utc(value: datetime) -> datetime:
    # Outside these years a time is a typo or an attack, and converting it
    # could overflow (year 1 at +09:00 is before the earliest datetime).
    if not _EARLIEST <= value.year <= _LATEST:
        raise ValueError(f"the year must be between {_EARLIEST} and {_LATEST}")
    return value.astimezone(UTC)


Timestamp = Annotated[
    AwareDatetime,
    AfterValidator(_as_utc),
    PlainSerializer(to_api_time, return_type=str, when_used="json"),
]
"""A datetime that must carry an offset on input and is written in +09:00."""


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; SQLite keeps no offset, so restore it on read."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
