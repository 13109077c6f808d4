"""Contract fuzzing of the events service with schemathesis, against the published contract.

The gateway's merged contract marks each operation with the service that serves it
(``x-service``); every events operation gets generated requests, valid and invalid
(schemathesis' positive and negative modes), sent in-process through the embedded
gateway with the admin key so writes are exercised. Every answer must be no server
error, use a status the contract documents, have the documented content type and
headers, and match the documented response schema.

Generated ids rarely exist, so about half the cases that name an event, opportunity,
shift, sign-up, organisation or municipality are pointed at a real, live one
(re-created when a case deleted it), and about half of the conditional writes carry
``If-Match: *``: reads and writes by id are exercised on stored data, not only
answered 404/412.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from conftest import AUTH, organization_body
from fastapi.testclient import TestClient
from hostile import coin, contract_checks, published_contract, service_contract_paths
from hypothesis import HealthCheck, settings

from gateway.main import create_app

CHECKS = contract_checks()
MUNICIPALITY = "102997"


# path parameter -> the seed it names
SEED_OF = {
    "organization_id": "org",
    "event_id": "event",
    "opportunity_id": "opp",
    "shift_id": "shift",
    "signup_id": "signup",
    "municipality_code": "municipality",
}
# a deleted seed takes these along
CASCADE = {"event": ["event"], "opp": ["opp", "shift", "signup"], "shift": ["shift", "signup"]}


class Seeds:
    """Live records for generated cases to act on, re-created after a generated DELETE."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.ids: dict[str, str] = {}
        self.emails = itertools.count()

    def _post(self, url: str, body: dict[str, Any]) -> str:
        response = self.client.post(url, json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def live(self) -> Seeds:
        makers: list[tuple[str, Callable[[], str]]] = [
            ("org", lambda: self._post("/v1/organizations", organization_body(name="ファズ会"))),
            ("event", self._event),
            ("opp", self._opportunity),
            ("shift", self._shift),
            ("signup", self._signup),
            ("municipality", self._points_rule),
        ]
        for name, make in makers:
            if not self.ids.get(name):
                self.ids[name] = make()
        return self

    def _event(self) -> str:
        return self._post(
            "/v1/events",
            {
                "title": "ファズ説明会",
                "kind": "seminar",
                "organizer_ids": [self.ids["org"]],
                "starts_at": "2030-06-01T10:00:00+09:00",
                "ends_at": "2030-06-01T12:00:00+09:00",
                "recurrence": {"rrule": "FREQ=WEEKLY;COUNT=4"},
                "online_url": "https://example.jp/live",
                "municipality_code": MUNICIPALITY,
                "status": "published",
            },
        )

    def _opportunity(self) -> str:
        body = {
            "organization_id": self.ids["org"],
            "title": "ファズ募集",
            "municipality_code": MUNICIPALITY,
        }
        return self._post("/v1/opportunities", body)

    def _shift(self) -> str:
        body = {
            "starts_at": "2030-06-02T09:00:00+09:00",
            "ends_at": "2030-06-02T12:00:00+09:00",
            "capacity": 3,
        }
        return self._post(f"/v1/opportunities/{self.ids['opp']}/shifts", body)

    def _signup(self) -> str:
        body = {"name": "ファズ 太郎", "email": f"fuzz{next(self.emails)}@example.jp"}
        return self._post(f"/v1/shifts/{self.ids['shift']}/signups", body)

    def _points_rule(self) -> str:
        response = self.client.put(
            f"/v1/points-rules/{MUNICIPALITY}", json={"points_per_hour": 1}, headers=AUTH
        )
        assert response.status_code == 200, response.text
        return MUNICIPALITY

    def forget(self, case: Any, status: int) -> None:
        """After a successful DELETE of a seed (an opportunity takes its shifts along)."""
        if case.method.upper() != "DELETE" or status != 204:
            return
        params = case.path_parameters or {}
        for param, seed in SEED_OF.items():
            if seed in CASCADE and params.get(param) == self.ids.get(seed):
                for gone in CASCADE[seed]:
                    self.ids[gone] = ""


CONTRACT = published_contract()
EVENTS_PATHS = service_contract_paths(CONTRACT, "events")
assert "/v1/shifts/{shift_id}/signups" in EVENTS_PATHS, EVENTS_PATHS
schema = schemathesis.openapi.from_dict(CONTRACT).include(path=EVENTS_PATHS)


@pytest.fixture(scope="module")
def fuzz_app(services) -> Iterator[tuple[Any, Seeds]]:
    """The embedded gateway (per backend), with live records to aim at."""
    app = create_app(services)
    with TestClient(app, base_url="http://kyodo.test") as client:
        yield app, Seeds(client)


@pytest.fixture
def seeds(fuzz_app) -> Seeds:
    return fuzz_app[1]


def _point_at_stored_data(case: Any, seeds: Seeds) -> None:
    params = case.path_parameters or {}
    generated = repr(sorted(params.items())) + repr(case.body) + repr(case.query)
    for name, seed in SEED_OF.items():
        if name in params and coin("id", name, generated):
            params[name] = seeds.ids[seed]
    if case.method.upper() in {"PATCH", "PUT", "DELETE"} and coin("if-match", generated):
        case.headers = {**(case.headers or {}), "If-Match": "*"}


def test_the_fuzzed_operations_are_those_of_the_events_service():
    served = {
        (method.upper(), path)
        for path in EVENTS_PATHS
        for method in CONTRACT["paths"][path]
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert ("POST", "/v1/events") in served
    assert ("POST", "/v1/signups/{signup_id}/cancel") in served
    assert not any(path.startswith(("/v1/organizations", "/v1/resources")) for _, path in served)
    assert len(served) >= 29, sorted(served)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_events_operation_honours_its_contract(case, fuzz_app, seeds):
    app, _ = fuzz_app
    _point_at_stored_data(case, seeds.live())
    response = case.call(app=app, headers=AUTH)
    seeds.forget(case, response.status_code)
    case.validate_response(response, checks=CHECKS, headers=AUTH, transport_kwargs={"app": app})
