"""``kyodo matching …``: maintenance of the matching service."""

from __future__ import annotations

from typing import Annotated

import anyio
import httpx
import typer
from rich.console import Console
from rich.table import Table

__all__ = ["matching_app"]

matching_app = typer.Typer(
    help="The matching service's read model and weights.", no_args_is_help=True
)
console = Console(stderr=True)


@matching_app.command("rebuild")
def rebuild(
    registry_url: Annotated[
        str | None,
        typer.Option(help="A running registry (distributed mode); in-process when omitted."),
    ] = None,
) -> None:
    """Forget the read model of the registry and read its change feed again from the start."""
    from gateway.main import embedded_services
    from services.matching.readmodel import forget_registry, sync_registry

    services = embedded_services()
    engine = services["matching"].state.engine
    forget_registry(engine)

    async def follow() -> int:
        transport = None if registry_url else httpx.ASGITransport(app=services["registry"])
        base = registry_url or "http://registry"
        async with httpx.AsyncClient(base_url=base, transport=transport, timeout=30) as client:
            return await sync_registry(engine, client)

    applied = anyio.run(follow)
    console.print(f"[green]✓[/] matching read model rebuilt: {applied} registry changes applied")


@matching_app.command("fit-weights")
def fit_weights_command() -> None:
    """Fit the factor weights to accepted and declined matches; apply them only when they
    rank held-out outcomes better than the weights in use."""
    from gateway.main import embedded_services
    from services.matching.feedback import fit_and_store

    matching = embedded_services()["matching"]
    result = fit_and_store(matching.state.engine, matching.state.weights)
    if result.train_size == 0:
        console.print(f"Not fitted: {result.reason}")
        return
    table = Table(title="Factor weights")
    table.add_column("factor")
    table.add_column("fitted", justify="right")
    for name, weight in result.weights.items():
        table.add_row(name, f"{weight:.3f}")
    console.print(table)
    verdict = "applied" if result.improved else "kept the current weights"
    console.print(
        f"held-out nDCG before {result.before:.3f}, after {result.after:.3f} "
        f"({result.train_size} training rows, {result.holdout_size} held out): {verdict}"
    )
