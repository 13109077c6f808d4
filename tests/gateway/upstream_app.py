"""A small upstream for the proxy's tests, run as a real uvicorn process.

It says what it received (``/echo``), answers slowly (``/slow``), streams a
large body (``/stream``), redirects, sends hop-by-hop headers and a gzip body
that must pass untouched, and counts the requests it has seen (``/count``).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs

from starlette.types import Receive, Scope, Send

GZIPPED_TEXT = "協働 " * 200

_seen = 0


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    headers: list[tuple[bytes, bytes]] | None = None,
    content_type: bytes = b"application/json",
) -> None:
    all_headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": status, "headers": all_headers + (headers or [])}
    )
    await send({"type": "http.response.body", "body": body})


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def pattern(size: int) -> bytes:
    """The deterministic body ``/stream`` sends."""
    block = bytes(range(256)) * 256
    return (block * (size // len(block) + 1))[:size]


async def _read_body(receive: Receive) -> tuple[bytes, int]:
    chunks: list[bytes] = []
    messages = 0
    while True:
        message = await receive()
        messages += 1
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), messages


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The test upstream (an ASGI app without dependencies)."""
    global _seen
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
    if path in ("/healthz", "/readyz"):
        await _respond(send, 200, b'{"status": "ok"}')
        return
    if path == "/count":
        await _respond(send, 200, _json({"seen": _seen}))
        return
    _seen += 1
    if path == "/echo" or path.startswith("/echo/"):
        body, messages = await _read_body(receive)
        answer = {
            "method": scope["method"],
            "raw_path": scope["raw_path"].decode("latin-1"),
            "query_string": scope["query_string"].decode("latin-1"),
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
            "body_length": len(body),
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "body_messages": messages,
        }
        await _respond(send, 200, _json(answer))
    elif path == "/slow":
        await asyncio.sleep(float(query.get("seconds", "5")))
        await _respond(send, 200, b'{"slow": true}')
    elif path == "/stream":
        size, pause = int(query.get("size", "1000000")), float(query.get("pause", "0"))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        data, step = pattern(size), 65_536
        for start in range(0, size, step):
            await send(
                {
                    "type": "http.response.body",
                    "body": data[start : start + step],
                    "more_body": True,
                }
            )
            if pause:
                await asyncio.sleep(pause)
        await send({"type": "http.response.body", "body": b""})
    elif path == "/redirect":
        await _respond(send, 307, b"", [(b"location", b"/echo")])
    elif path == "/hop":
        await _respond(
            send,
            200,
            b'{"hop": true}',
            [
                (b"connection", b"x-private, keep-alive"),
                (b"x-private", b"secret"),
                (b"keep-alive", b"timeout=5"),
                (b"proxy-authenticate", b'Basic realm="x"'),
                (b"upgrade", b"h2c"),
                (b"trailer", b"x-checksum"),
                (b"x-kept", b"yes"),
                (b"set-cookie", b"a=1; Path=/"),
                (b"set-cookie", b"b=2; Path=/"),
            ],
        )
    elif path == "/gzip":
        await _respond(
            send,
            200,
            gzip.compress(GZIPPED_TEXT.encode()),
            [(b"content-encoding", b"gzip")],
            content_type=b"text/plain; charset=utf-8",
        )
    elif path.startswith("/status/"):
        status = int(path.rsplit("/", 1)[1])
        await _respond(send, status, _json({"status": status}))
    else:
        await _respond(send, 404, b'{"detail": "not here"}')
