"""Which headers cross the gateway, in each direction (RFC 9110 §7.6.1).

Hop-by-hop headers (``Connection`` and the fields it names, ``Keep-Alive``,
``Proxy-*``, ``TE``, ``Trailer``, ``Transfer-Encoding``, ``Upgrade``) belong to
one connection and never cross. Towards a service the gateway also drops the
caller's ``Authorization`` (the key never travels past the edge) and any
``Kyodo-Client-Assertion`` it did not make itself, and says who asked and how
(``X-Forwarded-For``/``-Proto``/``-Host``). The ``Host`` is kept, so a service
sees the URL the caller used (what uvicorn's proxy-headers support expects).
Back from a service, ``Date`` and ``Server`` are left to the gateway's own server.
"""

from __future__ import annotations

from starlette.types import Scope

from services.common.assertion import ASSERTION_HEADER

__all__ = ["RequestHeaders", "request_headers", "response_headers"]

_HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"te", b"trailer", b"transfer-encoding", b"upgrade"}
)
# Never forwarded to a service; the forwarded-* fields are replaced with the
# gateway's own word, and ``Expect: 100-continue`` was answered at the edge.
_NOT_UPSTREAM = _HOP_BY_HOP | {
    b"authorization",
    ASSERTION_HEADER.encode(),
    b"expect",
    b"x-forwarded-for",
    b"x-forwarded-proto",
    b"x-forwarded-host",
    b"traceparent",
    b"tracestate",
}
_NOT_DOWNSTREAM = _HOP_BY_HOP | {b"date", b"server"}


def _connection_tokens(value: bytes) -> frozenset[bytes]:
    return frozenset(token.strip().lower() for token in value.split(b",")) - {b""}


class RequestHeaders:
    """The headers to send a service, as ``str`` pairs (what aiohttp takes), and
    what the proxy needs to know from the incoming ones."""

    __slots__ = ("has_body", "pairs", "request_id", "traceparent", "tracestate")

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []
        self.has_body = False
        self.request_id: bytes | None = None
        self.traceparent: bytes | None = None
        self.tracestate: bytes | None = None


def request_headers(scope: Scope) -> RequestHeaders:
    """Sort the request's headers: what goes to the service, and the facts kept aside."""
    result = RequestHeaders()
    pairs = result.pairs
    connection: bytes | None = None
    forwarded_for: bytes | None = None
    host: bytes | None = None
    for name, value in scope["headers"]:
        if name in _NOT_UPSTREAM or name.startswith(b"proxy-"):
            if name == b"connection":
                connection = value
            elif name == b"transfer-encoding":
                result.has_body = True
            elif name == b"x-forwarded-for":
                forwarded_for = value
            elif name == b"traceparent":
                result.traceparent = value
            elif name == b"tracestate":
                result.tracestate = value
            continue
        if name == b"content-length":
            result.has_body = value != b"0"
        elif name == b"host":
            host = value
        elif name == b"x-request-id":
            result.request_id = value
        pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    if connection is not None:
        named = _connection_tokens(connection) - _HOP_BY_HOP
        if named:
            dropped = {token.decode("latin-1") for token in named}
            result.pairs = pairs = [(n, v) for n, v in pairs if n not in dropped]
    client = scope.get("client")
    if client:
        peer = client[0]
        pairs.append(
            (
                "x-forwarded-for",
                f"{forwarded_for.decode('latin-1')}, {peer}" if forwarded_for else peer,
            )
        )
    pairs.append(("x-forwarded-proto", scope.get("scheme", "http")))
    if host is not None:
        pairs.append(("x-forwarded-host", host.decode("latin-1")))
    return result


def response_headers(raw: tuple[tuple[bytes, bytes], ...]) -> list[tuple[bytes, bytes]]:
    """The service's response headers that go back to the caller (lower-case names)."""
    out: list[tuple[bytes, bytes]] = []
    connection: bytes | None = None
    for name, value in raw:
        lower = name.lower()
        if lower in _NOT_DOWNSTREAM or lower.startswith(b"proxy-"):
            if lower == b"connection":
                connection = value
            continue
        out.append((lower, value))
    if connection is not None:
        named = _connection_tokens(connection) - _HOP_BY_HOP
        if named:
            out = [(n, v) for n, v in out if n not in named]
    return out
