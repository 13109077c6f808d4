"""The evaluation as terminal tables: the summary, per-issue rows, the hard cases."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from kyodo.evaluation.matching import SYSTEMS, MatchingReport

__all__ = ["print_report"]

MEASURES = ("ndcg@10", "mrr", "recall@5")


def print_report(report: MatchingReport, console: Console, *, per_issue: bool = False) -> None:
    """Engine and baseline side by side, then the hard cases and what each system got wrong."""
    size = report.set_size
    console.print(
        f"Matching set: {size['issues']} issues, {size['resources']} resources, "
        f"{size['organizations']} organisations; candidates limit={report.limit}"
    )
    console.print(_summary(report))
    if per_issue:
        console.print(_per_issue(report))
    console.print(_hard_case_kinds(report))
    misses = _engine_misses(report)
    if misses.row_count:
        console.print(misses)


def _summary(report: MatchingReport) -> Table:
    table = Table(title="Mean over issues", caption="MRR and recall@5 count grade ≥ 2 as relevant")
    table.add_column("measure")
    for system in SYSTEMS:
        table.add_column(system, justify="right")
    table.add_column("engine − baseline", justify="right")
    summary = report.summary()
    for measure in MEASURES:
        engine, baseline = summary["engine"][measure], summary["baseline"][measure]
        table.add_row(measure, f"{engine:.3f}", f"{baseline:.3f}", f"{engine - baseline:+.3f}")
    return table


def _per_issue(report: MatchingReport) -> Table:
    table = Table(title="Per issue (engine | baseline)")
    table.add_column("issue")
    for measure in MEASURES:
        table.add_column(measure, justify="right")
    for issue in report.issues:
        engine, baseline = issue.scores["engine"].as_dict(), issue.scores["baseline"].as_dict()
        cells = [f"{engine[m]:.2f} | {baseline[m]:.2f}" for m in MEASURES]
        table.add_row(f"{issue.title}\n[dim]{issue.key}[/]", *cells)
    return table


def _hard_case_kinds(report: MatchingReport) -> Table:
    table = Table(
        title="Hard cases got wrong, by kind",
        caption="wrong: relevant (grade ≥ 2) but not in the top 10,\n"
        "or a trap (grade ≤ 1) in the top 5 ahead of a relevant one",
    )
    table.add_column("kind")
    table.add_column("cases", justify="right")
    for system in SYSTEMS:
        table.add_column(f"{system} wrong", justify="right")
    cases = Counter(case.kind for case in report.hard_cases)
    wrong = {s: Counter(c.kind for c in report.hard_cases if c.wrong[s]) for s in SYSTEMS}
    for kind, count in sorted(cases.items()):
        table.add_row(kind, str(count), *(str(wrong[s][kind]) for s in SYSTEMS))
    return table


def _engine_misses(report: MatchingReport) -> Table:
    table = Table(title="Hard cases the engine gets wrong")
    for column in ("issue", "resource", "kind", "grade", "engine rank", "baseline rank"):
        table.add_column(column)
    for case in report.hard_cases:
        if case.wrong["engine"]:
            table.add_row(
                case.issue,
                f"{case.resource}\n[dim]{case.note}[/]",
                case.kind,
                str(case.grade),
                _rank(case.ranks["engine"]),
                _rank(case.ranks["baseline"]),
            )
    return table


def _rank(rank: int | None) -> str:
    return "—" if rank is None else str(rank)
