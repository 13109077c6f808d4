"""The edge every request passes, in both run modes.

Outermost first: request id (so every answer carries it), trace context,
metrics (every answer counted and timed, 429s included), security headers,
CORS (so a browser can read a 429), the access log, the body limit (before
anything reads a body or routes), authentication, the rate limit (a bad key
is counted against its address first), the refusal of bad keys, then the
dispatcher that hands the request to the owning service or to the gateway's
own app. All pure ASGI: the edge must cost little next to the service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.authentication import (
    CALLER_SCOPE_KEY,
    Authenticated,
    AuthenticationMiddleware,
    KeyStore,
    RefuseUnauthenticated,
)
from gateway.config import GatewaySettings
from gateway.metrics import GatewayMetrics, MetricsMiddleware, RouteTemplates, route_labels
from gateway.proxy import HttpService
from gateway.ratelimit import Policy, RateLimitMiddleware, rate_limiter_for
from gateway.routing import service_for
from gateway.security import DOCS_CSP, SecurityHeadersMiddleware, cors_middleware
from gateway.tracing import TraceContextMiddleware
from gateway.upstream import Upstream
from services.common.bodylimit import BodyLimitMiddleware
from services.common.logging import AccessLogMiddleware
from services.common.requestid import RequestIdMiddleware
from services.common.settings import KyodoSettings

__all__ = ["build_edge"]


class _Dispatcher:
    """Hands each request to the service that owns its path, else to the gateway's app."""

    def __init__(self, gateway: FastAPI, upstreams: Mapping[str, Upstream]) -> None:
        self.gateway = gateway
        self.upstreams = upstreams

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            name = service_for(scope["path"])
            if name is not None:
                await self.upstreams[name](scope, receive, send)
                return
        await self.gateway(scope, receive, send)


# The gateway's own paths outside the contract.
OPERATIONAL_PATHS = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs")
# Probes only: every other path (docs and metrics too) counts, or it would be an
# unlimited oracle for guessing keys. Probes look at no key.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})


def _unlimited(path: str) -> bool:
    return path in UNLIMITED_PATHS


def rate_limit_policy(scope: Scope) -> Policy | None:
    """A client's own bucket for a valid key; the caller's address for anonymous
    callers and bad keys (so guessing keys is throttled like anonymous reading)."""
    if _unlimited(scope["path"]):
        return None
    caller: Authenticated = scope[CALLER_SCOPE_KEY]
    if caller.is_anonymous:
        address = (scope.get("client") or ("unknown", 0))[0]
        return Policy(f"ip:{address}", caller.rate_limit_per_minute, "anonymous")
    return Policy(f"client:{caller.client.id}", caller.rate_limit_per_minute, "client")


def _docs_headers(scope: Scope) -> Mapping[str, str | None] | None:
    path = scope["path"]
    return {"Content-Security-Policy": DOCS_CSP} if path.startswith("/docs") else None


def _lazy_route_of(contract: Callable[[], dict]) -> Callable[[str, str], tuple[str, str]]:
    """Route templates from the merged contract, built on first use (in the distributed
    mode the contract is asked of the services, which may start after the gateway)."""

    @cache
    def route_of() -> Callable[[str, str], tuple[str, str]]:
        paths = [*contract()["paths"], *OPERATIONAL_PATHS]
        return route_labels(RouteTemplates(paths), service_for)

    return lambda method, path: route_of()(method, path)


def build_edge(
    own: FastAPI,
    upstreams: Mapping[str, Upstream],
    settings: KyodoSettings,
    gateway: GatewaySettings,
) -> ASGIApp:
    """Wrap the dispatcher in the edge's middleware; the result carries ``own.state``."""
    store = KeyStore(
        own.state.engine,
        settings.admin_key_value,
        admin_rate_limit=gateway.admin_rate_limit_per_minute,
        cache_seconds=gateway.key_cache_seconds,
    )
    own.state.key_store = store

    def limit_for(path: str) -> int:
        return settings.max_import_bytes if path.endswith("/import") else settings.max_body_bytes

    metrics = GatewayMetrics()
    own.state.metrics = metrics
    for upstream in upstreams.values():
        if isinstance(upstream, HttpService):
            upstream.on_upstream_error = metrics.record_upstream_error
    limiter = rate_limiter_for(gateway)
    own.state.rate_limiter = limiter

    app: ASGIApp = _Dispatcher(own, upstreams)
    app = RefuseUnauthenticated(app)
    app = RateLimitMiddleware(
        app, limiter, rate_limit_policy, on_refusal=metrics.record_rate_limited
    )
    app = AuthenticationMiddleware(app, store, gateway.anonymous_rate_limit_per_minute)
    app = BodyLimitMiddleware(app, limit_for=limit_for)
    app = AccessLogMiddleware(app, service="gateway")
    app = cors_middleware(app, gateway.cors_origins)
    app = SecurityHeadersMiddleware(app, overrides=_docs_headers)
    app = MetricsMiddleware(app, metrics, _lazy_route_of(own.state.contract))
    app = TraceContextMiddleware(app)
    app = RequestIdMiddleware(app)
    app.state = own.state  # type: ignore[attr-defined]
    return app
