"""Contract fuzzing of the gateway's own operations (API clients, the caller) with schemathesis.

Generated requests, valid and invalid, go through the embedded gateway with the
admin key: no server error, only documented statuses, content types, headers
and response schemas. About half the cases that name a client are pointed at a
real one (re-created after a generated DELETE revoked it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from conftest import AUTH
from fastapi.testclient import TestClient
from hostile import coin, contract_checks, published_contract
from hypothesis import HealthCheck, settings

from gateway.main import create_app

CHECKS = contract_checks()
CONTRACT = published_contract()
GATEWAY_PATHS = sorted(
    path
    for path, item in CONTRACT["paths"].items()
    if path.startswith("/v1/") and all("x-service" not in op for op in item.values())
)
schema = schemathesis.openapi.from_dict(CONTRACT).include(path=GATEWAY_PATHS)


class Seed:
    """A live API client for generated cases to act on."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.id = ""

    def live(self) -> str:
        if not self.id:
            body = {"name": "ファズ用クライアント", "scopes": ["events:write"]}
            response = self.client.post("/v1/admin/clients", json=body, headers=AUTH)
            assert response.status_code == 201, response.text
            self.id = response.json()["id"]
        return self.id


@pytest.fixture(scope="module")
def fuzz_app(services, gateway_settings) -> Iterator[tuple[Any, Seed]]:
    app = create_app(services, gateway=gateway_settings)
    with TestClient(app, base_url="http://kyodo.test") as client:
        yield app, Seed(client)


def test_the_gateway_publishes_its_own_operations():
    assert "/v1/admin/clients" in GATEWAY_PATHS and "/v1/me" in GATEWAY_PATHS


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_gateway_operation_honours_its_contract(case, fuzz_app):
    app, seed = fuzz_app
    params = case.path_parameters or {}
    generated = repr(sorted(params.items())) + repr(case.body)
    if "client_id" in params and coin("id", generated):
        params["client_id"] = seed.live()
    if case.method.upper() in {"PATCH", "DELETE"} and coin("if-match", generated):
        case.headers = {**(case.headers or {}), "If-Match": "*"}
    response = case.call(app=app, headers=AUTH)
    revoked = case.method.upper() == "DELETE" and response.status_code == 204
    if revoked and params.get("client_id") == seed.id and "key_id" not in params:
        seed.id = ""
    case.validate_response(response, checks=CHECKS, headers=AUTH, transport_kwargs={"app": app})
