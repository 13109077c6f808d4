"""``kyodo eval``: measure the platform's rankings against labelled sets."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

__all__ = ["eval_app"]

eval_app = typer.Typer(help="Measure ranking quality against labelled sets.", no_args_is_help=True)
EXIT_REFUSED, EXIT_MALFORMED = 1, 2


@eval_app.command("matching")
def matching(
    url: Annotated[
        str | None,
        typer.Option(help="A running gateway; an embedded one in a temp dir when omitted."),
    ] = None,
    key: Annotated[
        str | None, typer.Option(help="Admin key for --url (default: this machine's admin key).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    per_issue: Annotated[bool, typer.Option("--per-issue", help="Add a row per issue.")] = False,
    limit: Annotated[int, typer.Option(min=10, max=100, help="Candidates asked per issue.")] = 20,
) -> None:
    """Score the engine's candidates for the labelled issues beside a TF-IDF baseline.

    Exits 2 when the platform's answers break the contract, 1 when it refuses a request.
    """
    from kyodo.evaluation.matching import run_matching_evaluation
    from kyodo.evaluation.platform import EvaluationError, MalformedAnswer
    from kyodo.evaluation.report import print_report

    errors = Console(stderr=True)
    if url and key is None:
        from services.common.settings import get_settings

        key = get_settings().admin_key_value()
    try:
        with _progress(errors) as progress:
            task = progress.add_task("placing the matching set", total=None)
            report = run_matching_evaluation(
                url,
                key,
                limit=limit,
                progress=lambda d, t: progress.update(task, completed=d, total=t),
            )
    except MalformedAnswer as error:
        errors.print(f"[red]✗[/] malformed answer: {error}")
        raise typer.Exit(EXIT_MALFORMED) from error
    except EvaluationError as error:
        errors.print(f"[red]✗[/] {error}")
        raise typer.Exit(EXIT_REFUSED) from error
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=1))
    else:
        out = Console()
        # Piped or captured, rich would squeeze the tables into 80 columns.
        print_report(report, out if out.is_terminal else Console(width=160), per_issue=per_issue)


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        disable=not sys.stderr.isatty(),
        transient=True,
    )
