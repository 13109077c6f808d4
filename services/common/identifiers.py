"""Japanese public identifiers: 法人番号, 全国地方公共団体コード, フリガナ, 郵便番号.

Pure functions check and build the codes; the ``Annotated`` types validate API
input leniently (full-width digits, hyphens, 〒) and store one canonical form.
Their ``ValueError`` messages become per-field 422 problem details, so each says
what is wrong and, where it can, what was expected.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from services.common.jptext import to_katakana

__all__ = [
    "CorporateNumber",
    "KanaReading",
    "MunicipalityCode",
    "PostalCode",
    "corporate_check_digit",
    "corporate_number_is_valid",
    "make_corporate_number",
    "make_municipality_code",
    "municipality_check_digit",
    "municipality_code_is_valid",
    "prefecture_code",
]

# Hyphen look-alikes people type between digit groups (after NFKC, which already
# maps the full-width hyphen and space to ASCII), and the space itself.
_SEPARATORS = re.compile("[ \\-‐‑‒–—―−ー]")
# re.ASCII: \d would otherwise accept Arabic-Indic and other non-ASCII digits.
_DIGITS = re.compile(r"\d+", re.ASCII)
_MAX_RAW_LENGTH = 1_000  # refuse before normalising: NFKC of hostile input can grow

_MUNICIPALITY_WEIGHTS = (6, 5, 4, 3, 2)
_PREFECTURES = range(1, 48)  # 01 北海道 … 47 沖縄県


def _digits_only(value: str, *, length: int, what: str) -> str:
    if not (len(value) == length and _DIGITS.fullmatch(value)):
        raise ValueError(f"{what} must be {length} ASCII digits")
    return value


# 法人番号 ---------------------------------------------------------------------


def corporate_check_digit(base12: str) -> int:
    """The check digit (the first of 13) for the 12-digit base of a 法人番号.

    National Tax Agency rule: 9 - (Σ Pn × Qn mod 9), with Pn the n-th digit counted
    from the right and Qn 1 for odd n, 2 for even n. Raises ValueError unless
    ``base12`` is 12 ASCII digits.
    """
    _digits_only(base12, length=12, what="corporate number base")
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base12), 1))
    return 9 - total % 9


def corporate_number_is_valid(value: str) -> bool:
    """Whether ``value`` is exactly 13 ASCII digits with a matching check digit."""
    if not (len(value) == 13 and _DIGITS.fullmatch(value)):
        return False
    return int(value[0]) == corporate_check_digit(value[1:])


def make_corporate_number(base12: str) -> str:
    """The 13-digit 法人番号 for a 12-digit base (check digit prepended)."""
    return f"{corporate_check_digit(base12)}{base12}"


def _canonical_corporate_number(value: str) -> str:
    digits = _SEPARATORS.sub("", value)
    if not _DIGITS.fullmatch(digits):
        raise ValueError("corporate_number may contain only digits, hyphens and spaces")
    if len(digits) != 13:
        raise ValueError(f"corporate_number must have 13 digits, got {len(digits)}")
    expected = corporate_check_digit(digits[1:])
    if int(digits[0]) != expected:
        raise ValueError(f"corporate_number check digit does not match (expected {expected})")
    return digits


# 全国地方公共団体コード -----------------------------------------------------------


def municipality_check_digit(code5: str) -> int:
    """The check digit (the sixth) for a 5-digit 全国地方公共団体コード.

    (11 - (Σ di × wi mod 11)) mod 10 with weights 6, 5, 4, 3, 2. Raises ValueError
    unless ``code5`` is 5 ASCII digits.
    """
    _digits_only(code5, length=5, what="municipality code without check digit")
    total = sum(
        int(digit) * weight for digit, weight in zip(code5, _MUNICIPALITY_WEIGHTS, strict=True)
    )
    return (11 - total % 11) % 10


def _prefecture_is_valid(code: str) -> bool:
    return int(code[:2]) in _PREFECTURES


def municipality_code_is_valid(value: str) -> bool:
    """Whether ``value`` is 6 ASCII digits: prefecture 01..47 and a matching check digit."""
    if not (len(value) == 6 and _DIGITS.fullmatch(value)):
        return False
    return _prefecture_is_valid(value) and int(value[5]) == municipality_check_digit(value[:5])


def make_municipality_code(code5: str) -> str:
    """The 6-digit code for a 5-digit one (check digit appended).

    Raises ValueError unless ``code5`` is 5 ASCII digits with a prefecture 01..47.
    """
    check = municipality_check_digit(code5)
    if not _prefecture_is_valid(code5):
        raise ValueError(f"municipality code prefecture must be 01..47, got {code5[:2]}")
    return f"{code5}{check}"


def prefecture_code(value: str) -> str:
    """The two-digit prefecture (都道府県) code of a municipality code: "46" for 462012.

    Accepts a valid 6-digit code or a 5-digit code without its check digit (the
    form many statistics tables use); raises ValueError otherwise.
    """
    if len(value) == 5:
        return make_municipality_code(value)[:2]
    if not municipality_code_is_valid(value):
        raise ValueError(f"not a valid municipality code: {value!r}")
    return value[:2]


def _canonical_municipality_code(value: str) -> str:
    code = value.strip()
    if not _DIGITS.fullmatch(code):
        raise ValueError("municipality_code may contain only digits")
    if len(code) == 5 and _prefecture_is_valid(code):
        raise ValueError(
            "municipality_code must have 6 digits; this looks like the 5-digit code "
            f"without its check digit (the full code is {make_municipality_code(code)})"
        )
    if len(code) != 6:
        raise ValueError(f"municipality_code must have 6 digits, got {len(code)}")
    if not _prefecture_is_valid(code):
        raise ValueError(f"municipality_code prefecture must be 01..47, got {code[:2]}")
    expected = municipality_check_digit(code[:5])
    if int(code[5]) != expected:
        raise ValueError(f"municipality_code check digit does not match (expected {expected})")
    return code


# フリガナ and 郵便番号 ----------------------------------------------------------------

_KANA_READING_MAX = 200
_KANA_READING = re.compile("[ァ-ヺー・ヽヾ 0-9A-Za-z]+")
_KANJI = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f々〆]")


def _canonical_kana_reading(value: str) -> str:
    reading = " ".join(to_katakana(value).split())
    if not 1 <= len(reading) <= _KANA_READING_MAX:
        raise ValueError(f"reading must have 1 to {_KANA_READING_MAX} characters")
    if kanji := _KANJI.search(reading):
        raise ValueError(f"reading must be written in kana, not kanji (found {kanji.group()!r})")
    if not _KANA_READING.fullmatch(reading):
        bad = next(char for char in reading if not _KANA_READING.fullmatch(char))
        raise ValueError(
            "reading may contain only katakana or hiragana, ー, ・, spaces, digits and "
            f"Latin letters (found {bad!r})"
        )
    return reading


def _canonical_postal_code(value: str) -> str:
    digits = _SEPARATORS.sub("", value.strip().removeprefix("〒"))
    if not (len(digits) == 7 and _DIGITS.fullmatch(digits)):
        raise ValueError("postal_code must be 7 digits, like 100-0001 or 1000001")
    return f"{digits[:3]}-{digits[3:]}"


def _nfkc(value: object) -> object:
    """Full-width digits and letters to ASCII before validation; non-strings pass on
    to the ``str`` check, which rejects them with pydantic's usual message."""
    if not isinstance(value, str):
        return value
    if len(value) > _MAX_RAW_LENGTH:
        raise ValueError(f"value is too long ({len(value)} characters)")
    return unicodedata.normalize("NFKC", value).strip()


