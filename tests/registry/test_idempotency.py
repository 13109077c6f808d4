"""Idempotency-Key on creates: retries never create twice."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from conftest import AUTH, organization_body
from sqlmodel import Session

from services.common.idempotency import IdempotencyRecord
from services.common.timefmt import utcnow


def _count(api) -> int:
    return len(api.get("/v1/organizations", params={"limit": 200}).json()["items"])


def test_replay_returns_the_first_response_and_creates_once(api):
    headers = {**AUTH, "Idempotency-Key": "order-123"}
    first = api.post("/v1/organizations", json=organization_body(), headers=headers)
    second = api.post("/v1/organizations", json=organization_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["location"] == first.headers["location"]
    assert _count(api) == 1


def test_same_key_with_a_different_body_is_422(api):
    headers = {**AUTH, "Idempotency-Key": "order-124"}
    api.post("/v1/organizations", json=organization_body(), headers=headers)
    other = api.post("/v1/organizations", json=organization_body(name="別団体"), headers=headers)
    assert other.status_code == 422
    assert other.json()["type"] == "urn:kyodo:problem:idempotency-key-reused"
    assert _count(api) == 1


def test_a_failed_first_attempt_frees_the_key(api):
    headers = {**AUTH, "Idempotency-Key": "order-125"}
    bad = api.post("/v1/organizations", json=organization_body(kind="nope"), headers=headers)
    assert bad.status_code == 422
    good = api.post("/v1/organizations", json=organization_body(), headers=headers)
    assert good.status_code == 201


def test_another_caller_cannot_replay_a_response_by_reusing_the_key(api, services):
    headers = {**AUTH, "Idempotency-Key": "shared-key"}
    api.post("/v1/organizations", json=organization_body(), headers=headers)
    anonymous = api.post(
        "/v1/organizations", json=organization_body(), headers={"Idempotency-Key": "shared-key"}
    )
    assert anonymous.status_code == 401


def test_in_flight_duplicate_is_409(api, registry_engine):
    # A first request that is still running has reserved its key (as the
    # middleware does before it calls the service).
    body = json.dumps(organization_body()).encode()
    canonical = json.dumps(organization_body(), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    for part in (b"POST", b"/v1/organizations", b"", canonical):
        digest.update(part)
    with Session(registry_engine) as session:
        session.add(
            IdempotencyRecord(
                client_scope="client:admin",  # the gateway vouched for the admin key
                key="busy-key",
                fingerprint=digest.hexdigest(),
                created_at=utcnow(),
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        session.commit()
    headers = {**AUTH, "Idempotency-Key": "busy-key", "Content-Type": "application/json"}
    response = api.post("/v1/organizations", content=body, headers=headers)
    assert response.status_code == 409
    assert response.json()["type"] == "urn:kyodo:problem:idempotency-key-in-use"
    assert _count(api) == 0


def test_invalid_idempotency_key_is_400(api):
    headers = {**AUTH, "Idempotency-Key": "x" * 300}
    response = api.post("/v1/organizations", json=organization_body(), headers=headers)
    assert response.status_code == 400
    assert _count(api) == 0


def test_a_retry_with_other_key_order_and_spacing_is_a_replay(api):
    headers = {**AUTH, "Idempotency-Key": "order-126", "Content-Type": "application/json"}
    body = organization_body()
    first = api.post("/v1/organizations", content=json.dumps(body).encode(), headers=headers)
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2).encode()
    second = api.post("/v1/organizations", content=reordered, headers=headers)
    assert second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
