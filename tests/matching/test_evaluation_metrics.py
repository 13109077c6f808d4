"""The ranking measures, against values computed by hand."""

from __future__ import annotations

import math

import pytest

from kyodo.evaluation.metrics import dcg, mean, ndcg_at_k, recall_at_k, reciprocal_rank

# a: ideal, c: good, e: marginal; b and d are not judged (grade 0).
JUDGMENTS = {"a": 3, "c": 2, "e": 1}


def test_dcg_uses_exponential_gains_and_a_log2_discount():
    # (2^3-1)/log2(2) + (2^0-1)/log2(3) + (2^2-1)/log2(4) = 7 + 0 + 1.5
    assert dcg([3, 0, 2]) == pytest.approx(8.5)


def test_ndcg_divides_by_the_ideal_order_of_every_judged_item():
    # ranked: a, b, c -> 8.5; ideal: a, c, e -> 7 + 3/log2(3) + 1/log2(4) = 9.3927893
    assert ndcg_at_k(["a", "b", "c", "d"], JUDGMENTS, 3) == pytest.approx(8.5 / 9.3927893)
    assert ndcg_at_k(["a", "b", "c", "d"], JUDGMENTS, 3) == pytest.approx(0.904950, abs=1e-6)


def test_ndcg_counts_judged_items_missing_from_the_ranking_in_the_ideal():
    # only c is ranked: 3/log2(2) = 3; ideal at k=2: 7 + 3/log2(3) = 8.8927893
    assert ndcg_at_k(["c"], JUDGMENTS, 2) == pytest.approx(3 / 8.8927893)


def test_ndcg_of_the_ideal_order_is_one_and_of_nothing_relevant_zero():
    assert ndcg_at_k(["a", "c", "e"], JUDGMENTS, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["b", "d"], JUDGMENTS, 10) == 0.0
    assert ndcg_at_k(["a"], {}, 10) == 0.0


def test_a_repeated_item_earns_once():
    # a, a, c counts as a, c: 7 + 3/log2(3) = ideal at k=2
    assert ndcg_at_k(["a", "a", "c"], JUDGMENTS, 2) == pytest.approx(1.0)
    assert recall_at_k(["a", "a", "a", "a", "a", "c"], JUDGMENTS, 2) == 1.0


def test_reciprocal_rank_counts_grade_two_and_above_as_relevant():
    # e (grade 1) at 2 does not count; c (grade 2) at 3 does.
    assert reciprocal_rank(["b", "e", "c"], JUDGMENTS) == pytest.approx(1 / 3)
    assert reciprocal_rank(["b", "e"], JUDGMENTS) == 0.0
    assert reciprocal_rank(["e"], JUDGMENTS, threshold=1) == 1.0


def test_recall_is_the_share_of_relevant_items_in_the_top_k():
    assert recall_at_k(["a", "b", "c"], JUDGMENTS, 2) == 0.5
    assert recall_at_k(["a", "b", "c"], JUDGMENTS, 3) == 1.0
    assert recall_at_k(["e", "b"], JUDGMENTS, 5) == 0.0
    assert recall_at_k(["a"], {"e": 1}, 5) == 0.0


def test_mean_over_issues():
    assert mean([1.0, 0.5, 0.0]) == pytest.approx(0.5)
    assert mean([]) == 0.0
    assert math.isclose(mean([0.1] * 10), 0.1)


@pytest.mark.parametrize("measure", [ndcg_at_k, recall_at_k])
def test_k_below_one_is_refused(measure):
    with pytest.raises(ValueError):
        measure(["a"], JUDGMENTS, 0)
