"""The edge every request passes, in both run modes.

Outermost first: request id, access log, body limit (before anything reads
a body or routes), authentication, rate limit, refusal of bad keys, then the
dispatcher that hands the request to the owning service or to the gateway's
own app. All pure ASGI: the edge must cost little next to the service.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.authentication import AuthenticationMiddleware, KeyStore, RefuseUnauthenticated
from gateway.config import GatewaySettings
from gateway.routing import service_for
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

    app: ASGIApp = _Dispatcher(own, upstreams)
    app = RefuseUnauthenticated(app)
    app = AuthenticationMiddleware(app, store, gateway.anonymous_rate_limit_per_minute)
    app = BodyLimitMiddleware(app, limit_for=limit_for)
    app = AccessLogMiddleware(app, service="gateway")
    app = RequestIdMiddleware(app)
    app.state = own.state  # type: ignore[attr-defined]
    return app
