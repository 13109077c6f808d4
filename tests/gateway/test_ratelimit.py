"""Rate limits: the GCRA arithmetic, the in-memory limiter, the fallback and the middleware."""

from __future__ import annotations

import asyncio
import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Message, Scope
from structlog.testing import capture_logs

from gateway.config import GatewaySettings
from gateway.ratelimit import (
    Decision,
    FallbackRateLimiter,
    MemoryRateLimiter,
    Policy,
    RateLimitMiddleware,
    RateLimitUnavailable,
    gcra,
    interval_us,
    rate_limiter_for,
)
from services.common.problemtypes import PROBLEM_CATALOGUE

SECOND = 1_000_000
MINUTE = 60 * SECOND


def run(coroutine):
    return asyncio.run(coroutine)


class Clock:
    """A clock the test moves by hand (µs for buckets, seconds for back-offs)."""

    def __init__(self, start: int = 1_000 * SECOND) -> None:
        self.now = start

    def __call__(self) -> int:
        return self.now

    def seconds(self) -> float:
        return self.now / SECOND

    def advance(self, seconds: float) -> None:
        self.now += int(seconds * SECOND)


def simulate(limit: int, arrivals: list[int]) -> list[tuple[int, Decision]]:
    tat = None
    decisions = []
    for now in arrivals:
        new_tat, result = gcra(tat, now, limit)
        if new_tat is not None:
            tat = new_tat
        decisions.append((now, result))
    return decisions


# --- the algorithm ---------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(1, 50),
    gaps=st.lists(st.integers(0, 5 * SECOND), min_size=1, max_size=300),
)
def test_no_window_of_a_minute_admits_more_than_limit_plus_burst(limit, gaps):
    arrivals = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    allowed = [now for now, result in simulate(limit, arrivals) if result.allowed]
    for i, start in enumerate(allowed):
        in_window = bisect.bisect_left(allowed, start + MINUTE) - i
        assert in_window <= 2 * limit


@settings(max_examples=100, deadline=None)
@given(limit=st.integers(1, 10_000), slack=st.integers(0, SECOND), count=st.integers(1, 500))
def test_a_caller_at_or_below_the_steady_rate_is_never_refused(limit, slack, count):
    step = interval_us(limit) + slack
    assert all(result.allowed for _, result in simulate(limit, [i * step for i in range(count)]))


@settings(max_examples=200, deadline=None)
@given(limit=st.integers(1, 1000), gaps=st.lists(st.integers(0, 3 * SECOND), max_size=100))
def test_a_refused_caller_that_waits_retry_after_is_allowed(limit, gaps):
    tat = None
    now = 0
    for gap in gaps:
        now += gap
        new_tat, result = gcra(tat, now, limit)
        tat = new_tat if new_tat is not None else tat
        if not result.allowed:
            assert result.remaining == 0
            _, later = gcra(tat, now + result.retry_after_seconds * SECOND, limit)
            assert later.allowed


def test_a_fresh_bucket_allows_a_burst_of_the_limit_then_refuses():
    results = [result for _, result in simulate(5, [0] * 7)]
    assert [r.allowed for r in results] == [True] * 5 + [False] * 2
    assert [r.remaining for r in results] == [4, 3, 2, 1, 0, 0, 0]
    assert results[0].reset_seconds == 12  # one request's worth refills in 60/5 s
    assert results[4].reset_seconds == 60
    assert results[5].retry_after_seconds == 12
    assert results[0].retry_after_seconds == 0


def test_refused_requests_are_not_counted():
    arrivals = [0] * 5 + [SECOND] * 100 + [12 * SECOND]
    assert simulate(5, arrivals)[-1][1].allowed


# --- the in-memory limiter -----------------------------------------------------------


def test_memory_limiter_keeps_separate_buckets_per_key():
    limiter = MemoryRateLimiter(clock=Clock())
    assert all(limiter.hit_now("a", 3).allowed for _ in range(3))
    assert not limiter.hit_now("a", 3).allowed
    assert limiter.hit_now("b", 3).allowed


