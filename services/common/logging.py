"""Structured logging: one JSON object a line in production, readable in a terminal.

Every line carries the request id (bound by :mod:`services.common.requestid`).
Access lines record method, route path, status and duration, never query
strings, headers or bodies, so no secret or personal data reaches the logs.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO, cast

import structlog
from starlette.types import ASGIApp, Scope

from services.common.auth import CLIENT_SCOPE_KEY
from services.common.observed import ObservedRequestMiddleware
from services.common.settings import KyodoSettings

__all__ = ["LOGGED_INSIDE_KEY", "AccessLogMiddleware", "configure_logging"]

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
        # Resolve sys.stderr when writing, not when a logger is made: a CLI runner or a
        # test may have swapped it since (and closed the one a long-lived app saw).
        logger_factory=lambda *_args: structlog.PrintLogger(cast(TextIO, _CURRENT_STDERR)),
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


class _CurrentStderr:
    """A file that is whatever ``sys.stderr`` is at the time of each write."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


_CURRENT_STDERR = _CurrentStderr()


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of the record."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


LOGGED_INSIDE_KEY = "kyodo.logged_inside"
"""Set on a request's scope by an in-process service that logs it itself, so the edge
in front of it does not log the same request twice."""


class AccessLogMiddleware(ObservedRequestMiddleware):
    """Logs one line per request, after the response has been sent: method, route
    template, status, duration and the client id (never query strings, headers or bodies)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        super().__init__(app)
        self.log = structlog.get_logger("kyodo.access").bind(service=service)

    def finished(self, scope: Scope, status: int, elapsed: float) -> None:
        """One line, unless an in-process service inside already logged the request."""
        if scope.get(LOGGED_INSIDE_KEY):
            return
        route = scope.get("route")
        client = scope.get(CLIENT_SCOPE_KEY)
        self.log.info(
            "request",
            method=scope["method"],
            route=getattr(route, "path", None) or scope["path"],
            status=status,
            client=getattr(client, "id", None),
            duration_ms=round(elapsed * 1000, 2),
        )
