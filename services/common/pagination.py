"""Cursor pagination: opaque cursors, a stable order, ``next_cursor`` and a ``Link`` header.

A cursor is the keyset position after the last item returned, as compact JSON
in URL-safe base64. Clients must treat it as opaque; anything that does not
decode to the expected shape is a 400 problem, never a server error.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict, Field

from services.common.ids import ID_PATTERN
from services.common.problems import ProblemError

__all__ = [
    "MAX_FILTER_VALUES",
    "PAGE_SIZE_MAX",
    "InvalidCursor",
    "ListQuery",
    "Page",
    "after_id",
    "decode_cursor",
    "encode_cursor",
    "id_page",
    "set_link_header",
    "split_page",
]

T = TypeVar("T")
_CURSOR_VERSION = 1
_MAX_CURSOR_LENGTH = 512


class InvalidCursor(ProblemError):
    """A cursor this API did not issue, or issued for another listing."""

    status, slug, title = 400, "invalid-cursor", "Invalid cursor"


def encode_cursor(position: dict[str, Any]) -> str:
    """Encode a keyset position as an opaque, URL-safe token."""
    raw = json.dumps({"v": _CURSOR_VERSION, **position}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str, expected: dict[str, type]) -> dict[str, Any]:
    """Decode a token made by :func:`encode_cursor`; its keys must have the expected types."""
    if not token or len(token) > _MAX_CURSOR_LENGTH:
        raise InvalidCursor("The cursor is empty or too long.")
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidCursor("The cursor is not one this API issued.") from None
    if not isinstance(data, dict) or data.get("v") != _CURSOR_VERSION:
        raise InvalidCursor("The cursor is not one this API issued.")
    position = {k: v for k, v in data.items() if k != "v"}
    if set(position) != set(expected) or not all(
        type(position[key]) is kind for key, kind in expected.items()
    ):
        raise InvalidCursor("The cursor does not belong to this listing.")
    if not all(_plausible(value) for value in position.values()):
        raise InvalidCursor("The cursor is not one this API issued.")
    return position


_MAX_POSITION = 2**63 - 1


def _plausible(value: Any) -> bool:
    """Positions are database keys: 64-bit non-negative integers or short printable ids."""
    if isinstance(value, int):
        return 0 <= value <= _MAX_POSITION
    return (
        isinstance(value, str)
        and len(value) <= 256
        and value.isprintable()
        and not any("\ud800" <= ch <= "\udfff" for ch in value)
    )


class Page(BaseModel, Generic[T]):
    """One page of a list: the items and the cursor of the next page (null at the end)."""

    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


MAX_FILTER_VALUES = 50
"""How many values one repeated filter parameter may carry (any-of filters)."""

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 200


class ListQuery(BaseModel):
    """Query parameters every list accepts; a resource's filters extend it.

    Unknown query parameters are refused (422) so a misspelt filter is never
    silently ignored.
    """

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(
        PAGE_SIZE_DEFAULT,
        ge=1,
        le=PAGE_SIZE_MAX,
        description=f"Items per page (at most {PAGE_SIZE_MAX}).",
    )
    cursor: str | None = Field(
        None,
        max_length=_MAX_CURSOR_LENGTH,
        description="The `next_cursor` of the previous page.",
    )


def set_link_header(request: Request, response: Response, next_cursor: str | None) -> None:
    """Add an RFC 8288 ``Link: <…>; rel="next"`` header keeping the other query parameters."""
    if next_cursor is None:
        return
    # A relative reference (RFC 8288 allows it): never echo the client's Host.
    url = request.url.include_query_params(cursor=next_cursor)
    target = f"{url.path}?{url.query}"
    response.headers["Link"] = f'<{target}>; rel="next"'


def after_id(cursor: str | None, listing: str) -> str | None:
    """The id a keyset page of ``listing`` starts after (None for the first page)."""
    if not cursor:
        return None
    position = decode_cursor(cursor, {"id": str, "of": str})
    if position["of"] != listing:
        raise InvalidCursor("The cursor belongs to another listing.")
    after = str(position["id"])
    if not re.match(ID_PATTERN, after):
        raise InvalidCursor("The cursor is not one this API issued.")
    return after


def id_page(
    request: Request, response: Response, rows: Sequence[Any], limit: int, listing: str
) -> tuple[list[Any], str | None]:
    """Rows fetched in id order with ``limit + 1``: this page, its next cursor and Link."""
    more = len(rows) > limit
    next_cursor = encode_cursor({"id": rows[limit - 1].id, "of": listing}) if more else None
    set_link_header(request, response, next_cursor)
    return list(rows[:limit]), next_cursor


def split_page(rows: Sequence[T], limit: int) -> tuple[list[T], bool]:
    """Rows fetched with ``limit + 1``: the page and whether another follows."""
    return list(rows[:limit]), len(rows) > limit
