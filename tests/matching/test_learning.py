"""Learning factor weights from outcomes: services.matching.learning.fit_weights."""

from __future__ import annotations

import math
import random

import pytest

from services.matching.engine.types import FACTORS
from services.matching.learning import (
    MIN_ROWS,
    FeedbackRow,
    _split_by_issue,
    fit_weights,
    normalise,
)

UNIFORM = {name: 1.0 for name in FACTORS}


def _values(rng: random.Random) -> dict[str, float]:
    return {name: rng.random() for name in FACTORS}


def geography_and_type_feedback(issues: int = 80, per_issue: int = 12, seed: int = 1):
    """Partners nearby that offer the right type get agreed; text and the rest are decoys."""
    rng = random.Random(seed)
    rows = []
    for issue in range(issues):
        for _ in range(per_issue):
            values = _values(rng)
            odds = 12 * values["geography"] + 10 * values["type"] - 13
            label = int(rng.random() < 1 / (1 + math.exp(-odds)))
            rows.append(FeedbackRow(issue_id=f"issue-{issue}", values=values, label=label))
    return rows


def noise_feedback(issues: int = 60, per_issue: int = 10, seed: int = 2):
    rng = random.Random(seed)
    return [
        FeedbackRow(f"issue-{i}", _values(rng), int(rng.random() < 0.3))
        for i in range(issues)
        for _ in range(per_issue)
    ]


@pytest.mark.parametrize("seed", range(3))
def test_fit_learns_that_geography_and_type_decide_and_beats_uniform_weights(seed):
    result = fit_weights(geography_and_type_feedback(seed=seed), UNIFORM, seed=seed)

    assert result.improved, result.reason
    assert result.after > result.before + 0.05
    assert result.weights["geography"] + result.weights["type"] > 0.7
    assert result.weights["geography"] > result.weights["text"]
    assert result.train_size + result.holdout_size == 960
    assert 0.2 < result.holdout_size / 960 < 0.4


@pytest.mark.parametrize("seed", range(5))
def test_noise_only_feedback_never_claims_an_improvement(seed):
    result = fit_weights(noise_feedback(seed=seed), UNIFORM, seed=seed)

    assert not result.improved
    assert result.reason


def test_fitted_weights_cover_every_factor_are_non_negative_and_sum_to_one():
    result = fit_weights(geography_and_type_feedback(), {"text": 3.0, "geography": 1.0})

    assert set(result.weights) == set(FACTORS)
    assert all(weight >= 0 for weight in result.weights.values())
    assert math.isclose(sum(result.weights.values()), 1.0)


def test_too_little_feedback_is_not_fitted_and_keeps_the_current_weights():
    rows = geography_and_type_feedback()[: MIN_ROWS - 1]
    current = {"text": 2.0, "fields": 2.0}

    result = fit_weights(rows, current)

    assert not result.improved
    assert result.train_size == 0
    assert result.weights == normalise(current)
    assert "at least 20" in (result.reason or "")


def test_feedback_with_one_outcome_only_is_not_fitted():
    rows = [FeedbackRow(f"i{n % 5}", {"text": n / 30}, 1) for n in range(30)]

    result = fit_weights(rows, UNIFORM)

    assert (result.improved, result.train_size) == (False, 0)
    assert "one outcome" in (result.reason or "")


def test_feedback_on_a_single_issue_cannot_be_judged_on_held_out_issues():
    rows = [FeedbackRow("only", {"geography": n / 40}, n % 2) for n in range(40)]

    result = fit_weights(rows, UNIFORM)

    assert (result.improved, result.train_size) == (False, 0)


def test_held_out_issues_are_unseen_while_fitting():
    rows = geography_and_type_feedback(issues=20)

    train, test = _split_by_issue(rows, 0.3, seed=0)

    assert {r.issue_id for r in train}.isdisjoint({r.issue_id for r in test})
    assert len(train) + len(test) == len(rows)
    assert len({r.issue_id for r in test}) == 6


def test_labels_other_than_zero_and_one_are_refused():
    rows = [FeedbackRow("a", {}, 2)] * MIN_ROWS
    with pytest.raises(ValueError, match="label"):
        fit_weights(rows, UNIFORM)


def test_a_fit_that_is_no_better_than_good_current_weights_is_not_applied():
    truth = {"geography": 0.55, "type": 0.45}

    result = fit_weights(geography_and_type_feedback(), truth)

    assert result.train_size > 0
    assert not result.improved
    assert result.after - result.before < 0.05


def test_normalise_clips_negatives_and_falls_back_to_equal_weights():
    assert normalise({"text": -1.0, "type": 1.0})["type"] == 1.0
    assert normalise({})["text"] == pytest.approx(1 / len(FACTORS))
