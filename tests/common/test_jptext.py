"""Japanese-aware search text: spelling variants (表記ゆれ) meet, nothing raises."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common import jptext
from services.common.jptext import (
    MAX_TEXT_CHARS,
    QueryTerm,
    index_text,
    normalize,
    parse_query,
    query_terms,
    search_terms,
    to_hiragana,
    to_katakana,
)

# Any text Python can hold except lone surrogates, with NUL and other controls
# made likely.
arbitrary_text = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from("\x00\x1f\x7f\u3000\n\t ｺﾄﾞﾓ子どもー%_\\"),
    ),
    max_size=200,
)


def terms_section(index: str) -> str:
    return index.split("\n", 1)[0]


# Spelling variants ----------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["子ども", "子供", "こども", "コドモ", "ｺﾄﾞﾓ"])
def test_every_spelling_of_kodomo_gives_the_same_term(spelling: str) -> None:
    assert search_terms(spelling) == ["子供"]
    assert query_terms(spelling) == ["子供"]


@pytest.mark.parametrize(
    ("first", "second"),
    [("障がい者", "障害者"), ("ひとり親", "一人親"), ("ゴミ", "ごみ"), ("まちづくり", "街づくり")],
)
def test_spelling_variants_share_their_terms(first: str, second: str) -> None:
    assert search_terms(first) == search_terms(second)


def test_terms_are_casefolded_and_katakana_is_folded_to_hiragana() -> None:
    assert search_terms("ＮＰＯ法人") == ["npo", "法人"]
    assert search_terms("センター") == ["せんたー"]


def test_function_words_are_not_terms() -> None:
    # Particles, affixes (お, たち), light verbs (する, いる), auxiliaries (ます) and
    # kana formal nouns (ため, こと) would otherwise have to appear in every hit.
    assert search_terms("子どもたちが見守りをしています。") == ["子供", "見守る"]
    assert search_terms("お年寄りのための居場所づくりのこと") == ["年寄り", "居場所", "作り"]
    assert search_terms("の、を。") == []


def test_kanji_spelling_of_a_formal_noun_is_still_a_term() -> None:
    assert search_terms("大切な物") == ["大切", "物"]


def test_compound_is_split_into_words() -> None:
    assert search_terms("市民活動支援センター") == ["市民", "活動", "支援", "せんたー"]


def test_terms_are_deduplicated_in_order_of_appearance() -> None:
    assert search_terms("食堂と子供と子ども食堂") == ["食堂", "子供"]


# Kana folding ---------------------------------------------------------------------


def test_to_katakana_folds_hiragana_and_half_width_kana() -> None:
    assert to_katakana("こども") == "コドモ"
    assert to_katakana("ｺﾄﾞﾓ") == "コドモ"
    assert to_katakana("ゔぁいおりん・ゝゞ") == "ヴァイオリン・ヽヾ"
    assert to_katakana("子ども食堂 ABC") == "子ドモ食堂 ABC"


def test_to_hiragana_folds_full_and_half_width_katakana() -> None:
    assert to_hiragana("コドモ") == "こども"
    assert to_hiragana("ｺﾄﾞﾓ") == "こども"
    assert to_hiragana("センター") == "せんたー"
    assert to_hiragana("ヴァ") == "ゔぁ"


@given(arbitrary_text)
def test_kana_folding_round_trips_through_the_other_script(text: str) -> None:
    assert to_katakana(to_hiragana(to_katakana(text))) == to_katakana(text)
    assert to_hiragana(to_katakana(to_hiragana(text))) == to_hiragana(text)


# normalize -------------------------------------------------------------------------


def test_normalize_folds_width_case_and_whitespace() -> None:
    assert normalize("  ＮＰＯ\u3000法人\t\nかごしま  ") == "npo 法人 かごしま"
    assert normalize("ｺﾄﾞﾓ") == "コドモ"


def test_normalize_turns_control_characters_into_spaces() -> None:
    # PostgreSQL refuses NUL in text columns.
    assert normalize("子供\x00食堂\x1f") == "子供 食堂"


@given(arbitrary_text)
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


# Robustness ------------------------------------------------------------------------


@settings(max_examples=300)
@given(arbitrary_text)
def test_search_terms_never_raises_and_terms_have_no_whitespace(text: str) -> None:
    for term in search_terms(text):
        assert term
        assert not any(char.isspace() for char in term)


def test_lone_surrogates_and_nul_do_not_break_tokenizing() -> None:
    assert search_terms("子供\ud800食堂\x00") == ["子供", "食堂"]


def test_text_longer_than_the_tokenizer_accepts_is_analysed_in_pieces() -> None:
    # Sudachi refuses more than ~49 kB in one call.
    long_text = "子ども食堂を開きます。" * 1_800  # 19,800 characters, ~59 kB
    assert len(long_text) <= MAX_TEXT_CHARS
    assert search_terms(long_text) == ["子供", "食堂", "開く"]


def test_text_beyond_the_limit_is_ignored() -> None:
    text = "あ" * MAX_TEXT_CHARS + "子供"
    assert "子供" not in search_terms(text)


# Queries and the index --------------------------------------------------------------


def test_query_keeps_the_typed_text_for_substring_matching() -> None:
    assert parse_query("ｺﾄﾞﾓ食堂") == [
        QueryTerm(term="子供", text="こども"),
        QueryTerm(term="食堂", text="食堂"),
    ]


def test_index_text_wraps_terms_in_spaces_and_appends_the_folded_full_text() -> None:
    index = index_text("子ども食堂", None, "", "ボランティア募集")
    assert index == " 子供 食堂 ぼらんてぃあ 募集 \n子ども食堂 ぼらんてぃあ募集"


def test_index_text_of_nothing_has_no_terms() -> None:
    assert index_text() == " \n"
    assert index_text(None, "") == " \n"


def test_index_also_holds_the_finer_parts_of_compound_words() -> None:
    # A query for 鹿児島 or こども still meets a whole term in 鹿児島市 or 子供会.
    index = terms_section(index_text("鹿児島市の子供会"))
    for term in ("鹿児島市", "鹿児島", "子供会", "子供"):
        assert f" {term} " in index


@settings(max_examples=300)
@given(arbitrary_text)
def test_index_text_contains_every_query_term_of_its_own_text(text: str) -> None:
    index = index_text(text)
    for term in query_terms(text):
        assert f" {term} " in terms_section(index)


@given(arbitrary_text)
def test_index_text_has_exactly_one_section_separator(text: str) -> None:
    assert index_text(text, text).count("\n") == 1


def test_tokenizers_are_per_thread() -> None:
    seen: dict[str, object] = {}

    def remember(name: str) -> None:
        search_terms("子ども")
        seen[name] = jptext._per_thread.tokenizer

    threads = [threading.Thread(target=remember, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen["a"] is not seen["b"]


def test_importing_does_not_load_the_dictionary() -> None:
    # Start-up stays fast for services that never search.
    code = "import services.common.jptext as j; assert j._dictionary is None"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
