"""The gateway: one entry point in front of every service.

In the embedded platform the services run in this process and the gateway
hands each request straight to the owning service's ASGI app (no HTTP hop);
in the distributed mode it forwards over HTTP (:mod:`gateway.proxy`). Either
way every request passes the same edge (:mod:`gateway.edge`): request ids,
authentication, rate limits, metrics. The gateway's own app answers the
probes, the merged contract, the docs and the API clients.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from functools import cache
from typing import Annotated, Any

import anyio
import httpx
from fastapi import APIRouter, FastAPI, Request, Security
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp

from gateway.clients.directory import OrganizationDirectory
from gateway.clients.router import router as clients_router
from gateway.config import GatewaySettings
from gateway.contract import merge
from gateway.docs import docs_router
from gateway.edge import build_edge
from gateway.upstream import InProcessService, Upstream
from services.common.app import create_service_app
from services.common.auth import Client, scoped_client
from services.common.db import create_db_engine
from services.common.health import check_readiness
from services.common.openapi import problem_responses
from services.common.settings import KyodoSettings, get_settings, service_database_url

__all__ = [
    "create_app",
    "create_embedded_app",
    "create_gateway",
    "embedded_services",
    "gateway_engine",
    "merged_contract",
]

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
`Authorization: Bearer <key>` of an API client with the right scope, acting
for the organisation that owns the record; reads of public data do not.
"""

TAGS = [
    {"name": "api-clients", "description": "API clients, their keys and scopes (administrators)."},
    {"name": "authentication", "description": "Who the caller is."},
    {"name": "operations", "description": "Probes of the platform."},
]

Documents = Callable[[], Mapping[str, dict[str, Any]]]


class ServiceReadiness(BaseModel):
    """Readiness of the gateway and of every service behind it."""

    status: str
    services: dict[str, Any]


class _Readiness:
    """Every part's readiness, asked at most once per ``ttl`` seconds: an anonymous,
    unlimited probe must not become a way to load every service and database."""

    def __init__(self, upstreams: Mapping[str, Upstream], ttl: float = 2.0) -> None:
        self.upstreams = upstreams
        self.ttl = ttl
        self._last: tuple[float, ServiceReadiness] | None = None
        self._lock = anyio.Lock()

    async def get(self, request: Request) -> ServiceReadiness:
        async with self._lock:
            if self._last is None or time.monotonic() - self._last[0] > self.ttl:
                self._last = (time.monotonic(), await self._ask(request))
            return self._last[1]

    async def _ask(self, request: Request) -> ServiceReadiness:
        results: dict[str, Any] = {}

        async def ask(name: str, upstream: Upstream) -> None:
            results[name] = await upstream.readiness()

        async with anyio.create_task_group() as tasks:
            for name, upstream in self.upstreams.items():
                tasks.start_soon(ask, name, upstream)
        own = await anyio.to_thread.run_sync(check_readiness, request)
        results["gateway"] = own.model_dump()
        ready = all(r.get("status") == "ok" for r in results.values())
        return ServiceReadiness(status="ok" if ready else "unavailable", services=results)


def _ops_router(upstreams: Mapping[str, Upstream]) -> APIRouter:
    router = APIRouter(tags=["operations"])
    readiness = _Readiness(upstreams)

    @router.get("/healthz", summary="Liveness: the gateway process answers.")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: the gateway's database and every service are reachable and "
        "migrated (asked at most every 2 seconds).",
        response_model=ServiceReadiness,
        responses={
            503: {"model": ServiceReadiness, "description": "At least one part is not ready."}
        },
    )
    async def readyz(request: Request) -> JSONResponse:
        body = await readiness.get(request)
        return JSONResponse(body.model_dump(), status_code=200 if body.status == "ok" else 503)

    @router.get(
        "/metrics",
        summary="Prometheus metrics of the gateway (needs the `metrics:read` scope).",
        response_class=Response,
        responses={
            200: {
                "content": {"text/plain": {"example": "kyodo_gateway_requests_total{...} 1.0"}},
                "description": "The text exposition format.",
            },
            **problem_responses(401, 403),
        },
    )
    def metrics(
        request: Request,
        _client: Annotated[Client, Security(scoped_client, scopes=["metrics:read"])],
    ) -> Response:
        response: Response = request.app.state.metrics.response()
        return response

    return router