CorporateNumber = Annotated[
    str,
    BeforeValidator(_nfkc),
    AfterValidator(_canonical_corporate_number),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[1-9][0-9]{12}$",
            "examples": ["7000012050002"],
            "description": "法人番号: 13 digits, the first a check digit. Full-width "
            "digits and hyphens (7-0000-1205-0002) are accepted; stored without them.",
        }
    ),
]
"""A 法人番号 (corporate number), stored as 13 plain digits."""

MunicipalityCode = Annotated[
    str,
    BeforeValidator(_nfkc),
    AfterValidator(_canonical_municipality_code),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^(0[1-9]|[1-3][0-9]|4[0-7])[0-9]{4}$",
            "examples": ["462012"],
            "description": "全国地方公共団体コード: 6 digits, prefecture 01..47, "
            "the last a check digit (462012 鹿児島市).",
        }
    ),
]
"""A 全国地方公共団体コード (municipality code) with its check digit, 6 digits."""

KanaReading = Annotated[
    str,
    BeforeValidator(_nfkc),
    AfterValidator(_canonical_kana_reading),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": _KANA_READING_MAX,
            "examples": ["カゴシマ コドモ ショクドウ ネットワーク"],
            "description": "フリガナ in katakana (hiragana is converted); ー, ・, spaces, "
            "digits and Latin letters allowed, kanji not.",
        }
    ),
]
"""A reading (フリガナ), stored in full-width katakana with ASCII digits and letters."""

PostalCode = Annotated[
    str,
    BeforeValidator(_nfkc),
    AfterValidator(_canonical_postal_code),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{3}-[0-9]{4}$",
            "examples": ["892-0816"],
            "description": "郵便番号; 8920816, full-width digits and a 〒 prefix are "
            "accepted, stored as 892-0816.",
        }
    ),
]
"""A Japanese postal code (郵便番号), stored as ``NNN-NNNN``."""
