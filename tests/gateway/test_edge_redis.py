"""The gateway's rate limits on a Redis of the test's own: when it stops, the door stays shut.

A real redis-server (on a free port, never the shared one) is stopped and
started under a running embedded gateway: in ``memory`` mode the gateway
keeps limiting in process, in ``refuse`` mode it answers 503; when Redis is
back the buckets live in Redis again.
"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from gateway.main import create_app


def gateway(services, gateway_settings, redis_url: str, mode: str) -> TestClient:
    settings = gateway_settings.model_copy(
        update={
            "redis_url": redis_url,
            "redis_failure_mode": mode,
            "anonymous_rate_limit_per_minute": 3,
        }
    )
    return TestClient(create_app(services, gateway=settings), base_url="http://kyodo.test")


def statuses(client: TestClient, count: int) -> list[int]:
    return [client.get("/v1/organizations").status_code for _ in range(count)]


def test_memory_mode_keeps_limiting_while_redis_is_down(api, services, gateway_settings, own_redis):
    with gateway(services, gateway_settings, own_redis.url, "memory") as client:
        assert statuses(client, 5) == [200, 200, 200, 429, 429]
        assert any(b"ip:" in key for key in own_redis.stored_keys())  # the bucket is in Redis
        own_redis.stop()
        during = statuses(client, 8)
        assert set(during) <= {200, 429}
        assert during.count(200) <= 3  # a fresh in-memory bucket at most, never unlimited
        assert during[-1] == 429
        own_redis.start()
        time.sleep(2.5)  # the limiter's back-off before it asks Redis again
        client.get("/v1/organizations")
        assert any(b"ip:" in key for key in own_redis.stored_keys())


def test_refuse_mode_answers_503_while_redis_is_down(api, services, gateway_settings, own_redis):
    with gateway(services, gateway_settings, own_redis.url, "refuse") as client:
        assert client.get("/v1/organizations").status_code == 200
        own_redis.stop()
        refused = client.get("/v1/organizations")
        assert refused.status_code == 503
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith("rate-limit-unavailable")
        assert "retry-after" in refused.headers
        assert client.get("/healthz").status_code == 200  # probes are not limited
        own_redis.start()
        time.sleep(2.5)
        assert client.get("/v1/organizations").status_code == 200
