"""The edge of the embedded gateway: rate limits, security headers, CORS, metrics, tracing.

Each test builds a gateway of its own with the settings it is about (the shared
``api`` fixture runs with limits out of the way).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import AUTH
from fastapi.testclient import TestClient

from gateway.main import create_app


@pytest.fixture
def edge(services, gateway_settings, api) -> Iterator[Any]:
    """A factory of gateways over the (emptied) services with chosen gateway settings."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        settings = gateway_settings.model_copy(update=overrides)
        client = TestClient(create_app(services, gateway=settings), base_url="http://kyodo.test")
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def test_anonymous_callers_are_limited_per_address(edge):
    client = edge(anonymous_rate_limit_per_minute=3)
    answers = [client.get("/v1/organizations") for _ in range(7)]
    statuses = [a.status_code for a in answers]
    assert statuses[:3] == [200, 200, 200]  # a full minute's quota as a burst
    assert 429 in statuses
    refused = answers[statuses.index(429)]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("rate-limited")
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-policy"] == '"anonymous";q=3;w=60'
    first = answers[0]
    assert first.headers["ratelimit-policy"] == '"anonymous";q=3;w=60'
    assert re.fullmatch(r'"anonymous";r=\d+;t=\d+', first.headers["ratelimit"])
    # Another caller (a key) has a bucket of its own.
    assert client.get("/v1/organizations", headers=AUTH).status_code == 200


def test_each_client_has_its_own_limit(edge, make_org):
    client = edge()
    org = make_org()
    key = client.post(
        "/v1/admin/clients",
        json={
            "name": "小さなアプリ",
            "organization_ids": [org["id"]],
            "scopes": ["registry:write"],
            "rate_limit_per_minute": 2,
        },
        headers=AUTH,
    ).json()["key"]
    headers = {"Authorization": f"Bearer {key}"}
    statuses = [client.get("/v1/me", headers=headers).status_code for _ in range(6)]
    assert statuses[:2] == [200, 200] and 429 in statuses
    assert client.get("/v1/me", headers=AUTH).status_code == 200
    limited = client.get("/v1/me", headers=headers)
    assert limited.headers["ratelimit-policy"] == '"client";q=2;w=60'


def test_guessing_keys_is_throttled_like_anonymous_reading(edge):
    client = edge(anonymous_rate_limit_per_minute=3)
    guesses = [
        client.get("/v1/organizations", headers={"Authorization": f"Bearer kyodo_guess{i}"})
        for i in range(8)
    ]
    statuses = [g.status_code for g in guesses]
    assert set(statuses[:3]) == {401}
    assert 429 in statuses  # the address ran out: no more guesses for now
    assert all(s in (401, 429) for s in statuses)


def test_only_probes_are_never_limited(edge):
    client = edge(anonymous_rate_limit_per_minute=1)
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    # Everything else counts (or docs and metrics would be an oracle for guessing keys).
    for path in ("/openapi.json", "/docs", "/metrics"):
        statuses = [client.get(path, headers={"Authorization": "Bearer guess"}).status_code
                    for _ in range(3)]  # fmt: skip
        assert 429 in statuses, path


def test_every_answer_carries_security_headers_once(api):
    for answer in (
        api.get("/v1/organizations"),
        api.get("/v1/organizations/nope"),
        api.post("/v1/organizations", json={}),
        api.get("/healthz"),
    ):
        headers = answer.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert "default-src 'none'" in headers["content-security-policy"]
        assert len(headers.get_list("x-content-type-options")) == 1
        assert headers["x-request-id"]
        assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]", headers["traceparent"])
    credentialed = api.get("/v1/organizations", headers=AUTH)
    assert credentialed.headers["cache-control"] == "no-store"


def test_a_trace_is_continued_and_echoed(api):
    incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    answer = api.get("/v1/organizations", headers={"traceparent": incoming})
    assert answer.headers["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")


def test_cors_allows_only_listed_origins(edge):
    client = edge(cors_origins=["https://portal.city.sakuragaoka.example"])
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
    }
    allowed = client.options(
        "/v1/organizations",
        headers={"Origin": "https://portal.city.sakuragaoka.example", **preflight},
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == (
        "https://portal.city.sakuragaoka.example"
    )
    refused = client.options(
        "/v1/organizations", headers={"Origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in refused.headers
    read = client.get(
        "/v1/organizations", headers={"Origin": "https://portal.city.sakuragaoka.example"}
    )
    exposed = read.headers["access-control-expose-headers"].lower()
    assert "ratelimit" in exposed and "etag" in exposed and "link" in exposed


def test_metrics_need_their_scope_and_count_by_route_template(api, make_org, make_key):
    org = make_org()
    api.get(f"/v1/organizations/{org['id']}")
    api.get("/v1/organizations/0193a5c2-7d1e-7c3a-9f00-4b1d2e3f4a5b")
    api.get("/no/such/path/at/all")
    assert api.get("/metrics").status_code == 401
    writer = make_key(org["id"])
    assert api.get("/metrics", headers=writer).status_code == 403
    scraper = make_key(scopes=("metrics:read",))
    answer = api.get("/metrics", headers=scraper)
    assert answer.status_code == 200
    text = answer.text
    assert 'route="/v1/organizations/{organization_id}"' in text
    assert org["id"] not in text  # templates, never concrete paths
    assert 'route="unmatched"' in text
    assert "kyodo_gateway_request_duration_seconds_bucket" in text


def test_bodies_over_the_limit_are_refused_before_routing(api):
    body = b'{"name": "' + b"x" * 2_000_000 + b'"}'
    answer = api.post(
        "/v1/organizations",
        content=body,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert api.get("/v1/organizations").json()["items"] == []