def gateway_app(
    settings: KyodoSettings,
    gateway: GatewaySettings,
    upstreams: Mapping[str, Upstream],
    documents: Documents,
) -> FastAPI:
    """The gateway's own app: probes, the merged contract, API clients, the caller."""
    app = create_service_app(
        service="gateway",
        title="Kyodo API",
        description=DESCRIPTION,
        settings=settings,
        database_url=service_database_url(settings, "gateway", gateway.database_url),
        routers=[clients_router],
        tags=TAGS,
        probes=False,
        access_log=False,
    )
    app.include_router(_ops_router(upstreams))
    app.state.gateway_settings = gateway
    own_openapi = app.openapi

    @cache
    def contract() -> dict[str, Any]:
        return merge(own_openapi(), dict(documents()))

    # The merged document replaces the one FastAPI would serve for this app alone.
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", "") != "/openapi.json"]

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json() -> JSONResponse:
        return JSONResponse(contract())

    app.state.contract = contract
    app.include_router(docs_router(contract))
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for upstream in upstreams.values():
                await stack.enter_async_context(upstream.lifespan())
            await stack.enter_async_context(inner(app_))
            yield

    app.router.lifespan_context = lifespan
    return app


def create_gateway(
    *,
    settings: KyodoSettings,
    gateway: GatewaySettings,
    upstreams: Mapping[str, Upstream],
    documents: Documents,
    directory: OrganizationDirectory,
) -> ASGIApp:
    """The gateway in front of ``upstreams`` (in-process or over HTTP)."""
    own = gateway_app(settings, gateway, upstreams, documents)
    own.state.directory = directory
    return build_edge(own, upstreams, settings, gateway)


def create_app(
    services: Mapping[str, FastAPI],
    settings: KyodoSettings | None = None,
    gateway: GatewaySettings | None = None,
) -> ASGIApp:
    """The gateway in front of in-process ``services`` (name -> app)."""
    settings = settings or _settings_of(services)
    return create_gateway(
        settings=settings,
        gateway=gateway or GatewaySettings(),
        upstreams={name: InProcessService(name, app) for name, app in services.items()},
        documents=lambda: {name: app.openapi() for name, app in services.items()},
        directory=OrganizationDirectory(
            base_url="http://registry", transport=httpx.ASGITransport(app=services["registry"])
        ),
    )


def _settings_of(services: Mapping[str, FastAPI]) -> KyodoSettings:
    first = next(iter(services.values()), None)
    found = getattr(getattr(first, "state", None), "settings", None)
    return found if isinstance(found, KyodoSettings) else get_settings()


def merged_contract(services: Mapping[str, FastAPI], settings: KyodoSettings) -> dict[str, Any]:
    """The published contract of the platform, generated from the code."""
    upstreams = {name: InProcessService(name, app) for name, app in services.items()}
    documents: Documents = lambda: {name: app.openapi() for name, app in services.items()}  # noqa: E731
    result: dict[str, Any] = gateway_app(
        settings, GatewaySettings(), upstreams, documents
    ).state.contract()
    return result


def gateway_engine(settings: KyodoSettings, gateway: GatewaySettings | None = None) -> Engine:
    """An engine on the gateway's database (for migrations)."""
    url = service_database_url(settings, "gateway", (gateway or GatewaySettings()).database_url)
    return create_db_engine(url)


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
    settings = settings or get_settings()
    return create_app(embedded_services(settings), settings)