def test_memory_limiter_forgets_buckets_idle_for_a_minute():
    clock = Clock()
    limiter = MemoryRateLimiter(clock=clock)
    for i in range(1000):
        limiter.hit_now(f"caller-{i}", 10)
    assert len(limiter) == 1000
    clock.advance(60)
    limiter.hit_now("another", 10)
    assert len(limiter) == 1


def test_memory_limiter_stays_within_max_keys():
    limiter = MemoryRateLimiter(max_keys=100, clock=Clock())
    for i in range(1000):
        limiter.hit_now(f"caller-{i}", 10)
    assert len(limiter) == 100


def test_memory_limiter_is_async_too():
    limiter = MemoryRateLimiter(clock=Clock())

    async def three():
        return await asyncio.gather(*(limiter.hit("k", 2) for _ in range(3)))

    results = run(three())
    assert [r.allowed for r in results] == [True, True, False]


def test_settings_without_redis_limit_in_memory():
    assert isinstance(rate_limiter_for(GatewaySettings(redis_url=None)), MemoryRateLimiter)
    limiter = rate_limiter_for(GatewaySettings(redis_url="redis://x", redis_failure_mode="refuse"))
    assert isinstance(limiter, FallbackRateLimiter)
    assert limiter.mode == "refuse"


# --- the fallback --------------------------------------------------------------------


class FlakyLimiter:
    """A primary that fails while ``up`` is False and counts its calls."""

    def __init__(self) -> None:
        self.up = True
        self.calls = 0
        self.inner = MemoryRateLimiter(clock=Clock())

    async def hit(self, key: str, limit_per_minute: int) -> Decision:
        self.calls += 1
        if not self.up:
            raise ConnectionError("redis is down")
        return await self.inner.hit(key, limit_per_minute)

    async def aclose(self) -> None:
        pass


def test_fallback_limits_in_memory_while_the_primary_fails_and_logs_once():
    primary, clock = FlakyLimiter(), Clock()
    limiter = FallbackRateLimiter(
        primary,
        mode="memory",
        fallback=MemoryRateLimiter(clock=clock),
        retry_seconds=2,
        clock=clock.seconds,
    )
    primary.up = False
    with capture_logs() as logs:
        results = [run(limiter.hit("k", 3)) for _ in range(10)]
    assert [r.allowed for r in results] == [True] * 3 + [False] * 7
    assert primary.calls == 1  # then left alone for the back-off
    assert [entry["event"] for entry in logs] == ["rate_limit_backend_down"]
    assert limiter.degraded


def test_fallback_tries_the_primary_again_after_the_back_off():
    primary, clock = FlakyLimiter(), Clock()
    limiter = FallbackRateLimiter(
        primary, mode="memory", fallback=MemoryRateLimiter(clock=clock), clock=clock.seconds
    )
    primary.up = False
    run(limiter.hit("k", 3))
    clock.advance(limiter.retry_seconds)
    run(limiter.hit("k", 3))
    assert primary.calls == 2  # the probe failed: still degraded
    primary.up = True
    clock.advance(limiter.retry_seconds)
    with capture_logs() as logs:
        run(limiter.hit("k", 3))
    assert not limiter.degraded
    assert [entry["event"] for entry in logs] == ["rate_limit_backend_back"]
    run(limiter.hit("k", 3))
    assert primary.calls == 4


def test_fallback_in_refuse_mode_raises_unavailable():
    primary = FlakyLimiter()
    limiter = FallbackRateLimiter(primary, mode="refuse", retry_seconds=3)
    primary.up = False
    for _ in range(3):
        with pytest.raises(RateLimitUnavailable) as caught:
            run(limiter.hit("k", 100))
        assert caught.value.retry_after_seconds == 3


# --- the middleware ------------------------------------------------------------------


def by_caller(scope: Scope) -> Policy | None:
    """Limits every path but /healthz, per X-Caller header, at 3 a minute."""
    if scope["path"] == "/healthz":
        return None
    caller = dict(scope["headers"]).get(b"x-caller", b"anonymous").decode()
    return Policy(key=f"caller:{caller}", limit_per_minute=3, name="test")


