"""Rate limits at the edge (OWASP API4: unrestricted resource consumption).

Each caller's bucket follows GCRA (the generic cell rate algorithm): a bucket
is one number, the *theoretical arrival time* (TAT) of the next request at the
steady rate. The burst equals the per-minute limit, so a fresh caller may send
``limit`` requests at once and then ``limit`` per minute; in any 60-second
window no caller gets more than ``2 × limit``. One number per bucket keeps the
in-memory store small and the Redis decision one short atomic script
(:mod:`gateway.ratelimit_redis`).

Every failure is closed, never open: a limiter that cannot decide either
limits in this process meanwhile or refuses with 503, as
``KYODO_GATEWAY_REDIS_FAILURE_MODE`` says; a request is never let through
uncounted.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Protocol

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.config import GatewaySettings
from services.common.problems import problem_response
from services.common.problemtypes import PROBLEM_CATALOGUE

__all__ = [
    "WINDOW_SECONDS",
    "Decision",
    "FallbackRateLimiter",
    "MemoryRateLimiter",
    "Policy",
    "RateLimitMiddleware",
    "RateLimitUnavailable",
    "RateLimiter",
    "gcra",
    "rate_limiter_for",
]

WINDOW_SECONDS = 60
_WINDOW_US = WINDOW_SECONDS * 1_000_000

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for one request: allowed or not, and what the headers say."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    """Seconds until the bucket is full again (the ``t`` of the ``RateLimit`` header)."""
    retry_after_seconds: int
    """Seconds until a refused caller may try again; 0 when allowed."""


@dataclass(frozen=True, slots=True)
class Policy:
    """Which bucket a request draws from, and how big it is."""

    key: str
    """The bucket, e.g. ``client:<id>`` or ``ip:<address>``."""
    limit_per_minute: int
    name: str
    """Shown to clients in the ``RateLimit`` headers, e.g. ``client`` or ``anonymous``."""


class RateLimitUnavailable(Exception):
    """The limiter cannot decide and is configured to refuse meanwhile (503)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("rate limiter unavailable")
        self.retry_after_seconds = retry_after_seconds


class RateLimiter(Protocol):
    """Decides whether one more request fits a bucket, and counts it if so."""

    async def hit(self, key: str, limit_per_minute: int) -> Decision:
        """Count one request against ``key``; refused requests are not counted."""
        ...

    async def aclose(self) -> None:
        """Release connections (at the end of the gateway's lifespan)."""
        ...


