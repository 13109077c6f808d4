"""The matching service application."""

from __future__ import annotations

from typing import Any

import anyio
import structlog
from fastapi import FastAPI
from sqlmodel import Session

from services.common.app import create_service_app
from services.common.feedreader import install_registry_follower, with_background
from services.common.settings import KyodoSettings, get_settings, service_database_url
from services.matching.config import MatchingSettings
from services.matching.match_router import router as match_router
from services.matching.ranking import Ranking
from services.matching.readmodel import follow_registry
from services.matching.router import router

__all__ = ["SERVICE", "create_app"]

SERVICE = "matching"
log = structlog.get_logger(__name__)

DESCRIPTION = """\
The matching service of Kyodo (協働): local issues (地域課題・ニーズ) posted by
organisations, resources (シーズ) of the registry ranked for them with the
reasons for every score, coalitions of partners that together cover an issue's
needs, and the collaboration lifecycle (協働の流れ) from first contact to a
reviewed, published case study (協働事例). Organisations and resources come
from the registry's change feed.
"""

TAGS = [
    {"name": "issues", "description": "地域課題: local issues and what they need."},
    {"name": "matching", "description": "Candidates, coalitions and opportunities, explained."},
    {
        "name": "matches",
        "description": "協働の流れ: a collaboration from proposal through agreement, progress "
        "and review. Its parties only.",
    },
    {"name": "case-studies", "description": "協働事例: reviewed collaborations, published."},
    {"name": "stats", "description": "協働の実績: aggregate figures of collaboration."},
]


def create_app(
    settings: KyodoSettings | None = None,
    matching: MatchingSettings | None = None,
    registry_transport: Any = None,
) -> FastAPI:
    """Build the matching app; ``registry_transport`` reaches the registry in-process."""
    settings = settings or get_settings()
    matching = matching or MatchingSettings()
    app = create_service_app(
        service=SERVICE,
        title="Kyodo matching",
        description=DESCRIPTION,
        settings=settings,
        database_url=service_database_url(settings, SERVICE, matching.database_url),
        routers=[router, match_router],
        tags=TAGS,
    )
    app.state.weights = matching.weights
    app.state.ranking = Ranking()
    install_registry_follower(
        app,
        follow_registry,
        registry_url=matching.registry_url,
        transport=registry_transport,
        interval=matching.sync_interval_seconds,
    )
    # Build the indexes in the background at start-up, so the first ranking does not pay
    # for reading every resource (a ranking before then builds them itself).
    app.router.lifespan_context = with_background(app.router.lifespan_context, _warm)
    return app


async def _warm(app: FastAPI) -> None:
    def refresh() -> None:
        with Session(app.state.engine) as session:
            app.state.ranking.refresh(session)

    try:
        await anyio.to_thread.run_sync(refresh, abandon_on_cancel=True)
    except Exception as exc:  # not migrated yet, or the database is down: rank on demand
        log.warning("matching_index_warmup_failed", error=type(exc).__name__)
