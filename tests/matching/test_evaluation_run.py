"""``kyodo eval matching``: the runner's checks, the baseline, and the real evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kyodo.cli import app
from kyodo.evaluation import matching as runner
from kyodo.evaluation.baseline import tfidf_rankings
from kyodo.evaluation.dataset import load_matching_set
from kyodo.evaluation.platform import MalformedAnswer

MATCHING_SERVICE = Path(__file__).resolve().parents[2] / "services" / "matching" / "main.py"
MARGIN = 0.1
SET = load_matching_set()


def item(resource_id: str = "r1", score: float = 0.9, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "resource_id": resource_id,
        "organization_id": "o1",
        "score": score,
        "factors": {"text": {"value": 0.5, "weight": 0.4, "contribution": 0.2}, "type": 1.0},
        "matched_terms": ["子供"],
    }
    body.update(overrides)
    return body


def test_a_well_formed_answer_gives_its_resource_ids_best_first():
    answer = {"items": [item("r1", 0.9), item("r2", 0.9), item("x", 0.1, organization_id="o9")]}

    assert runner.checked_candidates(answer, limit=20, owners={"r1": "o1"}) == ["r1", "r2", "x"]


@pytest.mark.parametrize(
    "answer",
    [
        [],
        {"data": []},
        {"items": [item(resource_id=7)]},
        {"items": [item(score="high")]},
        {"items": [item(score=float("nan"))]},
        {"items": [item(factors=[0.5])]},
        {"items": [item(factors={"text": {"weight": 0.4}})]},
        {"items": [item(matched_terms="子供")]},
        {"items": [item("r1", 0.5), item("r2", 0.8)]},
        {"items": [item("r1", 0.9), item("r1", 0.8)]},
        {"items": [item("r1", organization_id="o2")]},
        {"items": [item(f"r{n}", 1 - n / 100) for n in range(21)]},
    ],
    ids=[
        "list",
        "no-items",
        "id",
        "score",
        "nan",
        "factors",
        "factor",
        "terms",
        "order",
        "twice",
        "owner",
        "too-many",
    ],
)
def test_a_malformed_answer_is_refused(answer):
    with pytest.raises(MalformedAnswer):
        runner.checked_candidates(answer, limit=20, owners={"r1": "o1"})


def test_the_cli_exits_non_zero_on_malformed_answers(monkeypatch):
    def malformed(*args, **kwargs):
        raise MalformedAnswer("issue:x: item 1: score is not a finite number")

    monkeypatch.setattr(runner, "run_matching_evaluation", malformed)

    result = CliRunner().invoke(app, ["eval", "matching"])

    assert result.exit_code == 2


def test_the_baseline_never_proposes_the_issue_organisations_own_resources():
    rankings = tfidf_rankings(SET, 20)

    for issue in SET.issues:
        assert len(rankings[issue.key]) == 20
        assert not set(rankings[issue.key]) & SET.resources_of(issue.organization)


def test_the_baseline_reads_text_only_so_a_far_lookalike_ranks_high():
    rankings = tfidf_rankings(SET, 20)

    assert "res:kinko-nihongo" in rankings["issue:utsunomiya-nihongo"][:3]


def test_a_trap_is_wrong_only_ahead_of_a_relevant_resource():
    judgments = {"good": 3, "fine": 2}

    assert runner._misplaced(0, 1, ["trap", "good", "fine"], judgments)
    assert not runner._misplaced(0, 3, ["good", "fine", "trap"], judgments)
    assert not runner._misplaced(0, 6, ["a", "b", "c", "d", "e", "trap"], judgments)
    assert runner._misplaced(3, None, ["a"], judgments)
    assert not runner._misplaced(3, 10, ["a"], judgments)


@pytest.mark.skipif(not MATCHING_SERVICE.exists(), reason="the matching service is not here yet")
def test_the_engine_beats_the_text_only_baseline_by_a_clear_margin():
    result = CliRunner().invoke(app, ["eval", "matching", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    engine, baseline = report["summary"]["engine"], report["summary"]["baseline"]
    assert len(report["issues"]) == len(SET.issues)
    assert engine["ndcg@10"] >= baseline["ndcg@10"] + MARGIN, report["summary"]
    assert engine["recall@5"] >= baseline["recall@5"] + MARGIN, report["summary"]
