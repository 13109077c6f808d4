"""Learning factor weights from outcomes (agreed or declined matches).

Pure functions, no database: the service hands over feedback rows (the factor
values a candidate had when it was proposed, and whether the match went on to
an agreement) and the weights in use, and gets back fitted weights with the
evidence to decide whether to apply them.

Held-out evaluation is by issue: the issues whose feedback judges the fit are
never seen while fitting, as a new issue would not be. Weights stay
non-negative (a good factor value must never lower a score) and sum to 1,
like configured weights.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupShuffleSplit

from services.matching.engine.types import FACTORS
from services.matching.metrics import mean, ndcg_at_k

__all__ = ["MIN_GAIN", "MIN_ROWS", "FeedbackRow", "FitResult", "fit_weights", "normalise"]

MIN_ROWS = 20
"""Fewer decided matches than this teach nothing reliable."""
MIN_GAIN = 0.01
"""The held-out nDCG gain below which fitted weights are not worth a change."""
_SIGNIFICANCE = 2.5
"""Standard errors the mean per-issue gain must clear: noise does not count as better."""


@dataclass(frozen=True)
class FeedbackRow:
    """One decided match: its issue, its candidate's factor values when proposed, the outcome."""

    issue_id: str
    values: Mapping[str, float]
    """Factor name -> value in 0..1 (names from ``FACTORS``; missing ones count as 0)."""
    label: int
    """1: accepted (agreed, in progress, completed, reviewed); 0: declined or withdrawn."""


@dataclass(frozen=True)
class FitResult:
    """Fitted weights and how they ranked held-out feedback compared with the current ones."""

    weights: dict[str, float]
    """The fitted weights (every factor, summing to 1); the current ones when nothing was fitted.
    Apply them only when ``improved``."""
    before: float
    """Mean nDCG of the current weights on the held-out issues (0.0 when nothing was fitted)."""
    after: float
    """Mean nDCG of the fitted weights on the same issues (0.0 when nothing was fitted)."""
    improved: bool
    train_size: int
    """Rows the fit learned from; 0 when nothing was fitted."""
    holdout_size: int
    reason: str | None = None
    """Why nothing was fitted, or why the fit is not an improvement."""
    per_issue_gain: list[float] = field(default_factory=list, repr=False)


def normalise(weights: Mapping[str, float]) -> dict[str, float]:
    """Every factor's weight, negatives as 0, scaled to sum 1 (equal weights if all are 0)."""
    clipped = {name: max(0.0, float(weights.get(name, 0.0))) for name in FACTORS}
    total = math.fsum(clipped.values())
    if total <= 0:
        return {name: 1.0 / len(FACTORS) for name in FACTORS}
    return {name: value / total for name, value in clipped.items()}


def fit_weights(
    feedback: Sequence[FeedbackRow],
    current: Mapping[str, float],
    *,
    holdout: float = 0.3,
    seed: int = 0,
) -> FitResult:
    """Fit factor weights to outcomes with a logistic regression and judge them on held-out issues.

    ``holdout`` is the share of issues kept out of the fit. ``improved`` is true only when
    the fitted weights rank the held-out issues' accepted candidates higher than
    ``current`` does, by at least ``MIN_GAIN`` mean nDCG and clearly beyond noise.
    """
    if not 0 < holdout < 1:
        raise ValueError("holdout must be between 0 and 1")
    rows = list(feedback)
    current_weights = normalise(current)
    if problem := _unfit_reason(rows):
        return _not_fitted(current_weights, problem)
    train, test = _split_by_issue(rows, holdout, seed)
    if problem := _split_reason(train, test):
        return _not_fitted(current_weights, problem)
    fitted = _logistic_weights(train)
    if fitted is None:
        return _not_fitted(current_weights, "no factor makes acceptance more likely")
    return _judge(fitted, current_weights, train, test)


def _unfit_reason(rows: Sequence[FeedbackRow]) -> str | None:
    for row in rows:
        if row.label not in (0, 1):
            raise ValueError(f"label must be 0 or 1, got {row.label!r}")
    if len(rows) < MIN_ROWS:
        return f"not enough feedback: {len(rows)} decided matches, at least {MIN_ROWS} needed"
    if len({row.label for row in rows}) < 2:
        return "feedback has only one outcome (all accepted or all declined)"
    if len({row.issue_id for row in rows}) < 2:
        return "feedback covers one issue only; held-out issues are needed to judge a fit"
    return None


