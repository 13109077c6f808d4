"""Text field types that refuse what no database or reader should get.

Every free-text field of the API uses one of these: length-bounded, trimmed,
and free of NUL and other control characters (PostgreSQL cannot even store NUL).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints

__all__ = ["multi_line", "no_control_characters", "single_line"]

_ALLOWED_IN_MULTILINE = {"\n", "\t"}


def _reject_controls(allow: set[str]) -> Any:
    # Runs before the length constraints: NFC can lengthen text (e.g. U+0958
    # becomes two code points), and the limit applies to what is stored.
    def check(value: Any) -> Any:
        if not isinstance(value, str):
            return value  # the str schema reports the wrong type
        for char in value:
            if char not in allow and unicodedata.category(char) in {"Cc", "Cs", "Co"}:
                raise ValueError(f"control or non-text character U+{ord(char):04X} is not allowed")
        return unicodedata.normalize("NFC", value.replace("\r\n", "\n"))

    return check


no_control_characters = BeforeValidator(_reject_controls(set()))
"""A validator for other string types (emails, codes) that must not carry control characters."""


def single_line(max_length: int, *, min_length: int = 1) -> Any:
    """A one-line text of ``min_length``..``max_length`` characters, trimmed."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        BeforeValidator(_reject_controls(set())),
    ]


def multi_line(max_length: int) -> Any:
    """A text of up to ``max_length`` characters; newlines and tabs allowed."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=max_length),
        BeforeValidator(_reject_controls(_ALLOWED_IN_MULTILINE | {"\r"})),
    ]
