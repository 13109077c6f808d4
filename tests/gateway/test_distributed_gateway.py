"""The whole distributed gateway as real processes: the gateway built by
``kyodo.standalone:gateway_app`` in front of each service in its own process,
rate limits in a Redis of the test's own, API keys of real clients.

What crosses the wire is what a third-party front end sees: keys checked at the
gateway and never passed on, object-level rules enforced by the services on
the gateway's signed word, a service stopped answering 502/503 at once and
recovering when it is back, limits still closed when Redis stops.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import organization_body

from migrations.runner import upgrade
from services.common.db import create_db_engine
from tests.gateway.processes import ServiceProcess, free_port, running

ADMIN_KEY = "kyodo-distributed-admin-key"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
SERVICES = ("registry", "events", "matching")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import shutil

    from tests.gateway.processes import RedisServer

    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server binary on this machine")
    server = RedisServer()
    server.start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def platform(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> Iterator[dict[str, ServiceProcess]]:
    data_dir = tmp_path_factory.mktemp("distributed-gateway")
    for name in (*SERVICES, "gateway"):
        engine = create_db_engine(f"sqlite:///{data_dir / name}.db")
        upgrade(engine, name)
        engine.dispose()
    ports = {name: free_port() for name in SERVICES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = {
        "KYODO_DATA_DIR": str(data_dir),
        "KYODO_ADMIN_KEY": ADMIN_KEY,
        "KYODO_INTERNAL_SECRET": "distributed-test-secret",
        "KYODO_LOG_LEVEL": "WARNING",
        "KYODO_EVENTS_REGISTRY_URL": urls["registry"],
        "KYODO_MATCHING_REGISTRY_URL": urls["registry"],
        **{f"KYODO_GATEWAY_{name.upper()}_URL": url for name, url in urls.items()},
        "KYODO_GATEWAY_REDIS_URL": redis_url,
        "KYODO_GATEWAY_BREAKER_FAILURE_THRESHOLD": "2",
        "KYODO_GATEWAY_BREAKER_RESET_SECONDS": "1",
        "KYODO_GATEWAY_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    processes = {
        name: ServiceProcess(f"kyodo.standalone:{name}_app", env, data_dir, factory=True,
                             port=ports[name])
        for name in SERVICES
    }  # fmt: skip
    processes["gateway"] = ServiceProcess(
        "kyodo.standalone:gateway_app", env, data_dir, factory=True
    )
    with running(*processes.values()):
        yield processes


@pytest.fixture(scope="module")
def http(platform: dict[str, ServiceProcess]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform["gateway"].url, timeout=30) as client:
        yield client


def new_client(http: httpx.Client, **body: Any) -> dict[str, Any]:
    answer = http.post("/v1/admin/clients", json={"name": "分散テスト", **body}, headers=ADMIN)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_keys_and_object_level_rules_hold_across_processes(http: httpx.Client) -> None:
    ready = http.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["services"]) == {*SERVICES, "gateway"}
    mine = http.post("/v1/organizations", json=organization_body(name="分散の会A"), headers=ADMIN)
    theirs = http.post("/v1/organizations", json=organization_body(name="分散の会B"), headers=ADMIN)
    assert mine.status_code == theirs.status_code == 201
    key = new_client(http, organization_ids=[mine.json()["id"]], scopes=["registry:write"])
    as_me = {"Authorization": f"Bearer {key['key']}"}
    me = http.get("/v1/me", headers=as_me).json()
    assert me["organization_ids"] == [mine.json()["id"]]
    own = http.patch(f"/v1/organizations/{mine.json()['id']}", json={"description": "更新"},
                     headers={**as_me, "If-Match": "*"})  # fmt: skip
    assert own.status_code == 200, own.text
    other = http.patch(f"/v1/organizations/{theirs.json()['id']}", json={"description": "乗っ取り"},
                       headers={**as_me, "If-Match": "*"})  # fmt: skip
    assert other.status_code == 403
    assert http.get(f"/v1/organizations/{theirs.json()['id']}").json()["description"] != "乗っ取り"
    assert own.headers["ratelimit-policy"].startswith('"client"')
    assert own.headers["x-request-id"] and own.headers["traceparent"]
    revoked = http.delete(f"/v1/admin/clients/{key['id']}",
                          headers={**ADMIN, "If-Match": '"1"'})  # fmt: skip
    assert revoked.status_code == 204
    assert http.get("/v1/me", headers=as_me).status_code == 401


def test_a_forged_assertion_from_outside_is_not_believed(http: httpx.Client) -> None:
    forged = {"kyodo-client-assertion": "eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl"}
    answer = http.post("/v1/organizations", json=organization_body(name="偽装"), headers=forged)
    assert answer.status_code == 401


def test_a_stopped_service_answers_at_once_and_recovers(
    http: httpx.Client, platform: dict[str, ServiceProcess]
) -> None:
    events = platform["events"]
    assert http.get("/v1/events").status_code == 200
    events.stop()
    try:
        statuses = []
        for _ in range(4):
            started = time.monotonic()
            answer = http.get("/v1/events")
            statuses.append(answer.status_code)
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert time.monotonic() - started < 10  # within the timeouts, never hanging
        assert statuses[:2] == [502, 502]
        assert statuses[-1] == 503  # the circuit is open: refused without trying
        assert http.get("/v1/organizations").status_code == 200  # the others go on
        time.sleep(2.1)  # readiness is asked at most every 2 seconds
        ready = http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["services"]["events"]["status"] == "unavailable"
    finally:
        events.start()
    deadline = time.monotonic() + 30
    while http.get("/v1/events").status_code != 200:
        assert time.monotonic() < deadline, "the gateway did not recover"
        time.sleep(0.5)
    metrics = new_client(http, scopes=["metrics:read"])
    text = http.get("/metrics", headers={"Authorization": f"Bearer {metrics['key']}"}).text
    assert 'kyodo_gateway_upstream_errors_total{kind="refused",service="events"}' in text
