"""Ranking measures for evaluations: the matching service's own, so both measure alike.

They live in ``services.matching.metrics`` because a service must not import
``kyodo``; see that module for the definitions (MRR and recall count grade 2
and above as relevant).
"""

from services.matching.metrics import (
    RELEVANT_GRADE,
    dcg,
    mean,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)

__all__ = ["RELEVANT_GRADE", "dcg", "mean", "ndcg_at_k", "recall_at_k", "reciprocal_rank"]
