"""The events service application."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from services.common.app import create_service_app
from services.common.feedreader import install_registry_follower
from services.common.settings import KyodoSettings, get_settings, service_database_url
from services.events.config import EventsSettings
from services.events.readmodel import follow_registry
from services.events.router import router
from services.events.volunteering_router import router as volunteering_router

__all__ = ["SERVICE", "create_app"]

SERVICE = "events"

DESCRIPTION = """\
The event and volunteer calendar of Kyodo (協働): events (one-off or recurring,
in person or online) with iCalendar, JSON-LD and open-data CSV feeds, and
volunteer opportunities with shifts, sign-ups, waitlists and recorded hours
(ボランティア時間の見える化). Organisers and opportunity owners are organisations
of the registry, followed through its change feed.
"""

TAGS = [
    {"name": "events", "description": "イベント: the calendar and its feeds."},
    {"name": "volunteering", "description": "ボランティア: opportunities, shifts and sign-ups."},
    {"name": "volunteer-hours", "description": "Hours and points per organisation and person."},
]


def create_app(
    settings: KyodoSettings | None = None,
    events: EventsSettings | None = None,
    registry_transport: Any = None,
) -> FastAPI:
    """Build the events app; ``registry_transport`` reaches the registry in-process."""
    settings = settings or get_settings()
    events = events or EventsSettings()
    app = create_service_app(
        service=SERVICE,
        title="Kyodo events",
        description=DESCRIPTION,
        settings=settings,
        database_url=service_database_url(settings, SERVICE, events.database_url),
        routers=[router, volunteering_router],
        tags=TAGS,
    )
    install_registry_follower(
        app,
        follow_registry,
        registry_url=events.registry_url,
        transport=registry_transport,
        interval=events.sync_interval_seconds,
    )
    return app
