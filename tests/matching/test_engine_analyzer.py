"""The matching engine's text features: 表記ゆれ-proof words and character n-grams."""

from __future__ import annotations

import threading

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import normalize

from services.matching.engine import analyze, words
from services.matching.engine.analyzer import (
    N_WORD_FEATURES,
    WORD_WEIGHT,
    TextStore,
    _one_text_counts,
    term_counts,
)


def word_features(text: str) -> set[str]:
    return {f for f in analyze(text) if f.startswith("w:")}


def char_features(text: str) -> set[str]:
    return {f for f in analyze(text) if f.startswith("c:")}


def test_spelling_variants_of_kodomo_meet_on_one_word() -> None:
    variants = ["子ども食堂", "こども食堂", "子供食堂", "ｺﾄﾞﾓ食堂", "コドモ食堂"]
    for text in variants:
        assert {"w:子供", "w:食堂"} <= word_features(text), text
    assert all(words(text) == ["子供", "食堂"] for text in variants)


def test_kana_spellings_share_character_ngrams() -> None:
    # Katakana, half-width katakana and hiragana fold to the same n-grams.
    assert char_features("コドモ食堂") == char_features("ｺﾄﾞﾓ食堂") == char_features("こども食堂")
    assert "c:こども" in char_features("コドモ食堂")


def test_nfkc_and_case_fold_before_features() -> None:
    assert analyze("ＮＰＯ　法人") == analyze("npo 法人")
    assert "w:npo" in word_features("ＮＰＯ法人")


def test_ngrams_do_not_cross_spaces_or_punctuation() -> None:
    grams = char_features("食堂、会場 探し")
    assert "c:食堂" in grams and "c:会場" in grams
    assert not any(ch in gram for gram in grams for ch in "、 ")
    assert "c:堂会" not in grams and "c:場探" not in grams


def test_ngrams_are_two_and_three_characters() -> None:
    assert char_features("防災訓練") == {"c:防災", "c:災訓", "c:訓練", "c:防災訓", "c:災訓練"}


def test_compounds_also_give_their_parts() -> None:
    # A query for 鹿児島 meets a doc about 鹿児島市; one-character parts (市) are left out.
    assert {"w:鹿児島市", "w:鹿児島"} <= word_features("鹿児島市の子供会")
    assert "w:市" not in word_features("鹿児島市の子供会")


def test_function_words_are_not_words() -> None:
    found = words("子どもたちのための見守りをしています")
    assert "子供" in found
    assert not {"の", "を", "為", "為る", "居る", "ため"} & set(found)


def test_words_are_deduplicated_in_order() -> None:
    assert words("食堂と食堂と子ども") == ["食堂", "子供"]


def test_word_counts_are_kept_for_tf() -> None:
    assert analyze("食堂 食堂").count("w:食堂") == 2


def test_empty_and_symbol_only_text() -> None:
    assert analyze("") == [] and words("") == []
    assert analyze("!!! ・・・") == []


def test_analysis_is_the_same_from_many_threads() -> None:
    texts = [f"こども食堂{i}と防災訓練のボランティア" for i in range(40)]
    expected = [analyze(t) for t in texts]
    found: list[list[list[str]]] = []

    def work() -> None:
        found.append([analyze(t + "。") for t in texts])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for run in found:
        assert [[f for f in r if not f.endswith("。")] for r in run] == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_prefixed_features_deterministically(text: str) -> None:
    features = analyze(text)
    assert features == analyze(text)
    assert all(f.startswith(("w:", "c:")) and len(f) > 2 for f in features)
    assert all(2 <= len(f) - 2 <= 3 for f in features if f.startswith("c:"))


def test_tfidf_matches_scikit_learn_with_word_columns_weighted() -> None:
    texts = [
        "こども食堂の食材を提供します",
        "子供食堂のボランティア募集",
        "防災訓練と避難所運営",
        "高齢者の見守りと配食サービス",
        "こども食堂に会場を貸します",
    ]
    store = TextStore()
    store.append(0, store.vectorize(texts), indexed=False)
    store.merge(np.arange(len(texts)), refit=True)
    ours = store.main.tocsr().toarray()
    reference = TfidfTransformer(sublinear_tf=True, smooth_idf=True).fit_transform(
        term_counts(texts)
    )
    reference = reference.toarray()
    reference[:, :N_WORD_FEATURES] *= WORD_WEIGHT
    reference = normalize(reference)
    np.testing.assert_allclose(ours, reference, atol=1e-6)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60) | st.sampled_from(["こども食堂の食材 食材 食材", "NPO法人 ＮＰＯ", ""]))
def test_one_text_hashing_equals_hashing_vectorizer(text: str) -> None:
    """Adding one doc hashes without scikit-learn's per-call checks: the same columns."""
    expected = term_counts([text])
    cols, counts = _one_text_counts(text)
    assert cols.tolist() == expected.indices.tolist()
    np.testing.assert_allclose(counts, expected.data)