def tiny_app():
    async def hello(request):
        return PlainTextResponse("hello")

    return Starlette(routes=[Route("/hello", hello), Route("/healthz", hello)])


def limited_client(limiter=None, **kwargs):
    limiter = limiter or MemoryRateLimiter()
    return TestClient(RateLimitMiddleware(tiny_app(), limiter, by_caller, **kwargs))


def test_allowed_responses_carry_the_draft_headers():
    client = limited_client()
    answer = client.get("/hello")
    assert answer.status_code == 200
    assert answer.headers["RateLimit-Policy"] == '"test";q=3;w=60'
    assert answer.headers["RateLimit"] == '"test";r=2;t=20'


def test_a_caller_over_the_limit_gets_429_problem_with_retry_after():
    refused = []
    client = limited_client(on_refusal=refused.append)
    for _ in range(3):
        assert client.get("/hello").status_code == 200
    answer = client.get("/hello")
    assert answer.status_code == 429
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "urn:kyodo:problem:rate-limited"
    assert answer.json()["title"] == PROBLEM_CATALOGUE["rate-limited"].title
    assert PROBLEM_CATALOGUE["rate-limited"].status == 429
    assert answer.json()["instance"] == "/hello"
    assert answer.headers["Retry-After"] == "20"
    assert answer.headers["RateLimit"] == '"test";r=0;t=60'
    assert answer.headers["RateLimit-Policy"] == '"test";q=3;w=60'
    assert refused == ["test"]


def test_each_caller_has_its_own_bucket():
    client = limited_client()
    for _ in range(4):
        client.get("/hello", headers={"X-Caller": "greedy"})
    assert client.get("/hello", headers={"X-Caller": "greedy"}).status_code == 429
    assert client.get("/hello", headers={"X-Caller": "modest"}).status_code == 200


def test_unlimited_paths_are_not_counted_and_carry_no_headers():
    client = limited_client()
    for _ in range(10):
        answer = client.get("/healthz")
        assert answer.status_code == 200
        assert "RateLimit" not in answer.headers
    assert client.get("/hello").headers["RateLimit"] == '"test";r=2;t=20'


def test_policy_names_are_quoted_as_structured_field_strings():
    def odd(scope: Scope) -> Policy:
        return Policy(key="k", limit_per_minute=10, name='a"b\\c')

    client = TestClient(RateLimitMiddleware(tiny_app(), MemoryRateLimiter(), odd))
    assert client.get("/hello").headers["RateLimit-Policy"] == '"a\\"b\\\\c";q=10;w=60'


def test_a_refusal_does_not_read_the_body():
    limiter = MemoryRateLimiter()
    middleware = RateLimitMiddleware(tiny_app(), limiter, by_caller)
    sent: list[Message] = []

    async def receive() -> Message:
        raise AssertionError("the body was read")

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/hello",
        "raw_path": b"/hello",
        "query_string": b"",
        "headers": [(b"content-length", b"1000000")],
        "scheme": "http",
        "server": ("test", 80),
        "root_path": "",
    }
    for _ in range(3):
        limiter.hit_now("caller:anonymous", 3)
    run(middleware(scope, receive, send))
    assert sent[0]["status"] == 429


class BrokenLimiter:
    """A limiter with a bug: every decision raises."""

    async def hit(self, key: str, limit_per_minute: int) -> Decision:
        raise RuntimeError("a bug")

    async def aclose(self) -> None:
        pass


def test_a_limiter_error_refuses_with_503_never_lets_through():
    answer = limited_client(BrokenLimiter()).get("/hello")
    assert answer.status_code == 503
    assert answer.json()["type"] == "urn:kyodo:problem:rate-limit-unavailable"
    assert PROBLEM_CATALOGUE["rate-limit-unavailable"].status == 503
    assert answer.headers["Retry-After"] == "1"


def test_refuse_mode_answers_503_with_retry_after():
    primary = FlakyLimiter()
    primary.up = False
    limiter = FallbackRateLimiter(primary, mode="refuse", retry_seconds=5)
    answer = limited_client(limiter).get("/hello")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["Retry-After"] == "5"
    assert "RateLimit" not in answer.headers
