"""A service over HTTP: the gateway's forwarding in the distributed mode.

:class:`HttpService` streams each request to its service and the answer back
through one pooled keep-alive ``aiohttp`` session (DESIGN.md: the fast client
of the hot path), with the caller's identity as the signed
``Kyodo-Client-Assertion``, the request id and a W3C ``traceparent``.

When the service does not answer, the caller gets a problem+json at once
(:mod:`gateway.failures`): 502 ``bad-gateway`` when the connection was refused
or dropped before an answer, 504 ``gateway-timeout`` after
``connect_timeout_seconds`` to connect, ``read_timeout_seconds`` waiting for
the answer once the request is sent, or ``request_timeout_seconds`` for the
whole attempt; 503 ``service-unavailable`` with ``Retry-After`` while the
service's circuit is open (the request is not sent).

Those failures, and only those, count towards the circuit breaker
(:mod:`gateway.breaker`): an answer is an answer, even a 5xx (the service is up
and speaks for itself; its own 503s are relayed as they are). A request that
ends with no word on the service gives its breaker ticket back (the half-open
trial's slot goes to the next request): the caller hung up, was too slow, or
the gateway was busy.

The caller's side is bounded too, so it cannot hold a pooled connection:

* each piece of a request body must arrive within ``body_timeout_seconds``,
  and the whole attempt (upload included) ends at ``request_timeout_seconds``;
  a caller still sending then gets 408 ``request-timeout`` and its connection
  is closed;
* at most ``pool_size`` requests use a service's connections at once; a
  request that finds no free one within ``connect_timeout_seconds`` gets 503
  ``service-unavailable`` ("the gateway is busy", ``Retry-After``).

``GET``, ``HEAD`` and ``OPTIONS`` requests without a streamed body are tried
again, at most ``retry_attempts`` times, when the connection failed before any
answer (refused, reset; not after a timeout), and never once
``connect_timeout_seconds + read_timeout_seconds`` have passed since the first
attempt (nor after ``request_timeout_seconds``). Other methods are never
retried by the proxy.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import aiohttp
from multidict import CIMultiDict
from starlette.types import Message, Receive, Scope, Send
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
_TOO_SLOW = "The request body did not arrive in time; the request was not forwarded whole."
_BUSY = "The gateway is busy: every connection to the {} service is in use; retry shortly."


class UpstreamInterrupted(Exception):
    """The service's answer broke off after it had started: the caller's
    connection is dropped, so a truncated body is never taken as whole."""


class _ClientGone(Exception):
    """The caller disconnected while its request body was being forwarded."""


class _CallerTooSlow(Exception):
    """The caller's request body did not arrive in time (408, not the service's fault)."""


async def _next_message(receive: Receive, timeout: float) -> Message:
    """The caller's next ASGI message, if it comes within ``timeout`` seconds."""
    try:
        async with asyncio.timeout(timeout):
            return await receive()
    except TimeoutError:
        raise _CallerTooSlow from None


