"""``kyodo eval matching``: how well the engine ranks partners for the labelled issues.

The set is placed in a platform through the API, each issue's candidates are
read back (``GET /v1/issues/{id}/candidates``) and scored against the graded
judgments: nDCG@10, MRR (grade ≥ 2 counts as relevant) and recall@5, averaged
over issues. The same measures are computed for a text-only TF-IDF baseline
over the same resources, so the table says what the engine's other factors add.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from kyodo.evaluation.baseline import tfidf_rankings
from kyodo.evaluation.dataset import IssueEntry, MatchingSet, load_matching_set
from kyodo.evaluation.metrics import (
    RELEVANT_GRADE,
    mean,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)
from kyodo.evaluation.platform import (
    MalformedAnswer,
    Placed,
    Progress,
    embedded_platform,
    place_matching_set,
    remote_platform,
)

__all__ = [
    "DEFAULT_LIMIT",
    "SYSTEMS",
    "HardCaseResult",
    "IssueResult",
    "MatchingReport",
    "Scores",
    "checked_candidates",
    "evaluate_matching",
    "run_matching_evaluation",
]

DEFAULT_LIMIT = 20
SYSTEMS = ("engine", "baseline")
NDCG_K, RECALL_K = 10, 5


@dataclass(frozen=True)
class Scores:
    ndcg_at_10: float
    mrr: float
    recall_at_5: float

    @classmethod
    def of(cls, ranking: Sequence[str], judgments: Mapping[str, int]) -> Scores:
        return cls(
            ndcg_at_k(ranking, judgments, NDCG_K),
            reciprocal_rank(ranking, judgments),
            recall_at_k(ranking, judgments, RECALL_K),
        )

    def as_dict(self) -> dict[str, float]:
        return {"ndcg@10": self.ndcg_at_10, "mrr": self.mrr, "recall@5": self.recall_at_5}


@dataclass(frozen=True)
class IssueResult:
    key: str
    title: str
    rankings: dict[str, list[str]]
    """System -> resource keys, best first (ids the set does not know: "?<id>")."""
    scores: dict[str, Scores]


@dataclass(frozen=True)
class HardCaseResult:
    """Where each system put one hard case, and whether the engine got it wrong.

    A case graded 2 or 3 is wrong when it is not in the top 10; one graded 0 or 1
    (a trap) is wrong when it is in the top 5 ahead of a relevant resource.
    """

    issue: str
    resource: str
    kind: str
    note: str
    grade: int
    ranks: dict[str, int | None]
    wrong: dict[str, bool]


@dataclass
class MatchingReport:
    limit: int
    set_size: dict[str, int]
    issues: list[IssueResult] = field(default_factory=list)
    hard_cases: list[HardCaseResult] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, float]]:
        """System -> measure -> mean over issues."""
        return {
            system: {
                measure: mean(issue.scores[system].as_dict()[measure] for issue in self.issues)
                for measure in ("ndcg@10", "mrr", "recall@5")
            }
            for system in SYSTEMS
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "set": self.set_size,
            "limit": self.limit,
            "summary": self.summary(),
            "issues": [
                {
                    "key": issue.key,
                    "title": issue.title,
                    **{s: issue.scores[s].as_dict() for s in SYSTEMS},
                    "rankings": {s: issue.rankings[s][:NDCG_K] for s in SYSTEMS},
                }
                for issue in self.issues
            ],
            "hard_cases": [case.__dict__ for case in self.hard_cases],
        }


def run_matching_evaluation(
    url: str | None = None,
    admin_key: str | None = None,
    *,
    limit: int = DEFAULT_LIMIT,
    progress: Progress | None = None,
) -> MatchingReport:
    """Evaluate against the platform at ``url``, or an embedded one in a temporary directory."""
    matching_set = load_matching_set()
    if url:
        if not admin_key:
            raise ValueError("an admin key is needed to write to a platform at a URL")
        platform = remote_platform(url, admin_key)
    else:
        platform = embedded_platform()
    with platform as (client, key):
        return evaluate_matching(client, key, matching_set, limit=limit, progress=progress)


def evaluate_matching(
    client: httpx.Client,
    admin_key: str,
    matching_set: MatchingSet,
    *,
    limit: int = DEFAULT_LIMIT,
    progress: Progress | None = None,
) -> MatchingReport:
    """Place the set, read every issue's candidates and score them beside the baseline."""
    placed = place_matching_set(client, admin_key, matching_set, progress)
    baseline = tfidf_rankings(matching_set, limit)
    report = MatchingReport(
        limit=limit,
        set_size={
            "organizations": len(matching_set.organizations),
            "resources": len(matching_set.resources),
            "issues": len(matching_set.issues),
        },
    )
    for issue in matching_set.issues:
        engine = _engine_ranking(client, issue, placed, matching_set, limit)
        rankings = {"engine": engine, "baseline": baseline[issue.key]}
        scores = {s: Scores.of(rankings[s], issue.judgments) for s in SYSTEMS}
        report.issues.append(IssueResult(issue.key, issue.title, rankings, scores))
        report.hard_cases.extend(_hard_cases(issue, rankings))
    return report


