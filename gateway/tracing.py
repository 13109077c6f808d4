"""W3C Trace Context at the edge: every request carries a ``traceparent``.

A valid incoming ``traceparent`` keeps its trace id and gets a new parent id
for the gateway's own span; anything else (absent, malformed, the forbidden
version ``ff``, all-zero ids) starts a new trace, and an unusable
``tracestate`` goes with it. The value the gateway forwards is echoed on the
response, so a caller can find its request in the services' logs and traces.

:class:`TraceContextMiddleware` does this once for the whole edge pipeline;
:mod:`gateway.proxy` does the same itself when nothing in front of it did.
"""

from __future__ import annotations

import random

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "TRACEPARENT_HEADER",
    "TRACEPARENT_SCOPE_KEY",
    "TraceContextMiddleware",
    "continue_trace",
    "traced_headers",
    "with_traceparent",
]

TRACEPARENT_HEADER = b"traceparent"
TRACESTATE_HEADER = b"tracestate"
# The traceparent the edge chose for this request; the proxy forwards it as is.
TRACEPARENT_SCOPE_KEY = "kyodo.traceparent"

_HEX = frozenset(b"0123456789abcdef")
_ZERO_TRACE = b"0" * 32
_ZERO_SPAN = b"0" * 16
# Ids need to be unique, not secret: the Mersenne Twister is fast and good enough.
_random_bits = random.getrandbits


def _new_span_id() -> bytes:
    return b"%016x" % (_random_bits(64) or 1)


def _new_trace_id() -> bytes:
    return b"%032x" % (_random_bits(128) or 1)


def _incoming_trace(value: bytes | None) -> tuple[bytes, bytes] | None:
    """(trace id, flags) of a valid ``traceparent``, else None.

    Version 00 is exactly 55 characters; a later version may append fields
    after a ``-``, which this version does not understand and drops.
    """
    if value is None or len(value) < 55 or (len(value) > 55 and value[55:56] != b"-"):
        return None
    version, trace_id, parent_id, flags = value[:2], value[3:35], value[36:52], value[53:55]
    if value[2:3] != b"-" or value[35:36] != b"-" or value[52:53] != b"-":
        return None
    if version == b"ff" or (version == b"00" and len(value) != 55):
        return None
    if not _HEX.issuperset(value[:2] + trace_id + parent_id + flags):
        return None
    if trace_id == _ZERO_TRACE or parent_id == _ZERO_SPAN:
        return None
    return trace_id, flags


def continue_trace(incoming: bytes | None) -> tuple[bytes, bool]:
    """The ``traceparent`` for the next hop and whether ``incoming`` was continued.

    The next hop's value keeps a valid incoming trace id and sampling flags
    under a new parent (span) id; otherwise it starts a new, sampled trace.
    """
    trace = _incoming_trace(incoming)
    if trace is None:
        return b"00-%s-%s-01" % (_new_trace_id(), _new_span_id()), False
    trace_id, flags = trace
    return b"00-%s-%s-%s" % (trace_id, _new_span_id(), flags), True


def traced_headers(
    headers: list[tuple[bytes, bytes]],
) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """``headers`` with the next hop's ``traceparent`` (and a ``tracestate`` only
    when the incoming trace was continued), and that ``traceparent``."""
    incoming = None
    for name, value in headers:
        if name == TRACEPARENT_HEADER:
            incoming = value
            break
    traceparent, continued = continue_trace(incoming)
    out = [
        (name, value)
        for name, value in headers
        if name != TRACEPARENT_HEADER and (continued or name != TRACESTATE_HEADER)
    ]
    out.append((TRACEPARENT_HEADER, traceparent))
    return out, traceparent


class TraceContextMiddleware:
    """Gives every HTTP request a ``traceparent`` (continued or new) and echoes it.

    The chosen value replaces the request's header in the scope and is kept
    under ``scope["kyodo.traceparent"]``, so what runs inside (the proxy, logs)
    uses the same span.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers, traceparent = traced_headers(scope["headers"])
        scope = {**scope, "headers": headers, TRACEPARENT_SCOPE_KEY: traceparent}

        async def send_with_trace(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": with_traceparent(message.get("headers", []), traceparent),
                }
            await send(message)

        await self.app(scope, receive, send_with_trace)


def with_traceparent(
    headers: list[tuple[bytes, bytes]], traceparent: bytes
) -> list[tuple[bytes, bytes]]:
    """Response ``headers`` echoing ``traceparent`` (replacing any the app set)."""
    out = [(name, value) for name, value in headers if name.lower() != TRACEPARENT_HEADER]
    out.append((TRACEPARENT_HEADER, traceparent))
    return out
