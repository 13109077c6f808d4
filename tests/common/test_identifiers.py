"""Japanese public identifiers: 法人番号, 全国地方公共団体コード, フリガナ, 郵便番号."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from services.common.identifiers import (
    CorporateNumber,
    KanaReading,
    MunicipalityCode,
    PostalCode,
    corporate_check_digit,
    corporate_number_is_valid,
    make_corporate_number,
    make_municipality_code,
    municipality_check_digit,
    municipality_code_is_valid,
    prefecture_code,
)

corporate_numbers = TypeAdapter(CorporateNumber)
municipality_codes = TypeAdapter(MunicipalityCode)
kana_readings = TypeAdapter(KanaReading)
postal_codes = TypeAdapter(PostalCode)

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
corporate_bases = st.text(alphabet="0123456789", min_size=12, max_size=12)
municipality_bases = st.builds(
    lambda prefecture, rest: f"{prefecture:02d}{rest}",
    st.integers(min_value=1, max_value=47),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
)


def rejection_message(adapter: TypeAdapter[str], value: object) -> str:
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(value)
    return str(caught.value.errors()[0]["msg"])


def replace_digit(value: str, position: int, digit: str) -> str:
    return value[:position] + digit + value[position + 1 :]


# 法人番号 ---------------------------------------------------------------------


def test_national_tax_agency_corporate_number_is_valid() -> None:
    # 国税庁's own 法人番号.
    assert corporate_check_digit("000012050002") == 7
    assert corporate_number_is_valid("7000012050002")
    assert make_corporate_number("000012050002") == "7000012050002"


def test_corporate_number_with_wrong_check_digit_is_rejected() -> None:
    assert not corporate_number_is_valid("8000012050002")
    message = rejection_message(corporate_numbers, "8000012050002")
    assert "check digit does not match (expected 7)" in message


@pytest.mark.parametrize("value", ["700001205000", "70000120500021", "", "7000012050002.0"])
def test_corporate_number_of_wrong_shape_is_not_valid(value: str) -> None:
    assert not corporate_number_is_valid(value)


def test_corporate_number_with_non_ascii_digits_is_not_valid() -> None:
    # Arabic-Indic digits pass str.isdigit(); the pure check must still refuse them.
    assert not corporate_number_is_valid("7٠٠٠٠١٢٠٥٠٠٠٢")


@pytest.mark.parametrize("base", ["00001205000", "0000120500021", "00001205000x"])
def test_corporate_check_digit_needs_twelve_ascii_digits(base: str) -> None:
    with pytest.raises(ValueError, match="12 ASCII digits"):
        corporate_check_digit(base)


@given(corporate_bases)
def test_made_corporate_number_is_valid(base: str) -> None:
    number = make_corporate_number(base)
    assert len(number) == 13
    assert number[1:] == base
    assert corporate_number_is_valid(number)


@given(corporate_bases, st.integers(min_value=0, max_value=12), digits)
def test_changing_one_digit_of_a_corporate_number_makes_it_invalid(
    base: str, position: int, digit: str
) -> None:
    number = make_corporate_number(base)
    changed = replace_digit(number, position, digit)
    if changed == number:
        return
    # A mod-9 check digit cannot see 0 and 9 swapped in the base: both weigh 0 mod 9.
    swapped_zero_and_nine = position > 0 and {number[position], digit} == {"0", "9"}
    assert corporate_number_is_valid(changed) == swapped_zero_and_nine


def test_corporate_check_digit_cannot_see_a_zero_swapped_for_a_nine() -> None:
    # A known limit of the NTA rule, documented so nobody "fixes" the validator.
    assert corporate_number_is_valid("7900012050002")


@pytest.mark.parametrize(
    "value",
    [
        "7000012050002",
        "7-0000-1205-0002",
        "7000 0120 5000 2",
        "７０００－０１２０－５０００２",
        "７００００１２０５０００２",
        " 7000012050002 ",
    ],
)
def test_corporate_number_type_accepts_separators_and_full_width_digits(value: str) -> None:
    assert corporate_numbers.validate_python(value) == "7000012050002"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("700001205000", "must have 13 digits, got 12"),
        ("7000/0120/5000/2", "only digits, hyphens and spaces"),
        ("T7000012050002", "only digits, hyphens and spaces"),
        ("7000012050003", "check digit does not match (expected 6)"),
    ],
)
def test_corporate_number_type_says_what_is_wrong(value: str, problem: str) -> None:
    assert problem in rejection_message(corporate_numbers, value)


def test_corporate_number_type_does_not_coerce_integers() -> None:
    # A JSON number would silently lose nothing here, but would for codes with a
    # leading zero; identifiers are strings, always.
    rejection_message(corporate_numbers, 7000012050002)


# 全国地方公共団体コード -----------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["131016", "462012", "102016", "011002"],  # 千代田区, 鹿児島市, 前橋市, 札幌市
)
def test_known_municipality_codes_are_valid(code: str) -> None:
    assert municipality_code_is_valid(code)
    assert municipality_check_digit(code[:5]) == int(code[5])
    assert make_municipality_code(code[:5]) == code
    assert municipality_codes.validate_python(code) == code


def test_prefecture_code_is_the_first_two_digits() -> None:
    assert prefecture_code("462012") == "46"
    assert prefecture_code("011002") == "01"
    assert prefecture_code("46201") == "46"  # the 5-digit form without check digit


@pytest.mark.parametrize("value", ["462013", "482010", "000001", "4620", "46201x"])
def test_prefecture_code_of_an_invalid_code_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        prefecture_code(value)


@pytest.mark.parametrize("code", ["000001", "480003", "991002"])
def test_municipality_code_outside_prefectures_01_to_47_is_not_valid(code: str) -> None:
    assert not municipality_code_is_valid(code)


def test_making_a_municipality_code_outside_prefectures_is_refused() -> None:
    with pytest.raises(ValueError, match=re.escape("01..47, got 48")):
        make_municipality_code("48001")


@given(municipality_bases)
def test_made_municipality_code_is_valid(base: str) -> None:
    code = make_municipality_code(base)
    assert code[:5] == base
    assert municipality_code_is_valid(code)


def weighted_remainder(code5: str) -> int:
    return sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True)) % 11


@given(municipality_bases, st.integers(min_value=0, max_value=5), digits)
def test_changing_one_digit_of_a_municipality_code_makes_it_invalid(
    base: str, position: int, digit: str
) -> None:
    code = make_municipality_code(base)
    changed = replace_digit(code, position, digit)
    if changed == code:
        return
    # The rule maps remainders 0 and 10 to the same check digit (11 and 1 end in 1),
    # so a change between those two remainders goes unseen: the one blind spot.
    blind_spot = position < 5 and {weighted_remainder(base), weighted_remainder(changed[:5])} == {
        0,
        10,
    }
    prefecture_ok = 1 <= int(changed[:2]) <= 47
    assert municipality_code_is_valid(changed) == (blind_spot and prefecture_ok)


def test_municipality_check_digit_cannot_see_remainder_0_turned_into_10() -> None:
    # 01003 (remainder 0) and 03003 (remainder 10) share the check digit 1.
    assert make_municipality_code("01003") == "010031"
    assert municipality_code_is_valid("030031")


@pytest.mark.parametrize(
    ("value", "stored"),
    [("１３１０１６", "131016"), (" 462012 ", "462012"), ("４６２０１２", "462012")],
)
def test_municipality_code_type_accepts_full_width_digits(value: str, stored: str) -> None:
    assert municipality_codes.validate_python(value) == stored


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("46201", "without its check digit (the full code is 462012)"),
        ("4620123", "must have 6 digits, got 7"),
        ("46-2012", "only digits"),
        ("482010", "prefecture must be 01..47, got 48"),
        ("462013", "check digit does not match (expected 2)"),
    ],
)
def test_municipality_code_type_says_what_is_wrong(value: str, problem: str) -> None:
    assert problem in rejection_message(municipality_codes, value)


# フリガナ ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("カゴシマ コドモ ショクドウ", "カゴシマ コドモ ショクドウ"),
        ("かごしま こどもしょくどう", "カゴシマ コドモショクドウ"),
        ("ｶｺﾞｼﾏ　ｺﾄﾞﾓ", "カゴシマ コドモ"),  # half-width kana, ideographic space
        ("ＮＰＯホウジン　かごしま２１", "NPOホウジン カゴシマ21"),
        ("エヌピーオー・ネットワーク", "エヌピーオー・ネットワーク"),
        ("  ヴァイオリン   キョウシツ ", "ヴァイオリン キョウシツ"),
    ],
)
def test_kana_reading_is_stored_in_katakana(value: str, stored: str) -> None:
    assert kana_readings.validate_python(value) == stored


def test_kana_reading_with_kanji_is_rejected() -> None:
    message = rejection_message(kana_readings, "かごしま子ども食堂")
    assert "kana, not kanji" in message
    assert "'子'" in message


@pytest.mark.parametrize("value", ["コドモ!", "コドモ（カブ）", "コドモ😀"])
def test_kana_reading_with_other_symbols_is_rejected(value: str) -> None:
    assert "may contain only katakana" in rejection_message(kana_readings, value)


@pytest.mark.parametrize("value", ["", "   ", "ア" * 201])
def test_kana_reading_must_have_1_to_200_characters(value: str) -> None:
    assert "1 to 200 characters" in rejection_message(kana_readings, value)


def test_kana_reading_of_200_characters_is_accepted() -> None:
    assert kana_readings.validate_python("ア" * 200) == "ア" * 200


def test_very_long_input_is_refused_before_normalising() -> None:
    assert "too long" in rejection_message(kana_readings, "ア" * 5_000)


# 郵便番号 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["1000001", "100-0001", "１００－０００１", "〒100-0001", "〒 １０００００１", "100 0001"],
)
def test_postal_code_variants_are_stored_as_nnn_hyphen_nnnn(value: str) -> None:
    assert postal_codes.validate_python(value) == "100-0001"


@pytest.mark.parametrize("value", ["100-001", "10000011", "100-000a", "〒", "1000-001x"])
def test_postal_code_that_is_not_seven_digits_is_rejected(value: str) -> None:
    assert "must be 7 digits" in rejection_message(postal_codes, value)


# OpenAPI hints ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "adapter", [corporate_numbers, municipality_codes, kana_readings, postal_codes]
)
def test_each_identifier_type_shows_a_valid_example_in_its_schema(
    adapter: TypeAdapter[str],
) -> None:
    schema = adapter.json_schema()
    assert schema["type"] == "string"
    assert schema["description"]
    (example,) = schema["examples"]
    assert adapter.validate_python(example) == example