def _engine_ranking(
    client: httpx.Client, issue: IssueEntry, placed: Placed, matching_set: MatchingSet, limit: int
) -> list[str]:
    path = f"/v1/issues/{placed.issues[issue.key]}/candidates"
    response = client.get(path, params={"limit": limit})
    if response.status_code != 200:
        raise MalformedAnswer(f"GET {path} ({issue.key}) answered HTTP {response.status_code}")
    owners = {
        placed.resources[r.key]: placed.organizations[r.organization]
        for r in matching_set.resources
    }
    ids = checked_candidates(response.json(), limit=limit, owners=owners, where=issue.key)
    keys = placed.resource_keys()
    return [keys.get(rid, f"?{rid}") for rid in ids]


def checked_candidates(
    body: Any, *, limit: int, owners: Mapping[str, str], where: str = "candidates"
) -> list[str]:
    """The resource ids of a candidates answer, best first, after checking its shape.

    Raises MalformedAnswer when the answer breaks the contract: no ``items`` list,
    items without a string ``resource_id``/``organization_id``, a non-finite score,
    ``factors`` not an object of name -> number or {value, weight, contribution},
    ``matched_terms`` not a list of strings, a resource twice, scores not in
    descending order, more items than asked for,
    or a known resource under another organisation (``owners``: resource id ->
    organisation id). Resources the set does not know are allowed (a shared platform).
    """
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise MalformedAnswer(f"{where}: the answer has no items list")
    if len(items) > limit:
        raise MalformedAnswer(f"{where}: {len(items)} items for limit={limit}")
    ids: list[str] = []
    previous = math.inf
    for position, item in enumerate(items, start=1):
        problem = _item_problem(item, owners)
        if problem is None and item["resource_id"] in ids:
            problem = "a resource listed twice"
        if problem is None and item["score"] > previous + 1e-9:
            problem = "scores are not in descending order"
        if problem:
            raise MalformedAnswer(f"{where}: item {position}: {problem}")
        ids.append(item["resource_id"])
        previous = item["score"]
    return ids


def _item_problem(item: Any, owners: Mapping[str, str]) -> str | None:
    if not isinstance(item, dict):
        return "not an object"
    for name in ("resource_id", "organization_id"):
        if not isinstance(item.get(name), str):
            return f"{name} is not a string"
    if not _number(item.get("score")):
        return "score is not a finite number"
    factors = item.get("factors")
    if not isinstance(factors, dict) or not all(_factor(f) for f in factors.values()):
        return "factors is not an object of factor name -> number or {value, weight, …}"
    terms = item.get("matched_terms")
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        return "matched_terms is not a list of strings"
    owner = owners.get(item["resource_id"])
    if owner is not None and owner != item["organization_id"]:
        return "organization_id is not the resource's organisation"
    return None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _factor(factor: Any) -> bool:
    """A factor is a number, or an object of numbers (value, weight, contribution)."""
    if isinstance(factor, dict):
        return _number(factor.get("value")) and all(_number(v) for v in factor.values())
    return _number(factor)


def _hard_cases(issue: IssueEntry, rankings: dict[str, list[str]]) -> list[HardCaseResult]:
    results = []
    for case in issue.hard_cases:
        grade = issue.judgments.get(case.resource, 0)
        ranks = {s: _rank(rankings[s], case.resource) for s in SYSTEMS}
        wrong = {s: _misplaced(grade, ranks[s], rankings[s], issue.judgments) for s in SYSTEMS}
        results.append(
            HardCaseResult(issue.key, case.resource, case.kind, case.note, grade, ranks, wrong)
        )
    return results


def _rank(ranking: Sequence[str], key: str) -> int | None:
    return ranking.index(key) + 1 if key in ranking else None


def _misplaced(
    grade: int, rank: int | None, ranking: Sequence[str], judgments: Mapping[str, int]
) -> bool:
    if grade >= RELEVANT_GRADE:
        return rank is None or rank > NDCG_K
    if rank is None or rank > RECALL_K:
        return False
    # A trap in the top 5 is wrong when some relevant resource is below it or missing.
    above = set(ranking[: rank - 1])
    return any(g >= RELEVANT_GRADE and key not in above for key, g in judgments.items())
