"""What the gateway forwards to: a service in this process, or one over HTTP.

Both kinds are ASGI apps with a lifespan and a readiness probe, so the edge
(authentication, limits, metrics) never asks which run mode it is in. The
HTTP kind lives in :mod:`gateway.proxy`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

import httpx
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from services.common.logging import LOGGED_INSIDE_KEY

__all__ = ["InProcessService", "Upstream"]


class Upstream(Protocol):
    """A service behind the gateway."""

    name: str

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None: ...

    def lifespan(self) -> AbstractAsyncContextManager[None]:
        """Open (and at the end close) what forwarding needs."""
        ...

    async def readiness(self) -> dict[str, Any]:
        """The service's ``/readyz`` answer; ``{"status": "unavailable", ...}`` when down."""
        ...


class InProcessService:
    """A service app mounted in this process (the embedded platform)."""

    def __init__(self, name: str, app: FastAPI) -> None:
        self.name = name
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        scope[LOGGED_INSIDE_KEY] = True  # the service's access log has the line

    @asynccontextmanager
    async def _lifespan(self) -> AsyncIterator[None]:
        async with self.app.router.lifespan_context(self.app):
            yield

    def lifespan(self) -> AbstractAsyncContextManager[None]:
        """The service's own lifespan (followers, engine disposal)."""
        return self._lifespan()

    async def readiness(self) -> dict[str, Any]:
        """The service's readiness, asked in-process."""
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            answer = await client.get("/readyz")
        result: dict[str, Any] = answer.json()
        return result
