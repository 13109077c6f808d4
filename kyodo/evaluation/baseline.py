"""The text-only baseline: character n-gram TF-IDF, cosine similarity, nothing else.

It knows no geography, types, fields or dates, so it shows what the engine's
other factors add. Like any platform, it never proposes an organisation's own
resources for its own issue.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from kyodo.evaluation.dataset import MatchingSet

__all__ = ["tfidf_rankings"]


def tfidf_rankings(matching_set: MatchingSet, depth: int) -> dict[str, list[str]]:
    """Issue key -> the ``depth`` best resource keys by cosine of title+description."""
    resources = matching_set.resources
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3))
    matrix = vectorizer.fit_transform([r.text for r in resources])
    queries = vectorizer.transform([issue.text for issue in matching_set.issues])
    similarity = cosine_similarity(queries, matrix)
    rankings: dict[str, list[str]] = {}
    for row, issue in zip(similarity, matching_set.issues, strict=True):
        own = matching_set.resources_of(issue.organization)
        # Stable sort on the negated score: ties keep the set's order, run after run.
        order = sorted(range(len(resources)), key=lambda i: -row[i])
        ranked = [resources[i].key for i in order if resources[i].key not in own]
        rankings[issue.key] = ranked[:depth]
    return rankings
