"""The gateway: one entry point in front of every service.

In the embedded platform the services run in this process and the gateway
hands each request straight to the owning service's ASGI app (no HTTP hop).
The gateway itself answers ``/healthz``, ``/readyz`` and ``/openapi.json``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.contract import merge
from gateway.routing import service_for
from services.common.openapi import install_openapi, operation_id
from services.common.problems import install_problem_handlers
from services.common.requestid import RequestIdMiddleware
from services.common.settings import KyodoSettings, get_settings

__all__ = ["create_app", "create_embedded_app", "embedded_services", "gateway_app"]

DESCRIPTION = """\
Kyodo (協働) is the open backend for local collaboration in Japan: it matches
local issues (needs) with what organisations can offer (seeds) and runs the
calendar of events and volunteer calls around them.

**Conventions.** Paths under `/v1`; snake_case JSON; times RFC 3339 in +09:00.
Errors are RFC 9457 `application/problem+json` with a stable `type`
(see `x-problem-types`) and per-field `errors`. Lists answer
`{"items": [...], "next_cursor": ...}` with a `Link: rel="next"` header.
Single reads carry an `ETag`; updates and deletes require `If-Match`
(428 without it, 412 when stale, `*` to override). Creates accept an
`Idempotency-Key` (a replay returns the first response). Writes need
`Authorization: Bearer <key>`; reads of public data do not.
"""


class ServiceReadiness(BaseModel):
    """Readiness of every service behind the gateway."""

    status: str
    services: dict[str, Any]


def gateway_app(services: Mapping[str, FastAPI]) -> FastAPI:
    """The gateway's own app: probes, the merged contract, and the services' lifespans."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for service in services.values():
                await stack.enter_async_context(service.router.lifespan_context(service))
            yield

    app = FastAPI(
        title="Kyodo API",
        version="1.0.0",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    install_problem_handlers(app)

    @app.get("/healthz", tags=["operations"], summary="Liveness: the gateway process answers.")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Readiness: every service's database is reachable and migrated.",
        response_model=ServiceReadiness,
        responses={
            503: {"model": ServiceReadiness, "description": "At least one service is not ready."}
        },
    )
    async def readyz() -> JSONResponse:
        results: dict[str, Any] = {}
        for name, service in services.items():
            transport = httpx.ASGITransport(app=service)
            async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
                answer = await client.get("/readyz")
                results[name] = answer.json()
        ready = all(r.get("status") == "ok" for r in results.values())
        body = ServiceReadiness(status="ok" if ready else "unavailable", services=results)
        return JSONResponse(body.model_dump(), status_code=200 if ready else 503)

    install_openapi(app, description=DESCRIPTION)
    own_openapi = app.openapi

    def contract() -> dict[str, Any]:
        return merge(own_openapi(), {name: s.openapi() for name, s in services.items()})

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json() -> JSONResponse:
        return JSONResponse(contract())

    app.state.contract = contract
    return app


class _Dispatcher:
    """Hands each request to the service that owns its path, else to the gateway."""

    def __init__(self, gateway: FastAPI, services: Mapping[str, ASGIApp]) -> None:
        self.gateway = gateway
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            name = service_for(scope["path"])
            if name is not None:
                await self.services[name](scope, receive, send)
                return
        await self.gateway(scope, receive, send)


def create_app(services: Mapping[str, FastAPI]) -> ASGIApp:
    """The gateway in front of in-process ``services`` (name -> app)."""
    gateway = gateway_app(services)
    app = RequestIdMiddleware(_Dispatcher(gateway, services))
    app.state = gateway.state  # type: ignore[attr-defined]
    return app


def embedded_services(
    settings: KyodoSettings | None = None, database_urls: Mapping[str, str] | None = None
) -> dict[str, FastAPI]:
    """Every service, configured for the embedded platform.

    ``database_urls`` (service -> URL) overrides each service's own setting.
    Services that follow another's feed reach it in-process.
    """
    from services.events.config import EventsSettings
    from services.events.main import create_app as create_events
    from services.matching.config import MatchingSettings
    from services.matching.main import create_app as create_matching
    from services.registry.config import RegistrySettings
    from services.registry.main import create_app as create_registry

    settings = settings or get_settings()
    urls = database_urls or {}
    registry = create_registry(
        settings,
        RegistrySettings(database_url=urls["registry"])
        if "registry" in urls
        else RegistrySettings(),
    )
    events = create_events(
        settings,
        EventsSettings(database_url=urls["events"]) if "events" in urls else EventsSettings(),
        registry_transport=httpx.ASGITransport(app=registry),
    )
    matching = create_matching(
        settings,
        MatchingSettings(database_url=urls["matching"])
        if "matching" in urls
        else MatchingSettings(),
        registry_transport=httpx.ASGITransport(app=registry),
    )
    return {"registry": registry, "events": events, "matching": matching}


def create_embedded_app(settings: KyodoSettings | None = None) -> ASGIApp:
    """The whole platform in one process (what ``kyodo serve`` runs)."""
    return create_app(embedded_services(settings))
