"""A service over HTTP: the gateway's forwarding in the distributed mode.

:class:`HttpService` streams each request to its service and the answer back
through one pooled keep-alive ``aiohttp`` session (DESIGN.md: the fast client
of the hot path), with the caller's identity as the signed
``Kyodo-Client-Assertion``, the request id and a W3C ``traceparent``.

When the service does not answer, the caller gets a problem+json at once
(:mod:`gateway.failures`): 502 ``bad-gateway`` when the connection was refused
or dropped before an answer, 504 ``gateway-timeout`` after
``connect_timeout_seconds`` to connect or ``read_timeout_seconds`` waiting for
the answer, 503 ``service-unavailable`` with ``Retry-After`` while the
service's circuit is open (the request is not sent).

Those failures, and only those, count towards the circuit breaker
(:mod:`gateway.breaker`): an answer is an answer, even a 5xx (the service is up
and speaks for itself; its own 503s are relayed as they are). ``GET``, ``HEAD``
and ``OPTIONS`` requests without a streamed body are tried again, at most
``retry_attempts`` times, when the connection failed before any answer
(refused, reset; not after a timeout), and never once the first attempt's
deadline (``connect_timeout_seconds + read_timeout_seconds``) has passed.
Other methods are never retried by the proxy.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import aiohttp
from multidict import CIMultiDict
from starlette.types import Receive, Scope, Send
from yarl import URL

from gateway.breaker import CircuitBreaker
from gateway.config import GatewaySettings
from gateway.failures import UpstreamErrorHook, UpstreamFailure, classify, send_problem
from gateway.forwarding import RequestHeaders, request_headers, response_headers
from gateway.tracing import TRACEPARENT_SCOPE_KEY, continue_trace, with_traceparent
from gateway.upstream import Upstream
from services.common.assertion import ASSERTION_HEADER, ASSERTION_TTL_SECONDS, sign_assertion
from services.common.auth import CLIENT_SCOPE_KEY, Client

__all__ = ["SERVICES", "HttpService", "UpstreamInterrupted", "distributed_upstreams"]

SERVICES = ("registry", "events", "matching")

_RETRYABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# aiohttp adds these unless told not to; the caller's own (if any) are forwarded.
_NO_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
_ASSERTION_CACHE_LIMIT = 4096


class UpstreamInterrupted(Exception):
    """The service's answer broke off after it had started: the caller's
    connection is dropped, so a truncated body is never taken as whole."""


class _ClientGone(Exception):
    """The caller disconnected while its request body was being forwarded."""


class _StreamedBody:
    """A request body too large for one ASGI message, forwarded as it arrives."""

    __slots__ = ("client_gone", "first", "receive")

    def __init__(self, first: bytes, receive: Receive) -> None:
        self.first, self.receive, self.client_gone = first, receive, False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.first:
            yield self.first
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.client_gone = True
                raise _ClientGone
            if message.get("body"):
                yield message["body"]
            if not message.get("more_body", False):
                return


class HttpService:
    """A service reached over HTTP; an :class:`~gateway.upstream.Upstream`."""

    def __init__(
        self,
        name: str,
        base_url: str,
        settings: GatewaySettings,
        internal_secret: str,
        *,
        on_upstream_error: UpstreamErrorHook | None = None,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.on_upstream_error = on_upstream_error
        self.breaker = CircuitBreaker(
            settings.breaker_failure_threshold, settings.breaker_reset_seconds
        )
        self._secret = internal_secret
        self._session: aiohttp.ClientSession | None = None
        self._assertions: dict[Client, tuple[str, float]] = {}
        self._retries = settings.retry_attempts
        self._deadline = settings.connect_timeout_seconds + settings.read_timeout_seconds

    # --- the Upstream protocol

    def lifespan(self) -> AbstractAsyncContextManager[None]:
        """Open the pooled session to the service (closed at the end)."""
        return self._lifespan()

    @asynccontextmanager
    async def _lifespan(self) -> AsyncIterator[None]:
        self._session = self._new_session()
        try:
            yield
        finally:
            session, self._session = self._session, None
            await session.close()

    async def readiness(self) -> dict[str, Any]:
        """The service's ``/readyz`` answer, or why it could not be had (quickly)."""
        timeout = aiohttp.ClientTimeout(
            total=self.settings.connect_timeout_seconds
            + min(self.settings.read_timeout_seconds, 2.0)
        )
        own = self._session is None
        session = self._new_session() if own else self._session
        assert session is not None
        try:
            async with session.get(self.base_url + "/readyz", timeout=timeout) as answer:
                result: dict[str, Any] = await answer.json(content_type=None)
                return result
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            failure = classify(exc, self.name) if not isinstance(exc, ValueError) else None
            error = failure.detail if failure else "The readiness answer is not JSON."
            return {"status": "unavailable", "error": error}
        finally:
            if own:
                await session.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ticket = self.breaker.allow()
        if not ticket:
            self._report("open_circuit")
            await send_problem(
                scope,
                send,
                503,
                f"The {self.name} service is failing; requests to it are paused.",
                retry_after=self.breaker.retry_after(),
            )
            return
        try:
            await self._forward(scope, receive, send)
        except BaseException:
            self.breaker.abandoned(ticket)
            raise

    # --- forwarding

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = self._session
        if session is None:
            raise RuntimeError(f"{self.name}: HttpService used outside its lifespan")
        incoming = request_headers(scope)
        headers = CIMultiDict(incoming.pairs)
        echo = self._trace(scope, incoming, headers)
        client = scope.get(CLIENT_SCOPE_KEY)
        if isinstance(client, Client):
            headers[ASSERTION_HEADER] = self._assertion(client)
        data: bytes | _StreamedBody | None = None
        if incoming.has_body:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            data = _StreamedBody(body, receive) if message.get("more_body", False) else body
        query = scope.get("query_string", b"")
        path = scope.get("raw_path") or scope["path"].encode()
        target = self.base_url + path.decode("latin-1")
        if query:
            target += "?" + query.decode("latin-1")
        try:
            response = await self._answer(scope["method"], URL(target, encoded=True), headers, data)
        except _ClientGone:
            return
        except UpstreamFailure as failure:
            self.breaker.failed()
            await send_problem(
                scope,
                send,
                failure.status,
                failure.detail,
                request_id=incoming.request_id,
                traceparent=echo,
            )
            return
        self.breaker.succeeded()
        await self._relay(response, send, echo)

    def _trace(
        self, scope: Scope, incoming: RequestHeaders, headers: CIMultiDict[str]
    ) -> bytes | None:
        """Forward the edge's ``traceparent``, or make one here (returned, to echo)."""
        chosen = scope.get(TRACEPARENT_SCOPE_KEY)
        continued = True
        echo = None
        if chosen is None:
            chosen, continued = continue_trace(incoming.traceparent)
            echo = chosen
        headers["traceparent"] = chosen.decode("latin-1")
        if continued and incoming.tracestate is not None:
            headers["tracestate"] = incoming.tracestate.decode("latin-1")
        return echo

    async def _answer(
        self,
        method: str,
        url: URL,
        headers: CIMultiDict[str],
        data: bytes | _StreamedBody | None,
    ) -> aiohttp.ClientResponse:
        """The service's response head, after retries where they are safe."""
        assert self._session is not None
        attempts = 1 + (
            self._retries
            if method in _RETRYABLE_METHODS and not isinstance(data, _StreamedBody)
            else 0
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._deadline
        attempt = 0
        while True:
            attempt += 1
            try:
                request = self._session.request(
                    method, url, headers=headers, data=data, allow_redirects=False
                )
                if attempt == 1:
                    return await request
                async with asyncio.timeout_at(deadline):
                    return await request
            except (aiohttp.ClientError, TimeoutError) as exc:
                if isinstance(data, _StreamedBody) and data.client_gone:
                    raise _ClientGone from exc
                failure = classify(exc, self.name)
                self._report(failure.kind)
                retry = failure.kind in ("refused", "reset") and attempt < attempts
                if not retry or loop.time() >= deadline:
                    raise failure from exc

    async def _relay(
        self, response: aiohttp.ClientResponse, send: Send, echo: bytes | None
    ) -> None:
        """Stream the service's answer to the caller as it arrives."""
        try:
            headers = response_headers(response.raw_headers)
            if echo is not None:
                headers = with_traceparent(headers, echo)
            await send(
                {"type": "http.response.start", "status": response.status, "headers": headers}
            )
            content = response.content
            while True:
                chunk = await content.readany()
                if content.at_eof():
                    await send({"type": "http.response.body", "body": chunk, "more_body": False})
                    break
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except (aiohttp.ClientError, TimeoutError) as exc:
            response.close()
            self._report("interrupted")
            raise UpstreamInterrupted(f"The {self.name} service's answer broke off") from exc
        except BaseException:
            response.close()
            raise
        response.release()

    # --- the small parts

    def _assertion(self, client: Client) -> str:
        """The signed assertion of ``client``, re-signed when half its life is gone."""
        now = asyncio.get_running_loop().time()
        cached = self._assertions.get(client)
        if cached is not None and cached[1] > now:
            return cached[0]
        if len(self._assertions) >= _ASSERTION_CACHE_LIMIT:
            self._assertions.clear()
        token = sign_assertion(client, self._secret)
        self._assertions[client] = (token, now + ASSERTION_TTL_SECONDS / 2)
        return token

    def _report(self, kind: str) -> None:
        if self.on_upstream_error is not None:
            self.on_upstream_error(self.name, kind)

    def _new_session(self) -> aiohttp.ClientSession:
        settings = self.settings
        connector = aiohttp.TCPConnector(
            limit=settings.pool_size,
            limit_per_host=0,
            keepalive_timeout=settings.keepalive_seconds,
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=None,
                # A free pooled connection, then the socket: both before the deadline.
                connect=self._deadline,
                sock_connect=settings.connect_timeout_seconds,
                sock_read=settings.read_timeout_seconds,
            ),
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=_NO_AUTO_HEADERS,
            requote_redirect_url=False,
            trust_env=False,
        )


def distributed_upstreams(settings: GatewaySettings, internal_secret: str) -> dict[str, Upstream]:
    """An :class:`HttpService` for every service whose ``<name>_url`` is set."""
    upstreams: dict[str, Upstream] = {}
    for name in SERVICES:
        url = getattr(settings, f"{name}_url")
        if url:
            upstreams[name] = HttpService(name, url, settings, internal_secret)
    return upstreams
