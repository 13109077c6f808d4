"""Each part of the distributed platform as its own process (uvicorn factories).

    uvicorn kyodo.standalone:registry_app --factory --port 8001
    uvicorn kyodo.standalone:events_app   --factory --port 8002   # KYODO_EVENTS_REGISTRY_URL
    uvicorn kyodo.standalone:matching_app --factory --port 8003   # KYODO_MATCHING_REGISTRY_URL
    uvicorn kyodo.standalone:gateway_app  --factory --port 8000   # KYODO_GATEWAY_<NAME>_URL

Everything comes from the environment (``KYODO_*``). The services share
``KYODO_INTERNAL_SECRET`` with the gateway, which vouches for each caller;
events and matching follow the registry's change feed over HTTP at their
``registry_url``. Databases are migrated beforehand (``kyodo migrate``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp

from gateway.config import GatewaySettings

__all__ = ["events_app", "gateway_app", "matching_app", "registry_app", "service_documents"]

_CONTRACT_DIR = Path(__file__).resolve().parents[1] / "openapi"


def registry_app() -> FastAPI:
    """The registry service on its own."""
    from services.registry.main import create_app

    return create_app()


def events_app() -> FastAPI:
    """The events service on its own, following the registry over HTTP."""
    from services.events.main import create_app

    return create_app()


def matching_app() -> FastAPI:
    """The matching service on its own, following the registry over HTTP."""
    from services.matching.main import create_app

    return create_app()


def service_documents(urls: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each service's OpenAPI document, asked of the service (the checked-in one
    under ``openapi/`` when it cannot be reached)."""
    documents: dict[str, dict[str, Any]] = {}
    for name, url in urls.items():
        try:
            answer = httpx.get(url.rstrip("/") + "/openapi.json", timeout=5.0)
            answer.raise_for_status()
            documents[name] = answer.json()
        except (httpx.HTTPError, ValueError):
            documents[name] = json.loads((_CONTRACT_DIR / f"{name}.json").read_text("utf-8"))
    return documents


def gateway_app() -> ASGIApp:
    """The gateway forwarding over HTTP to every service whose URL is set."""
    from gateway.clients.directory import OrganizationDirectory
    from gateway.main import create_gateway
    from gateway.proxy import SERVICES, distributed_upstreams
    from services.common.settings import get_settings

    settings = get_settings()
    gateway = GatewaySettings()
    upstreams = distributed_upstreams(gateway, settings.internal_secret_value())
    missing = [f"KYODO_GATEWAY_{name.upper()}_URL" for name in SERVICES if name not in upstreams]
    if missing:
        raise RuntimeError(f"the distributed gateway needs {', '.join(missing)}")
    urls = {name: getattr(gateway, f"{name}_url") for name in upstreams}
    return create_gateway(
        settings=settings,
        gateway=gateway,
        upstreams=upstreams,
        documents=lambda: service_documents(urls),
        directory=OrganizationDirectory(base_url=urls["registry"]),
    )
