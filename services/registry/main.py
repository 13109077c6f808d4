"""The registry service application."""

from __future__ import annotations

from fastapi import FastAPI

from services.common.app import create_service_app
from services.common.settings import KyodoSettings, get_settings, service_database_url
from services.registry import vocabulary_routes
from services.registry.config import RegistrySettings
from services.registry.router import router

__all__ = ["SERVICE", "create_app"]

SERVICE = "registry"

DESCRIPTION = """\
The organisation registry of Kyodo (協働): organisations of every kind — NPOs,
companies, universities, neighbourhood associations, government — and the
resources (シーズ) they offer, with a change feed other services and batch
partners rebuild from.

Conventions: errors are RFC 9457 `application/problem+json`; lists use cursor
pagination (`limit`, `cursor`, `next_cursor`, `Link`); single reads carry an
`ETag`; updates and deletes **require** `If-Match` (428 without it, 412 when
stale; `If-Match: *` overrides); creates accept an `Idempotency-Key`; writes
need `Authorization: Bearer <key>`. Times are RFC 3339 in +09:00.
"""

TAGS = [
    {"name": "organizations", "description": "団体: organisations of every kind and sector."},
    {"name": "resources", "description": "シーズ: what organisations can offer."},
    {"name": "registry", "description": "The change feed of organisations and resources."},
]


def create_app(
    settings: KyodoSettings | None = None, registry: RegistrySettings | None = None
) -> FastAPI:
    """Build the registry app from settings (the environment's when not given)."""
    settings = settings or get_settings()
    registry = registry or RegistrySettings()
    return create_service_app(
        service=SERVICE,
        title="Kyodo registry",
        description=DESCRIPTION,
        settings=settings,
        database_url=service_database_url(settings, SERVICE, registry.database_url),
        routers=[router, vocabulary_routes.router],
        tags=TAGS,
    )