class _StreamedBody:
    """A request body too large for one ASGI message, forwarded as it arrives.

    aiohttp reads it in its own task and wraps whatever goes wrong there, so
    the caller's part is kept here: ``error`` (the caller left, stalled, or
    its body was refused), and whether the upload was ``waiting`` on the
    caller when the attempt's deadline struck.
    """

    __slots__ = ("error", "first", "receive", "timeout", "waiting")

    def __init__(self, first: bytes, receive: Receive, timeout: float) -> None:
        self.first, self.receive, self.timeout = first, receive, timeout
        self.error: Exception | None = None
        self.waiting = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.first:
            yield self.first
        while True:
            self.waiting = True
            try:
                message = await _next_message(self.receive, self.timeout)
            except Exception as exc:
                self.error = exc
                raise
            self.waiting = False
            if message["type"] == "http.disconnect":
                self.error = _ClientGone()
                raise self.error
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
        # Retries stop here; every attempt, the first included, at request_timeout.
        self._retry_window = settings.connect_timeout_seconds + settings.read_timeout_seconds
        self._slots: asyncio.Semaphore | None = None  # pool_size requests at once

    # --- the Upstream protocol

    def lifespan(self) -> AbstractAsyncContextManager[None]:
        """Open the pooled session to the service (closed at the end)."""
        return self._lifespan()

    @asynccontextmanager
    async def _lifespan(self) -> AsyncIterator[None]:
        self._session = self._new_session()
        self._slots = asyncio.Semaphore(self.settings.pool_size)
        try:
            yield
        finally:
            session, self._session, self._slots = self._session, None, None
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
        await self._forward(scope, receive, send, ticket)

    # --- forwarding

    async def _forward(self, scope: Scope, receive: Receive, send: Send, ticket: int) -> None:
        """Forward the request, relay the answer and tell the breaker how the service
        did; a request that ends with no word on it gives ``ticket`` back."""
        session, slots = self._session, self._slots
        if session is None or slots is None:
            raise RuntimeError(f"{self.name}: HttpService used outside its lifespan")
        incoming = request_headers(scope)
        headers = CIMultiDict(incoming.pairs)
        echo = self._trace(scope, incoming, headers)
        client = scope.get(CLIENT_SCOPE_KEY)
        if isinstance(client, Client):
            headers[ASSERTION_HEADER] = self._assertion(client)
        query = scope.get("query_string", b"")
        path = scope.get("raw_path") or scope["path"].encode()
        target = self.base_url + path.decode("latin-1")
        if query:
            target += "?" + query.decode("latin-1")

        async def problem(status: int, detail: str, **extra: Any) -> None:
            await send_problem(
                scope,
                send,
                status,
                detail,
                request_id=incoming.request_id,
                traceparent=echo,
                **extra,
            )

        judged = False  # the breaker has been told whether the service answered
        try:
            body_timeout = self.settings.body_timeout_seconds
            data: bytes | _StreamedBody | None = None
            if incoming.has_body:
                try:
                    message = await _next_message(receive, body_timeout)
                except _CallerTooSlow:
                    await problem(408, _TOO_SLOW, close=True)
                    return
                if message["type"] == "http.disconnect":
                    return
                body = message.get("body", b"")
                more = message.get("more_body", False)
                data = _StreamedBody(body, receive, body_timeout) if more else body
            try:
                if slots.locked():  # (a timer only when there is a wait)
                    async with asyncio.timeout(self.settings.connect_timeout_seconds):
                        await slots.acquire()
                else:
                    await slots.acquire()
            except TimeoutError:
                # Every connection is held by requests in flight: the gateway's own
                # limit, not a failure of the service.
                self._report("busy")
                await problem(503, _BUSY.format(self.name), retry_after=1)
                return
            try:
                try:
                    url = URL(target, encoded=True)
                    response = await self._answer(scope["method"], url, headers, data)
                except _ClientGone:
                    return
                except _CallerTooSlow:
                    await problem(408, _TOO_SLOW, close=True)
                    return
                except UpstreamFailure as failure:
                    self.breaker.failed()
                    judged = True
                    await problem(failure.status, failure.detail)
                    return
                self.breaker.succeeded()
                judged = True
                await self._relay(response, send, echo)
            finally:
                slots.release()
        finally:
            if not judged:
                # The caller left or was too slow, the gateway was busy, or
                # something raised: a half-open trial's slot goes to the next request.
                self.breaker.abandoned(ticket)

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
        now = loop.time()
        deadline = now + self.settings.request_timeout_seconds
        retry_until = min(deadline, now + self._retry_window)
        attempt = 0
        while True:
            attempt += 1
            try:
                request = self._session.request(
                    method, url, headers=headers, data=data, allow_redirects=False
                )
                async with asyncio.timeout_at(deadline if attempt == 1 else retry_until):
                    return await request
            except (aiohttp.ClientError, TimeoutError) as exc:
                if isinstance(data, _StreamedBody):
                    if data.error is not None:  # the caller's doing, not the service's
                        raise data.error from exc
                    if isinstance(exc, TimeoutError) and data.waiting:
                        raise _CallerTooSlow from exc  # still uploading at the deadline
                failure = classify(exc, self.name)
                self._report(failure.kind)
                retry = failure.kind in ("refused", "reset") and attempt < attempts
                if not retry or loop.time() >= retry_until:
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
        token = sign_assertion(client, self._secret, audience=self.name)
        self._assertions[client] = (token, now + ASSERTION_TTL_SECONDS / 2)
        return token

    def _report(self, kind: str) -> None:
        if self.on_upstream_error is not None:
            self.on_upstream_error(self.name, kind)

    def _new_session(self) -> aiohttp.ClientSession:
        settings = self.settings
        connector = aiohttp.TCPConnector(
            # The pool's limit is the proxy's own (``_slots``): waiting for a free
            # connection must not look like a service that does not accept one.
            limit=0,
            limit_per_host=0,
            keepalive_timeout=settings.keepalive_seconds,
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=None,
                connect=None,
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
