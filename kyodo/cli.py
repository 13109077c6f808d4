"""The ``kyodo`` command: run, migrate, load demo data, write the contract."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kyodo.evaluation.cli import eval_app
from kyodo.matching_cli import matching_app
from services.common.settings import get_settings

__all__ = ["app"]

app = typer.Typer(
    help="Kyodo (協働): the open backend for local collaboration.", no_args_is_help=True
)
demo_app = typer.Typer(help="The fictional demo city 桜ヶ丘市.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
app.add_typer(eval_app, name="eval")
app.add_typer(matching_app, name="matching")
console = Console(stderr=True)

OPENAPI_DIR = Path("openapi")


@app.command()
def migrate() -> None:
    """Apply the alembic migrations of every service database (SQLite or PostgreSQL)."""
    from gateway.main import embedded_services, gateway_engine
    from migrations.runner import upgrade

    engines = {name: service.state.engine for name, service in embedded_services().items()}
    engines["gateway"] = gateway_engine(get_settings())
    for name, engine in engines.items():
        upgrade(engine, name)
        url = engine.url.render_as_string(hide_password=True)
        console.print(f"[green]✓[/] {name}: migrated ({url})")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo city first.")] = False,
) -> None:
    """Run the embedded platform: the gateway and every service in one process."""
    import uvicorn

    migrate()
    if demo:
        demo_load(url=None, count=300)
    settings = get_settings()
    key_note = (
        "from KYODO_ADMIN_KEY"
        if settings.admin_key is not None
        else f"[bold]{settings.admin_key_value()}[/] (generated, kept in "
        f"{settings.data_dir / 'admin-key'})"
    )
    console.print(
        f"Kyodo on [bold]http://{host}:{port}[/]  (contract: /openapi.json, "
        f"data: {settings.data_dir.resolve()})\nAdmin key: {key_note}; "
        "send it as Authorization: Bearer <key>"
    )
    # uvicorn logs through the root logger we configured (log_config=None).
    uvicorn.run(
        "gateway.main:create_embedded_app",
        factory=True,
        host=host,
        port=port,
        access_log=False,
        log_config=None,
    )


@demo_app.command("load")
def demo_load(
    url: Annotated[
        str | None, typer.Option(help="A running gateway; the embedded platform when omitted.")
    ] = None,
    count: Annotated[int, typer.Option(min=1, max=2000, help="Organisations to create.")] = 300,
) -> None:
    """Load the demo city (idempotent: a second run adds nothing)."""
    from kyodo.demo.loader import load_demo

    admin_key = get_settings().admin_key_value()
    with _client(url) as client, _progress() as progress:
        task = progress.add_task("demo organisations", total=count)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        def describe(text: str) -> None:
            progress.update(task, description=text)

        report = load_demo(
            client, admin_key=admin_key, count=count, progress=advance, phase=describe
        )
    console.print(
        f"[green]✓[/] demo city 桜ヶ丘市: {report.organizations_created} organisations and "
        f"{report.resources_created} resources created, {report.organizations_skipped} "
        f"organisations already there; {report.season_created - report.issues_created} "
        f"calendar items and {report.issues_created} local issues created"
    )


def _client(url: str | None):  # type: ignore[no-untyped-def]
    import httpx

    if url:
        return httpx.Client(base_url=url, timeout=30)
    warnings.filterwarnings("ignore", message=".*httpx2.*")  # in-process client, no network
    from fastapi.testclient import TestClient

    from gateway.main import create_embedded_app

    migrate()
    return TestClient(create_embedded_app(), base_url="http://kyodo.local")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not sys.stderr.isatty(),
    )


@app.command()
def openapi(
    check: Annotated[
        bool, typer.Option("--check", help="Fail if the files differ from the code.")
    ] = False,
) -> None:
    """Write the contract files under openapi/ (or check them)."""
    from kyodo.contract_files import contract_documents, write_or_check

    stale = write_or_check(contract_documents(), OPENAPI_DIR, check=check)
    if check and stale:
        console.print(f"[red]✗[/] out of date: {', '.join(stale)} — run `kyodo openapi`")
        raise typer.Exit(1)
    console.print(f"[green]✓[/] contract {'checked' if check else 'written'} in {OPENAPI_DIR}/")


if __name__ == "__main__":
    app()