def _split_reason(train: Sequence[FeedbackRow], test: Sequence[FeedbackRow]) -> str | None:
    if len({row.label for row in train}) < 2:
        return "the issues kept for fitting have only one outcome"
    if not _informative_groups(test):
        return "no held-out issue has both an accepted and a declined candidate"
    return None


def _not_fitted(current: dict[str, float], reason: str) -> FitResult:
    return FitResult(current, 0.0, 0.0, False, 0, 0, reason)


def _split_by_issue(
    rows: Sequence[FeedbackRow], holdout: float, seed: int
) -> tuple[list[FeedbackRow], list[FeedbackRow]]:
    splitter = GroupShuffleSplit(n_splits=1, test_size=holdout, random_state=seed)
    groups = [row.issue_id for row in rows]
    train_index, test_index = next(splitter.split(np.zeros(len(rows)), groups=groups))
    return [rows[i] for i in train_index], [rows[i] for i in test_index]


def _matrix(rows: Sequence[FeedbackRow]) -> np.ndarray:
    return np.array([[float(row.values.get(name, 0.0)) for name in FACTORS] for row in rows])


def _logistic_weights(train: Sequence[FeedbackRow]) -> dict[str, float] | None:
    # Unscaled features on purpose: factor values share the 0..1 scale of a score,
    # so coefficients read directly as weights. Balanced classes: declines are
    # rarer or commoner by habit, not by what the factors say.
    model = LogisticRegression(class_weight="balanced", max_iter=1000)
    model.fit(_matrix(train), [row.label for row in train])
    coefficients = dict(zip(FACTORS, model.coef_[0], strict=True))
    if all(value <= 0 for value in coefficients.values()):
        return None
    return normalise(coefficients)


def _informative_groups(rows: Sequence[FeedbackRow]) -> dict[str, list[FeedbackRow]]:
    """Issues whose feedback can tell two rankings apart: both outcomes present."""
    groups: dict[str, list[FeedbackRow]] = defaultdict(list)
    for row in rows:
        groups[row.issue_id].append(row)
    return {key: group for key, group in groups.items() if len({r.label for r in group}) == 2}


def _group_ndcg(group: Sequence[FeedbackRow], weights: Mapping[str, float]) -> float:
    # Ties go against the ranking (declined first), so a flat score earns nothing by luck.
    scored = sorted(
        range(len(group)),
        key=lambda i: (-_score(group[i], weights), group[i].label),
    )
    ranking = [str(i) for i in scored]
    judgments = {str(i): float(row.label) for i, row in enumerate(group)}
    return ndcg_at_k(ranking, judgments, len(group))


def _score(row: FeedbackRow, weights: Mapping[str, float]) -> float:
    return math.fsum(weights[name] * float(row.values.get(name, 0.0)) for name in FACTORS)


def _judge(
    fitted: dict[str, float],
    current: dict[str, float],
    train: Sequence[FeedbackRow],
    test: Sequence[FeedbackRow],
) -> FitResult:
    groups = list(_informative_groups(test).values())
    before = [_group_ndcg(group, current) for group in groups]
    after = [_group_ndcg(group, fitted) for group in groups]
    gains = [a - b for a, b in zip(after, before, strict=True)]
    mean_before, mean_after = mean(before), mean(after)
    improved, reason = _verdict(gains)
    return FitResult(
        fitted, mean_before, mean_after, improved, len(train), len(test), reason, gains
    )


def _verdict(gains: Sequence[float]) -> tuple[bool, str | None]:
    gain = mean(gains)
    if gain < MIN_GAIN:
        return False, f"held-out nDCG gain {gain:+.3f} is below {MIN_GAIN}"
    if len(gains) < 2:
        return False, "one held-out issue cannot tell an improvement from chance"
    spread = _standard_error(gains)
    if gain <= _SIGNIFICANCE * spread:
        return False, f"held-out nDCG gain {gain:+.3f} is within noise (±{spread:.3f})"
    return True, None


def _standard_error(values: Sequence[float]) -> float:
    average = mean(values)
    variance = math.fsum((v - average) ** 2 for v in values) / (len(values) - 1)
    return math.sqrt(variance / len(values))
