"""Rate limits in Redis: shared by gateway processes, and closed (never open) when Redis fails."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import Scope

from gateway.ratelimit import FallbackRateLimiter, MemoryRateLimiter, Policy, RateLimitMiddleware
from gateway.ratelimit_redis import RedisRateLimiter

SHARED_REDIS = "redis://127.0.0.1:6379/0"


def _shared_redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(SHARED_REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own on the shared Redis, cleaned up afterwards."""
    if not _shared_redis_answers():
        pytest.skip("no Redis at 127.0.0.1:6379")
    name = f"kyodo-test:ratelimit:{uuid.uuid4().hex}:"
    yield name
    client = redis.Redis.from_url(SHARED_REDIS)
    keys = list(client.scan_iter(match=name + "*"))
    if keys:
        client.delete(*keys)


def test_two_gateway_processes_share_one_bucket(prefix):
    async def scenario():
        first = RedisRateLimiter(SHARED_REDIS, prefix=prefix, timeout_seconds=2)
        second = RedisRateLimiter(SHARED_REDIS, prefix=prefix, timeout_seconds=2)
        results = []
        for i in range(8):
            results.append(await (first if i % 2 else second).hit("client:c1", 6))
        await first.aclose()
        await second.aclose()
        return results

    results = asyncio.run(scenario())
    assert [r.allowed for r in results] == [True] * 6 + [False] * 2
    assert [r.remaining for r in results[:6]] == [5, 4, 3, 2, 1, 0]
    assert results[6].retry_after_seconds == 10


def test_concurrent_decisions_never_exceed_the_burst(prefix):
    async def scenario():
        limiters = [RedisRateLimiter(SHARED_REDIS, prefix=prefix, timeout_seconds=2) for _ in "ab"]
        calls = (limiters[i % 2].hit("client:busy", 20) for i in range(60))
        results = await asyncio.gather(*calls)
        for limiter in limiters:
            await limiter.aclose()
        return results

    assert sum(r.allowed for r in asyncio.run(scenario())) == 20


def test_buckets_expire_in_redis(prefix):
    async def scenario():
        limiter = RedisRateLimiter(SHARED_REDIS, prefix=prefix, timeout_seconds=2)
        await limiter.hit("k", 60)
        await limiter.aclose()

    asyncio.run(scenario())
    ttl_ms = redis.Redis.from_url(SHARED_REDIS).pttl(prefix + "k")
    assert 0 < ttl_ms <= 2_000  # one request's worth of debt, plus a millisecond


def test_a_flushed_script_cache_is_refilled(own_redis):
    async def scenario():
        limiter = RedisRateLimiter(own_redis.url, timeout_seconds=2)
        first = await limiter.hit("k", 10)
        redis.Redis(port=own_redis.port).script_flush()
        second = await limiter.hit("k", 10)
        await limiter.aclose()
        return first, second

    first, second = asyncio.run(scenario())
    assert first.remaining == 9
    assert second.remaining == 8


def _per_caller(scope: Scope) -> Policy:
    return Policy(key="caller:one", limit_per_minute=3, name="test")


async def _hello(request):
    return PlainTextResponse("hello")


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _gateway(limiter) -> httpx.AsyncClient:
    app = RateLimitMiddleware(Starlette(routes=[Route("/", _hello)]), limiter, _per_caller)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


async def _statuses(client: httpx.AsyncClient, count: int) -> list[int]:
    return [(await client.get("/")).status_code for _ in range(count)]


def test_memory_mode_keeps_limiting_while_redis_is_down_and_returns_to_it(own_redis):
    clock = ManualClock()
    redis_limiter = RedisRateLimiter(own_redis.url, prefix="a:", timeout_seconds=0.5)
    limiter = FallbackRateLimiter(redis_limiter, mode="memory", clock=clock)

    async def scenario():
        async with _gateway(limiter) as client:
            assert await _statuses(client, 4) == [200, 200, 200, 429]
            assert own_redis.stored_keys() == [b"a:caller:one"]
            own_redis.stop()
            # Memory takes over with a fresh bucket: limited, never unlimited.
            assert await _statuses(client, 5) == [200, 200, 200, 429, 429]
            assert limiter.degraded
            own_redis.start()  # empty: the bucket in Redis is gone
            assert await _statuses(client, 1) == [429]  # still within the back-off
            clock.now += limiter.retry_seconds
            assert await _statuses(client, 4) == [200, 200, 200, 429]
            assert not limiter.degraded
            assert own_redis.stored_keys() == [b"a:caller:one"]
        await limiter.aclose()

    asyncio.run(scenario())


def test_refuse_mode_answers_503_while_redis_is_down(own_redis):
    clock = ManualClock()
    redis_limiter = RedisRateLimiter(own_redis.url, timeout_seconds=0.5)
    limiter = FallbackRateLimiter(redis_limiter, mode="refuse", clock=clock)

    async def scenario():
        async with _gateway(limiter) as client:
            assert await _statuses(client, 1) == [200]
            own_redis.stop()
            down = await client.get("/")
            assert down.status_code == 503
            assert down.json()["type"] == "urn:kyodo:problem:rate-limit-unavailable"
            assert int(down.headers["Retry-After"]) >= 1
            assert await _statuses(client, 3) == [503] * 3
            own_redis.start()
            clock.now += limiter.retry_seconds
            assert await _statuses(client, 4) == [200, 200, 200, 429]
        await limiter.aclose()

    asyncio.run(scenario())


def test_a_restarted_redis_is_reconnected_without_an_outage(own_redis):
    limiter = FallbackRateLimiter(
        RedisRateLimiter(own_redis.url, timeout_seconds=0.5), mode="refuse", clock=ManualClock()
    )

    async def scenario():
        async with _gateway(limiter) as client:
            assert await _statuses(client, 1) == [200]
            own_redis.stop()
            own_redis.start()
            assert await _statuses(client, 1) == [200]
        await limiter.aclose()

    asyncio.run(scenario())
    assert not limiter.degraded


def test_a_dead_redis_costs_one_attempt_per_back_off(own_redis):
    calls = 0

    class Counting(RedisRateLimiter):
        async def hit(self, key, limit_per_minute):
            nonlocal calls
            calls += 1
            return await super().hit(key, limit_per_minute)

    own_redis.stop()
    limiter = FallbackRateLimiter(
        Counting(own_redis.url, timeout_seconds=0.5), mode="memory", clock=ManualClock()
    )

    async def scenario():
        async with _gateway(limiter) as client:
            await client.get("/")  # learns that Redis is down
            await asyncio.gather(*(client.get("/") for _ in range(20)))

    asyncio.run(scenario())
    assert calls == 1
    assert isinstance(limiter.fallback, MemoryRateLimiter)
    assert len(limiter.fallback) == 1
