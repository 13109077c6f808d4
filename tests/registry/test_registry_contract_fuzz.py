"""Contract fuzzing of the registry with schemathesis, against its own published OpenAPI.

Every registry operation gets generated requests, valid and invalid (schemathesis'
positive and negative modes), sent in-process through the embedded gateway with the
admin key so writes are exercised. Every answer must be no server error, use a status
the contract documents, have the documented content type and headers, and match the
documented response schema.

Generated ids rarely exist, so about half the cases that name an organisation or a
resource are pointed at a real, live one (re-created when a case deleted it), and about
half of the conditional writes carry ``If-Match: *``: GET, PATCH, PUT and DELETE by id
are exercised on stored data, not only answered 404/412.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from conftest import AUTH, organization_body, resource_body
from fastapi.testclient import TestClient
from hostile import coin, contract_checks, published_contract, service_contract_paths
from hypothesis import HealthCheck, settings

from gateway.main import create_app

CHECKS = contract_checks()


class Seeds:
    """A live organisation and resource for generated cases to act on."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.org = ""
        self.res = ""

    def live(self) -> Seeds:
        """Re-create what a generated DELETE removed (see :meth:`forget`)."""
        if not self.org:
            response = self.client.post(
                "/v1/organizations", json=organization_body(name="ファズ会"), headers=AUTH
            )
            assert response.status_code == 201, response.text
            self.org, self.res = response.json()["id"], ""
        if not self.res:
            response = self.client.post(
                f"/v1/organizations/{self.org}/resources", json=resource_body(), headers=AUTH
            )
            assert response.status_code == 201, response.text
            self.res = response.json()["id"]
        return self

    def forget(self, case: Any, status: int) -> None:
        """After a successful DELETE of a seed (an organisation takes its resources along)."""
        if case.method.upper() != "DELETE" or status != 204:
            return
        params = case.path_parameters or {}
        if params.get("organization_id") == self.org:
            self.org = self.res = ""
        if params.get("resource_id") == self.res:
            self.res = ""


CONTRACT = published_contract()
# The merged contract also publishes the events service (tests/events/test_contract_fuzz.py).
REGISTRY_PATHS = service_contract_paths(CONTRACT, "registry")
schema = schemathesis.openapi.from_dict(CONTRACT).include(path=REGISTRY_PATHS)


@pytest.fixture(scope="module")
def fuzz_app(services) -> Iterator[tuple[Any, Seeds]]:
    """The embedded gateway over the registry (per backend), with a live org and resource."""
    app = create_app(services)
    with TestClient(app, base_url="http://kyodo.test") as client:
        yield app, Seeds(client)


@pytest.fixture
def seeds(fuzz_app) -> Seeds:
    return fuzz_app[1]


def _point_at_stored_data(case: Any, seeds: Seeds) -> None:
    params = case.path_parameters or {}
    generated = repr(sorted(params.items())) + repr(case.body)
    for name, real in (("organization_id", seeds.org), ("resource_id", seeds.res)):
        if name in params and coin("id", generated):
            params[name] = real
    if case.method.upper() in {"PATCH", "PUT", "DELETE"} and coin("if-match", generated):
        case.headers = {**(case.headers or {}), "If-Match": "*"}


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_registry_operation_honours_its_contract(case, fuzz_app, seeds):
    app, _ = fuzz_app
    _point_at_stored_data(case, seeds.live())
    response = case.call(app=app, headers=AUTH)
    seeds.forget(case, response.status_code)
    case.validate_response(response, checks=CHECKS, headers=AUTH, transport_kwargs={"app": app})
