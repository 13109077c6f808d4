"""``Idempotency-Key`` on creates: a retried POST never creates twice.

The first request with a key reserves it (committed at once), runs, and stores
its 2xx response; a replay with the same body gets that response back with
``Idempotent-Replayed: true`` (a response marked ``Cache-Control: no-store``
holds secrets or personal data and is not kept: its retry runs again). The
same key with a different body is 422; a duplicate while the first is still
running is 409. A failed first attempt frees
the key so the client can retry. If a process dies mid-request the key stays
reserved until it expires: the client sees 409, never a second write.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

import anyio
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, delete
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.auth import caller_identity
from services.common.db import write_session
from services.common.problems import problem_response
from services.common.timefmt import UTCDateTime, utcnow

__all__ = ["IDEMPOTENCY_HEADER", "IdempotencyMiddleware", "IdempotencyRecord"]

IDEMPOTENCY_HEADER = "idempotency-key"
_KEPT_HEADERS = {b"content-type", b"location", b"etag", b"link"}


class IdempotencyRecord(SQLModel, table=True):
    """A reserved or completed idempotency key of one client."""

    __tablename__ = "idempotency_key"

    client_scope: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=255)
    fingerprint: str = Field(max_length=64)
    completed: bool = False
    status_code: int | None = None
    response_headers: str | None = Field(default=None, sa_type=sa.Text)
    response_body: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value)
    return None


def _internal_secret(service_app: Any) -> str | None:
    state = service_app.state
    if getattr(state, "internal_secret", None) is None and hasattr(state, "settings"):
        state.internal_secret = state.settings.internal_secret_value()
    return getattr(state, "internal_secret", None)


def _valid_key(key: str) -> bool:
    return 1 <= len(key) <= 255 and all(0x21 <= ord(ch) <= 0x7E for ch in key)


class IdempotencyMiddleware:
    """Applies idempotency keys to POST requests of a service app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_key = _header(scope, IDEMPOTENCY_HEADER.encode())
        if scope["type"] != "http" or scope["method"] != "POST" or raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        if not _valid_key(key):
            response = problem_response(
                Request(scope),
                status=400,
                slug="invalid-idempotency-key",
                detail="Idempotency-Key must be 1 to 255 visible ASCII characters.",
            )
            await response(scope, receive, send)
            return
        service_app = scope["app"]
        client_scope = caller_identity(scope, _internal_secret(service_app))
        if client_scope is None:  # anonymous callers are all alike: nothing to replay safely
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        engine: Engine = service_app.state.engine
        ttl = timedelta(seconds=service_app.state.settings.idempotency_ttl_seconds)
        fingerprint = _fingerprint(scope, body)
        verdict = await anyio.to_thread.run_sync(
            _reserve, engine, client_scope, key, fingerprint, ttl
        )
        if isinstance(verdict, IdempotencyRecord):
            await _replay(verdict, scope, receive, send)
            return
        if verdict is not None:
            status, slug, detail = verdict
            response = problem_response(Request(scope), status=status, slug=slug, detail=detail)
            await response(scope, receive, send)
            return
        await self._run_and_store(scope, body, send, engine, client_scope, key)

    async def _run_and_store(
        self, scope: Scope, body: bytes, send: Send, engine: Engine, client_scope: str, key: str
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        sent_body = False

        async def replay_body() -> Message:
            nonlocal sent_body
            if sent_body:
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await anyio.to_thread.run_sync(_release, engine, client_scope, key)
            raise
        if start is not None and 200 <= start["status"] < 300 and not _no_store(start):
            await anyio.to_thread.run_sync(
                _complete, engine, client_scope, key, start, b"".join(chunks)
            )
        else:
            await anyio.to_thread.run_sync(_release, engine, client_scope, key)


def _no_store(start: Message) -> bool:
    # A response marked no-store (secrets, personal data) is not kept for replay.
    return any(
        k.lower() == b"cache-control" and b"no-store" in v.lower()
        for k, v in start.get("headers", [])
    )


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _fingerprint(scope: Scope, body: bytes) -> str:
    """What makes two requests "the same": method, path, query and the body's meaning.

    JSON bodies are compared canonically, so a retry that serialises the same
    object with other key order or spacing is still a replay, not a conflict.
    """
    digest = hashlib.sha256()
    digest.update(scope["method"].encode())
    digest.update(scope["path"].encode())
    digest.update(scope.get("query_string", b""))
    digest.update(_canonical(body))
    return digest.hexdigest()


def _canonical(body: bytes) -> bytes:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return body
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _reserve(
    engine: Engine, client_scope: str, key: str, fingerprint: str, ttl: timedelta
) -> IdempotencyRecord | tuple[int, str, str] | None:
    """Reserve the key; return a stored response, a problem, or None to proceed."""
    now = utcnow()
    with write_session(engine) as session:
        session.exec(delete(IdempotencyRecord).where(col(IdempotencyRecord.expires_at) < now))
        existing = session.get(IdempotencyRecord, (client_scope, key))
        if existing is None:
            session.add(
                IdempotencyRecord(
                    client_scope=client_scope,
                    key=key,
                    fingerprint=fingerprint,
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return (
                    409,
                    "idempotency-key-in-use",
                    "A request with this Idempotency-Key is in progress.",
                )
            return None
        session.commit()
    if existing.fingerprint != fingerprint:
        return (
            422,
            "idempotency-key-reused",
            "This Idempotency-Key was used for a different request; use a new key.",
        )
    if not existing.completed:
        return 409, "idempotency-key-in-use", "A request with this Idempotency-Key is in progress."
    return existing


def _complete(engine: Engine, client_scope: str, key: str, start: Message, body: bytes) -> None:
    headers = [
        [k.decode("latin-1"), v.decode("latin-1")]
        for k, v in start.get("headers", [])
        if k.lower() in _KEPT_HEADERS
    ]
    with write_session(engine) as session:
        record = session.get(IdempotencyRecord, (client_scope, key))
        if record is None:
            return
        record.completed = True
        record.status_code = start["status"]
        record.response_headers = json.dumps(headers)
        record.response_body = body
        session.commit()


def _release(engine: Engine, client_scope: str, key: str) -> None:
    with write_session(engine) as session:
        record = session.get(IdempotencyRecord, (client_scope, key))
        if record is not None and not record.completed:
            session.delete(record)
            session.commit()


async def _replay(record: IdempotencyRecord, scope: Scope, receive: Receive, send: Send) -> None:
    headers: list[Any] = [
        (k.encode("latin-1"), v.encode("latin-1"))
        for k, v in json.loads(record.response_headers or "[]")
    ]
    headers.append((b"idempotent-replayed", b"true"))
    body = record.response_body or b""
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": record.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
