"""A minimal edge in front of :class:`gateway.proxy.HttpService`, for tests only.

The real edge (authentication, limits) is assembled in :mod:`gateway.main`;
here a request gets a request id, optionally a trace context, and the caller
the test names is put in the scope, as the edge would after checking a key.
:func:`forwarding` calls it in-process; :func:`serving` serves it with uvicorn
on a real port, for callers that hang up, trickle or stall over a socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.config import GatewaySettings
from gateway.proxy import HttpService
from gateway.routing import service_for
from gateway.tracing import TraceContextMiddleware
from services.common.auth import CLIENT_SCOPE_KEY, Client
from services.common.requestid import RequestIdMiddleware
from tests.gateway.processes import free_port

__all__ = ["SECRET", "Recorder", "forwarding", "serving", "settings"]

SECRET = "proxy-test-internal-secret"


def settings(**overrides: Any) -> GatewaySettings:
    """Short timeouts and a small breaker threshold: failures show quickly."""
    values: dict[str, Any] = {
        "connect_timeout_seconds": 2.0,
        "read_timeout_seconds": 10.0,
        "retry_attempts": 1,
        "breaker_failure_threshold": 3,
        "breaker_reset_seconds": 1.0,
        "pool_size": 10,
    }
    return GatewaySettings(**{**values, **overrides})


class Recorder:
    """The upstream errors the proxy reported, and the scopes the edge saw."""

    def __init__(self, then: Callable[[str], None] | None = None) -> None:
        self.errors: list[str] = []
        self.scopes: list[Scope] = []
        self.then = then

    def __call__(self, service: str, kind: str) -> None:
        self.errors.append(kind)
        if self.then is not None:
            self.then(kind)


AS_HEADER = b"x-test-as"


def _edge(
    upstreams: dict[str, HttpService], default: HttpService, clients: dict[str, Client], trace: bool
) -> tuple[ASGIApp, list[Scope]]:
    seen: list[Scope] = []

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        headers = scope["headers"]
        chosen = dict(headers).get(AS_HEADER, b"").decode() or "default"
        if chosen in clients:
            headers = [(k, v) for k, v in headers if k != AS_HEADER]
            scope = {**scope, "headers": headers, CLIENT_SCOPE_KEY: clients[chosen]}
        seen.append(scope)
        name = service_for(scope["path"])
        await upstreams.get(name or "", default)(scope, receive, send)

    app: ASGIApp = TraceContextMiddleware(dispatch) if trace else dispatch
    return RequestIdMiddleware(app), seen


@asynccontextmanager
async def forwarding(
    service: HttpService,
    *others: HttpService,
    client: Client | None = None,
    clients: dict[str, Client] | None = None,
    trace: bool = False,
    scopes: list[Scope] | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of a test edge in front of ``service`` and ``others``: a path
    goes to the service :func:`gateway.routing.service_for` names, else to ``service``.

    The edge puts ``client`` in the scope as the authenticated caller, or the
    one of ``clients`` a request names in ``X-Test-As``; ``scopes`` collects
    the scopes the edge handed on.
    """
    callers = dict(clients or {})
    if client is not None:
        callers["default"] = client
    upstreams = {upstream.name: upstream for upstream in (service, *others)}
    app, seen = _edge(upstreams, service, callers, trace)
    async with AsyncExitStack() as stack:
        for upstream in upstreams.values():
            await stack.enter_async_context(upstream.lifespan())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            yield http
    if scopes is not None:
        scopes.extend(seen)


@asynccontextmanager
async def serving(service: HttpService) -> AsyncIterator[int]:
    """The test edge in front of ``service``, served by uvicorn on a free port of
    127.0.0.1 in this event loop (the port is yielded)."""
    app, _ = _edge({service.name: service}, service, {}, False)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning",
        access_log=False, timeout_graceful_shutdown=2,
    )  # fmt: skip
    server = uvicorn.Server(config)
    async with service.lifespan():
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if task.done():
                    task.result()  # it failed to start: say why
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.01)
            yield port
        finally:
            server.should_exit = True
            await task