def interval_us(limit_per_minute: int) -> int:
    """Microseconds between requests at the steady rate (whole, as Redis needs)."""
    return max(1, _WINDOW_US // limit_per_minute)


def gcra(tat_us: int | None, now_us: int, limit_per_minute: int) -> tuple[int | None, Decision]:
    """One GCRA step: the bucket's new TAT (None when refused: unchanged) and the decision.

    The Lua script in :mod:`gateway.ratelimit_redis` is this function, line for line.
    """
    interval = interval_us(limit_per_minute)
    window = interval * limit_per_minute  # the burst: limit requests at once
    base = now_us if tat_us is None or tat_us < now_us else tat_us
    allow_at = base + interval - window
    if allow_at > now_us:
        return None, decision(False, limit_per_minute, base - now_us, allow_at - now_us)
    return base + interval, decision(True, limit_per_minute, base + interval - now_us, 0)


def decision(allowed: bool, limit: int, debt_us: int, wait_us: int) -> Decision:
    """A :class:`Decision` from a bucket's debt (TAT - now) and a refused caller's wait."""
    interval = interval_us(limit)
    remaining = max(0, (interval * limit - debt_us) // interval)
    return Decision(
        allowed=allowed,
        limit=limit,
        remaining=remaining,
        reset_seconds=math.ceil(debt_us / 1_000_000),
        retry_after_seconds=max(1, math.ceil(wait_us / 1_000_000)) if not allowed else 0,
    )


def _monotonic_us() -> int:
    return time.monotonic_ns() // 1000


class MemoryRateLimiter:
    """Buckets in this process: the embedded platform, and Redis's stand-in.

    Memory stays bounded: a bucket untouched for a minute is full again, so it is
    dropped (checked on every hit, oldest first); past ``max_keys`` live buckets
    the least recently used is dropped, which only ever forgives that one caller.
    """

    def __init__(self, *, max_keys: int = 100_000, clock: Callable[[], int] = _monotonic_us):
        self.max_keys = max_keys
        self.clock = clock
        self._tats: OrderedDict[str, int] = OrderedDict()
        # Decisions never await, so one event loop needs no lock; this one makes a
        # limiter shared with a worker thread safe too, at ~50 ns uncontended.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._tats)

    async def hit(self, key: str, limit_per_minute: int) -> Decision:
        """Count one request against ``key`` (see :class:`RateLimiter`)."""
        return self.hit_now(key, limit_per_minute)

    def hit_now(self, key: str, limit_per_minute: int) -> Decision:
        """The same decision, synchronously."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            tat, result = gcra(self._tats.get(key), now, limit_per_minute)
            if tat is not None:
                self._tats[key] = tat
                self._tats.move_to_end(key)
                if len(self._tats) > self.max_keys:
                    self._tats.popitem(last=False)
            return result

    def _expire(self, now: int) -> None:
        tats = self._tats
        while tats:
            key, tat = next(iter(tats.items()))
            if tat > now:
                return
            del tats[key]

    async def aclose(self) -> None:
        """Nothing to release."""


class FallbackRateLimiter:
    """Redis while it answers; meanwhile memory (``memory``) or 503 (``refuse``).

    After a failure Redis is left alone for ``retry_seconds``; then one request
    at a time tries it again, so a dead Redis costs one timeout per back-off,
    not one per request. An outage is logged once when it starts and once when
    it ends. In ``memory`` mode each gateway process limits on its own while
    Redis is down, so the platform-wide limit is at most processes × limit.
    """

    def __init__(
        self,
        primary: RateLimiter,
        *,
        mode: Literal["memory", "refuse"],
        fallback: RateLimiter | None = None,
        retry_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.mode = mode
        self.fallback = fallback or MemoryRateLimiter()
        self.retry_seconds = retry_seconds
        self.clock = clock
        self._down_until: float | None = None
        self._probing = False

    @property
    def degraded(self) -> bool:
        """Whether the last attempt at the primary failed."""
        return self._down_until is not None

    async def hit(self, key: str, limit_per_minute: int) -> Decision:
        """Count one request, on Redis if it answers (see the class)."""
        result = None
        if self._down_until is None:
            result = await self._attempt(key, limit_per_minute)
        elif self._may_probe():
            self._probing = True
            try:
                result = await self._attempt(key, limit_per_minute)
            finally:
                self._probing = False
        return result if result is not None else await self._degraded(key, limit_per_minute)

    async def _attempt(self, key: str, limit_per_minute: int) -> Decision | None:
        try:
            result = await self.primary.hit(key, limit_per_minute)
        except Exception as exc:  # any failure: a connection, a timeout, a script
            self._failed(exc)
            return None
        self._recovered()
        return result

    def _may_probe(self) -> bool:
        assert self._down_until is not None
        return not self._probing and self.clock() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        if self._down_until is None:
            log.warning("rate_limit_backend_down", mode=self.mode, error=type(exc).__name__)
        self._down_until = self.clock() + self.retry_seconds

    def _recovered(self) -> None:
        if self._down_until is not None:
            log.info("rate_limit_backend_back", mode=self.mode)
            self._down_until = None

    async def _degraded(self, key: str, limit_per_minute: int) -> Decision:
        if self.mode == "memory":
            return await self.fallback.hit(key, limit_per_minute)
        raise RateLimitUnavailable(max(1, math.ceil(self.retry_seconds)))

    async def aclose(self) -> None:
        """Close both limiters."""
        await self.primary.aclose()
        await self.fallback.aclose()


def rate_limiter_for(settings: GatewaySettings) -> RateLimiter:
    """The limiter the settings ask for: in memory, or Redis with its failure mode."""
    if settings.redis_url is None:
        return MemoryRateLimiter()
    from gateway.ratelimit_redis import RedisRateLimiter

    mode: Literal["memory", "refuse"] = (
        "refuse" if settings.redis_failure_mode == "refuse" else "memory"
    )
    return FallbackRateLimiter(RedisRateLimiter(settings.redis_url), mode=mode)


@lru_cache(maxsize=1024)
def _policy_header(name: str, limit: int) -> bytes:
    return f"{_sf_string(name)};q={limit};w={WINDOW_SECONDS}".encode()


@lru_cache(maxsize=1024)
def _sf_string(text: str) -> str:
    """``text`` as a structured-field string (RFC 9651), which the draft headers use."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rate_limit_headers(policy: Policy, result: Decision) -> list[tuple[bytes, bytes]]:
    """The IETF draft ``RateLimit-Policy`` and ``RateLimit`` headers for a decision."""
    state = f"{_sf_string(policy.name)};r={result.remaining};t={result.reset_seconds}"
    return [
        (b"ratelimit-policy", _policy_header(policy.name, result.limit)),
        (b"ratelimit", state.encode()),
    ]


class RateLimitMiddleware:
    """Counts each request against its policy's bucket; 429 when it is empty.

    ``policy(scope)`` names the bucket (None: not limited, e.g. health probes).
    The body is never read, so a refusal costs no upload. ``on_refusal(name)``
    lets metrics count refusals per policy.
    """

    def __init__(
        self,
        app: ASGIApp,
        limiter: RateLimiter,
        policy: Callable[[Scope], Policy | None],
        *,
        on_refusal: Callable[[str], None] | None = None,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.policy = policy
        self.on_refusal = on_refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        policy = self.policy(scope) if scope["type"] == "http" else None
        if policy is None:
            await self.app(scope, receive, send)
            return
        try:
            result = await self.limiter.hit(policy.key, policy.limit_per_minute)
        except Exception as exc:
            await _unavailable(scope, receive, send, exc)
            return
        headers = rate_limit_headers(policy, result)
        if not result.allowed:
            if self.on_refusal is not None:
                self.on_refusal(policy.name)
            await _refuse(scope, receive, send, result, headers)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, result: Decision, headers: list[tuple[bytes, bytes]]
) -> None:
    response = problem_response(
        Request(scope),
        status=429,
        slug="rate-limited",
        title=PROBLEM_CATALOGUE["rate-limited"].title,
        detail=f"The rate limit of {result.limit} requests per minute is used up; "
        f"retry after {result.retry_after_seconds} s.",
        headers={"Retry-After": str(result.retry_after_seconds)},
    )
    response.raw_headers.extend(headers)
    await response(scope, receive, send)


async def _unavailable(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    if isinstance(exc, RateLimitUnavailable):
        retry_after = exc.retry_after_seconds
    else:  # a limiter bug: refuse, never let the request through uncounted
        log.exception("rate_limit_error")
        retry_after = 1
    response = problem_response(
        Request(scope),
        status=503,
        slug="rate-limit-unavailable",
        title=PROBLEM_CATALOGUE["rate-limit-unavailable"].title,
        detail="The rate limiter cannot decide right now; retry shortly.",
        headers={"Retry-After": str(retry_after)},
    )
    await response(scope, receive, send)
