"""A request watched to its end: the one shape behind access logs and metrics."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ObservedRequestMiddleware"]


class ObservedRequestMiddleware:
    """Runs the app, then calls :meth:`finished` with the status and the elapsed
    seconds, after the response was sent (a request that raised counts as a 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            self.finished(scope, status, time.perf_counter() - started)

    def finished(self, scope: Scope, status: int, elapsed: float) -> None:
        """What to do with a finished request."""
        raise NotImplementedError
