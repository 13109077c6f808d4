"""Who is calling, decided once at the edge for every request.

The ``Authorization: Bearer <key>`` header is checked against the bootstrap
administrator key and the stored API keys (a short per-process cache keeps
the database off the hot path). The caller goes into the ASGI scope, where
the rate limiter, the services (``services.common.auth.current_client``) and
the proxy find it. A bad key is not answered at once: the rate limiter first
counts it against the caller's address (so guessing keys is throttled), then
:class:`RefuseUnauthenticated` answers 401.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.clients.keys import prefix_of, same_digest
from gateway.clients.service import find_key, key_is_active
from services.common.auth import ADMIN, ANONYMOUS, CLIENT_SCOPE_KEY, Client
from services.common.problems import problem_response
from services.common.timefmt import utcnow

__all__ = [
    "CALLER_SCOPE_KEY",
    "Authenticated",
    "AuthenticationMiddleware",
    "KeyStore",
    "RefuseUnauthenticated",
]

CALLER_SCOPE_KEY = "kyodo.caller"
_AUTH_ERROR_KEY = "kyodo.auth_error"
_UNCHECKED_PATHS = frozenset({"/healthz", "/readyz"})


@dataclass(frozen=True)
class Authenticated:
    """The caller of one request, as the edge knows it."""

    client: Client
    name: str
    rate_limit_per_minute: int
    key_prefix: str | None = None

    @property
    def is_anonymous(self) -> bool:
        """Whether no key was sent."""
        return self.client.is_anonymous


class KeyStore:
    """Looks keys up (administrator key first), with a bounded, short-lived cache."""

    def __init__(
        self,
        engine: Engine,
        admin_key: Callable[[], str],
        *,
        admin_rate_limit: int,
        cache_seconds: float,
        max_entries: int = 10_000,
    ) -> None:
        self.engine = engine
        self._admin_key_source = admin_key
        self._admin_key: bytes | None = None
        self.admin = Authenticated(ADMIN, "administrator", admin_rate_limit)
        self.cache_seconds = cache_seconds
        self.max_entries = max_entries
        self._cache: OrderedDict[str, tuple[Authenticated | None, float]] = OrderedDict()
        # Bumped by forget(): a lookup that began before a change must not cache its
        # (possibly stale) answer after the change.
        self._generation = 0

    def forget(self) -> None:
        """Drop every cached answer (after a client or key changed in this process)."""
        self._generation += 1
        self._cache.clear()

    async def authenticate(self, key: str) -> Authenticated | None:
        """The caller a key belongs to, or None for an unknown, revoked or expired key."""
        if self._admin_key is None:  # resolved on first use: it may be generated on disk
            self._admin_key = self._admin_key_source().encode()
        if secrets.compare_digest(key.encode(), self._admin_key):
            return self.admin
        if prefix_of(key) is None:
            return None
        cache_key = hashlib.sha256(key.encode()).hexdigest()
        now = time.monotonic()
        cached = self._cache.get(cache_key)
        if cached is not None and cached[1] > now:
            self._cache.move_to_end(cache_key)
            return cached[0]
        for _attempt in range(3):
            generation = self._generation
            found, lifetime = await anyio.to_thread.run_sync(self._lookup, key)
            if generation == self._generation:
                break
            # A client or key changed while we looked: look again, never cache the old answer.
        else:
            return found
        self._cache[cache_key] = (found, now + min(self.cache_seconds, lifetime))
        if len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return found

    def _lookup(self, key: str) -> tuple[Authenticated | None, float]:
        prefix = prefix_of(key)
        assert prefix is not None
        with Session(self.engine) as session:
            row = find_key(session, prefix)
        now = utcnow()
        if row is None:
            return None, self.cache_seconds
        stored, client = row
        if (
            not same_digest(stored.digest, key)
            or client.revoked_at is not None
            or not key_is_active(stored, now)
        ):
            return None, self.cache_seconds
        lifetime = (
            (stored.expires_at - now).total_seconds() if stored.expires_at else self.cache_seconds
        )
        found = Authenticated(
            Client(
                id=client.id,
                scopes=frozenset(client.scopes),
                organization_ids=frozenset(client.organization_ids),
            ),
            client.name,
            client.rate_limit_per_minute,
            stored.prefix,
        )
        return found, lifetime


def _bearer_key(scope: Scope) -> str | bool | None:
    """The key of ``Authorization: Bearer <key>``; None without the header, False if malformed."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").partition(" ")
            key = key.strip()
            if scheme.lower() != "bearer" or not key or len(key) > 512:
                return False
            return key
    return None


class AuthenticationMiddleware:
    """Puts the caller in the scope; marks (does not yet refuse) a bad key."""

    def __init__(self, app: ASGIApp, store: KeyStore, anonymous_rate_limit: int) -> None:
        self.app = app
        self.store = store
        self.anonymous = Authenticated(ANONYMOUS, "anonymous", anonymous_rate_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[CALLER_SCOPE_KEY] = caller = await self._caller(scope)
            scope[CLIENT_SCOPE_KEY] = caller.client
        await self.app(scope, receive, send)

    async def _caller(self, scope: Scope) -> Authenticated:
        key = _bearer_key(scope)
        if key is None or scope["path"] in _UNCHECKED_PATHS:
            return self.anonymous
        if key is False:
            scope[_AUTH_ERROR_KEY] = "The Authorization header must be `Bearer <key>`."
            return self.anonymous
        found = await self.store.authenticate(str(key))
        if found is None:
            scope[_AUTH_ERROR_KEY] = "The API key is not valid (unknown, revoked or expired)."
            return self.anonymous
        return found


class RefuseUnauthenticated:
    """Answers 401 for a request whose key was bad (after the rate limiter counted it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = scope.get(_AUTH_ERROR_KEY) if scope["type"] == "http" else None
        if error is None:
            await self.app(scope, receive, send)
            return
        response = problem_response(
            Request(scope),
            status=401,
            slug="unauthorized",
            detail=error,
            headers={"WWW-Authenticate": 'Bearer realm="kyodo", error="invalid_token"'},
        )
        await response(scope, receive, send)
