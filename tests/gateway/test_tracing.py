"""W3C trace context at the edge: continue a valid trace, start one otherwise, echo it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.tracing import TRACEPARENT_SCOPE_KEY, TraceContextMiddleware, continue_trace

TRACE_ID = b"4bf92f3577b34da6a3ce929d0e0e4736"
VALID = b"00-" + TRACE_ID + b"-00f067aa0ba902b7-01"


def parts(value: bytes) -> list[bytes]:
    return value.split(b"-")


def test_a_valid_traceparent_keeps_trace_id_and_flags_under_a_new_parent() -> None:
    value, continued = continue_trace(b"00-" + TRACE_ID + b"-00f067aa0ba902b7-00")
    assert continued
    version, trace_id, parent, flags = parts(value)
    assert (version, trace_id, flags) == (b"00", TRACE_ID, b"00")
    assert parent != b"00f067aa0ba902b7" and len(parent) == 16


def test_a_later_version_is_continued_as_version_00() -> None:
    value, continued = continue_trace(b"01-" + TRACE_ID + b"-00f067aa0ba902b7-01-extra")
    assert continued and value.startswith(b"00-" + TRACE_ID + b"-") and len(value) == 55


@pytest.mark.parametrize(
    "incoming",
    [
        None,
        b"",
        b"not a traceparent",
        VALID + b"-extra",  # version 00 has no more fields
        VALID.upper(),  # hex is lower case
        b"ff" + VALID[2:],  # the forbidden version
        b"00-" + b"0" * 32 + b"-00f067aa0ba902b7-01",
        b"00-" + TRACE_ID + b"-" + b"0" * 16 + b"-01",
        b"00_" + VALID[3:],
    ],
)
def test_anything_else_starts_a_new_sampled_trace(incoming: bytes | None) -> None:
    value, continued = continue_trace(incoming)
    assert not continued
    version, trace_id, parent, flags = parts(value)
    assert (version, flags) == (b"00", b"01")
    assert len(trace_id) == 32 and trace_id != TRACE_ID and trace_id != b"0" * 32
    assert len(parent) == 16 and parent != b"0" * 16


def test_two_new_traces_differ() -> None:
    assert continue_trace(None)[0] != continue_trace(None)[0]


def run(headers: list[tuple[bytes, bytes]], answer: list[tuple[bytes, bytes]]) -> tuple[Any, Any]:
    seen: dict[str, Any] = {}
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(scope)
        await send({"type": "http.response.start", "status": 200, "headers": answer})
        await send({"type": "http.response.body", "body": b""})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    scope = {"type": "http", "headers": headers}
    asyncio.run(TraceContextMiddleware(app)(scope, receive, send))
    return seen, sent[0]["headers"]


def test_the_middleware_sets_the_header_and_echoes_the_same_value() -> None:
    seen, echoed = run([(b"traceparent", VALID), (b"tracestate", b"a=1")], [(b"x", b"y")])
    chosen = seen[TRACEPARENT_SCOPE_KEY]
    assert chosen.startswith(b"00-" + TRACE_ID) and chosen != VALID
    assert [v for k, v in seen["headers"] if k == b"traceparent"] == [chosen]
    assert (b"tracestate", b"a=1") in seen["headers"]
    assert echoed == [(b"x", b"y"), (b"traceparent", chosen)]


def test_the_middleware_drops_the_tracestate_of_a_trace_it_could_not_continue() -> None:
    seen, echoed = run([(b"traceparent", b"junk"), (b"tracestate", b"a=1")], [])
    assert not any(k == b"tracestate" for k, _ in seen["headers"])
    assert echoed == [(b"traceparent", seen[TRACEPARENT_SCOPE_KEY])]
