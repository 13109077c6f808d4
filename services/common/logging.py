"""Structured logging: one JSON object a line in production, readable in a terminal.

Every line carries the request id (bound by :mod:`services.common.requestid`).
Access lines record method, route path, status and duration, never query
strings, headers or bodies, so no secret or personal data reaches the logs.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.settings import KyodoSettings

__all__ = ["AccessLogMiddleware", "configure_logging"]

_configured = False


def configure_logging(settings: KyodoSettings) -> None:
    """Configure structlog and the standard library once per process."""
    global _configured
    if _configured:
        return
    use_json = settings.log_format == "json" or (
        settings.log_format == "auto" and not sys.stderr.isatty()
    )
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if use_json
        else structlog.dev.ConsoleRenderer()
    )
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # Resolve sys.stderr when logging, not at configuration: a CLI runner or a
        # test may have swapped it since.
        logger_factory=lambda *_args: structlog.PrintLogger(sys.stderr),
        cache_logger_on_first_use=False,
    )
    # Libraries log through the standard library (alembic, uvicorn): same format.
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processor=renderer, foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name]
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # Chatty at INFO on every readiness probe (the probe's client, alembic's context).
    for name in ("httpx", "alembic.runtime.migration"):
        logging.getLogger(name).setLevel(logging.WARNING)
    _configured = True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of the record."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class AccessLogMiddleware:
    """Logs one line per request, after the response has been sent."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.log = structlog.get_logger("kyodo.access").bind(service=service)

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
            route = scope.get("route")
            self.log.info(
                "request",
                method=scope["method"],
                route=getattr(route, "path", None) or scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
