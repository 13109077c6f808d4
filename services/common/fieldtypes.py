"""Field types that several services' API shapes share (ids, URLs, contact details, areas)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, HttpUrl, StringConstraints, UrlConstraints

from services.common.ids import ID_PATTERN
from services.common.textfields import no_control_characters
from services.common.vocabulary import ActivityField

__all__ = [
    "ActivityFields",
    "Email",
    "Id",
    "Latitude",
    "Longitude",
    "Phone",
    "WebUrl",
    "unique_items",
]


def unique_items(values: list[Any]) -> list[Any]:
    """A list without repeats, first occurrence kept (clients may send duplicates)."""
    return list(dict.fromkeys(values))


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
WebUrl = Annotated[HttpUrl, UrlConstraints(max_length=2048, allowed_schemes=["http", "https"])]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    no_control_characters,
]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=20, pattern=r"^\+?[0-9][0-9 ()-]{5,19}$"),
]
ActivityFields = Annotated[list[ActivityField], Field(max_length=20), AfterValidator(unique_items)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
