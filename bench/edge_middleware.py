"""Per-request cost of the edge's middleware: metrics, safety headers, rate limit.

Each layer wraps a bare ASGI app that answers at once and is called directly
(no server, no HTTP parsing), so the difference to the bare app is the layer's
own cost. Paths are drawn from the checked-in contract with fresh ids, as
traffic would be. Run: ``.venv/bin/python -m bench.edge_middleware``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.metrics import GatewayMetrics, MetricsMiddleware, RouteTemplates, route_labels
from gateway.ratelimit import MemoryRateLimiter, Policy, RateLimitMiddleware
from gateway.routing import service_for
from gateway.security import SecurityHeadersMiddleware

CONTRACT = Path(__file__).resolve().parents[1] / "openapi" / "kyodo.json"
REQUESTS = 20_000
ROUNDS = 7


async def bare(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def _ignore(message: Message) -> None:
    pass


async def _nothing() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def scopes(templates: list[str], count: int) -> list[Scope]:
    paths = [
        "/".join(
            uuid.uuid4().hex if "{" in s else s for s in templates[i % len(templates)].split("/")
        )
        for i in range(count)
    ]
    return [
        {
            "type": "http",
            "method": "GET",
            "path": path,
            "scheme": "https",
            "headers": [(b"host", b"api.example"), (b"authorization", b"Bearer k")],
        }
        for path in paths
    ]


async def per_request_us(app: ASGIApp, requests: list[Scope]) -> float:
    best = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for scope in requests:
            await app(scope, _nothing, _ignore)
        best.append((time.perf_counter() - started) / len(requests) * 1e6)
    return statistics.median(best)


def layers(templates: list[str]) -> dict[str, Callable[[ASGIApp], ASGIApp]]:
    route_of = route_labels(RouteTemplates(templates), service_for)
    limiter = MemoryRateLimiter()

    def policy(scope: Scope) -> Policy:
        return Policy(key="client:bench", limit_per_minute=1_000_000_000, name="client")

    return {
        "metrics": lambda app: MetricsMiddleware(app, GatewayMetrics(), route_of),
        "security headers": lambda app: SecurityHeadersMiddleware(app),
        "rate limit (memory)": lambda app: RateLimitMiddleware(app, limiter, policy),
    }


async def main() -> None:
    templates = list(json.loads(CONTRACT.read_text(encoding="utf-8"))["paths"])
    requests = scopes(templates, REQUESTS)
    baseline = await per_request_us(bare, requests)
    print(f"bare app: {baseline:.2f} µs/request")
    route_us = time.perf_counter()
    trie = RouteTemplates(templates)
    for scope in requests:
        trie.match(scope["path"])
    route_us = (time.perf_counter() - route_us) / len(requests) * 1e6
    print(f"route template lookup alone: {route_us:.2f} µs")
    all_layers = bare
    for name, wrap in layers(templates).items():
        cost = await per_request_us(wrap(bare), requests) - baseline
        print(f"+ {name}: {cost:.2f} µs/request")
        all_layers = wrap(all_layers)
    total = await per_request_us(all_layers, requests) - baseline
    print(f"all three: {total:.2f} µs/request")


if __name__ == "__main__":
    asyncio.run(main())
