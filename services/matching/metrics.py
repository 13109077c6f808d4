"""Ranking quality over graded judgments: nDCG@k, reciprocal rank, recall@k.

A ranking is a sequence of ids, best first; judgments map ids to grades
(3 ideal, 2 good, 1 marginal; an id not judged is 0). The functions are pure so
the matching service (learning from outcomes) and the offline evaluation
(``kyodo eval matching``) measure the same way. An id repeated in a ranking
counts once, at its first position: a ranking cannot earn twice for one item.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "RELEVANT_GRADE",
    "dcg",
    "mean",
    "ndcg_at_k",
    "recall_at_k",
    "reciprocal_rank",
]

RELEVANT_GRADE = 2
"""The lowest grade that counts as relevant for MRR and recall ("good" or "ideal"):
a marginal (grade 1) partner is not one an organisation would call first."""


def _unique(ranking: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ranking))


def dcg(grades: Sequence[float]) -> float:
    """Discounted cumulative gain: Σ (2^grade − 1) / log2(position + 1), positions from 1."""
    return sum(
        (2.0**grade - 1.0) / math.log2(position + 2) for position, grade in enumerate(grades)
    )


def ndcg_at_k(ranking: Sequence[str], judgments: Mapping[str, float], k: int) -> float:
    """nDCG of the first ``k`` ranked ids, against the ideal order of every judged id.

    0.0 when nothing is judged relevant at all (no ideal gain to reach).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    ideal = dcg(sorted((g for g in judgments.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    gained = dcg([judgments.get(item, 0) for item in _unique(ranking)[:k]])
    return gained / ideal


def reciprocal_rank(
    ranking: Sequence[str], judgments: Mapping[str, float], *, threshold: float = RELEVANT_GRADE
) -> float:
    """1 / the position of the first id graded ``threshold`` or more; 0.0 if none is ranked.

    Averaged over issues this is MRR.
    """
    for position, item in enumerate(_unique(ranking), start=1):
        if judgments.get(item, 0) >= threshold:
            return 1.0 / position
    return 0.0


def recall_at_k(
    ranking: Sequence[str],
    judgments: Mapping[str, float],
    k: int,
    *,
    threshold: float = RELEVANT_GRADE,
) -> float:
    """The share of ids graded ``threshold`` or more that are in the first ``k``.

    0.0 when no id reaches the threshold.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    relevant = {item for item, grade in judgments.items() if grade >= threshold}
    if not relevant:
        return 0.0
    return len(relevant.intersection(_unique(ranking)[:k])) / len(relevant)


def mean(values: Iterable[float]) -> float:
    """The arithmetic mean; 0.0 for no values (an empty evaluation scores nothing)."""
    items = list(values)
    return math.fsum(items) / len(items) if items else 0.0
