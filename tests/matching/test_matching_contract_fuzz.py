"""Contract fuzzing of the matching service with schemathesis, against the published contract.

Every matching operation (issues, rankings, matches, case studies, stats) gets generated
requests, valid and invalid, sent in-process through the embedded gateway with the admin
key. Every answer must be no server error, use a documented status, content type and
headers, and match the documented response schema.

About half the cases that name an issue, a resource, a match or a case study are pointed
at a live one (re-created when a case deleted or closed it), and about half of the
conditional writes carry ``If-Match: *``, so ranking, lifecycle moves and reviews run on
stored data, not only answer 404/412.
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
from test_issues_api import issue_body
from test_matches_kit import AGREEMENT, REVIEW

from gateway.main import create_app

CHECKS = contract_checks()
SEED_OF = {
    "issue_id": "issue",
    "resource_id": "resource",
    "match_id": "match",
    "case_study_id": "case_study",
}

CONTRACT = published_contract()
MATCHING_PATHS = service_contract_paths(CONTRACT, "matching")
schema = schemathesis.openapi.from_dict(CONTRACT).include(path=MATCHING_PATHS)


class Seeds:
    """Live records for generated cases to act on; re-made when a case used them up."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.ids: dict[str, str] = {}

    def _post(self, url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.client.post(url, json=body or {}, headers=AUTH)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    def _move(self, match: str, to: str, **body: Any) -> None:
        response = self.client.post(
            f"/v1/matches/{match}/transitions",
            json={"to": to, **body},
            headers={**AUTH, "If-Match": "*"},
        )
        assert response.status_code == 200, response.text

    def live(self) -> Seeds:
        if not self.ids.get("org"):
            self.ids["org"] = self._post("/v1/organizations", organization_body())["id"]
            partner = organization_body(name="ファズ商事", kind="company")
            self.ids["partner"] = self._post("/v1/organizations", partner)["id"]
            self.ids["resource"] = self._post(
                f"/v1/organizations/{self.ids['partner']}/resources", resource_body(type="goods")
            )["id"]
        issue = self.ids.get("issue") and self.client.get(f"/v1/issues/{self.ids['issue']}")
        if not issue or issue.status_code != 200 or issue.json()["status"] != "open":
            self.ids["issue"] = self._post("/v1/issues", issue_body(self.ids["org"]))["id"]
            self.ids["match"] = ""
        if not self.ids.get("match"):
            body = {"issue_id": self.ids["issue"], "resource_id": self.ids["resource"]}
            self.ids["match"] = self._post("/v1/matches", body)["id"]
        if not self.ids.get("case_study"):
            self.ids["case_study"] = self._case_study()
        return self

    def _case_study(self) -> str:
        issue = self._post("/v1/issues", issue_body(self.ids["org"], title="事例のための課題"))
        body = {"issue_id": issue["id"], "resource_id": self.ids["resource"]}
        match = self._post("/v1/matches", body)["id"]
        for to in ("in_discussion", "agreed", "in_progress", "completed"):
            self._move(match, to, **({"agreement": AGREEMENT} if to == "agreed" else {}))
        for side in ("issue", "partner"):
            response = self.client.put(
                f"/v1/matches/{match}/reviews/{side}",
                json=REVIEW,
                headers={**AUTH, "If-Match": "*"},
            )
            assert response.status_code == 200, response.text
        self._move(match, "reviewed")
        study = {"title": "ファズ事例", "summary": "こども食堂への食品提供の協働。"}
        return str(self._post(f"/v1/matches/{match}/case-study", study)["id"])

    def forget(self, case: Any, status: int) -> None:
        """After a successful DELETE or transition of a seed."""
        params = case.path_parameters or {}
        deleted = case.method.upper() == "DELETE" and status == 204
        if deleted and params.get("issue_id") == self.ids.get("issue"):
            self.ids["issue"] = ""
        if case.path.endswith("/transitions") and status == 200:
            self.ids["issue"] = self.ids["match"] = ""  # a fresh pair: one live match each


@pytest.fixture(scope="module")
def fuzz_app(services) -> Iterator[tuple[Any, Seeds]]:
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
    body = case.body if isinstance(case.body, dict) else None
    if body is not None and "issue_id" in body and coin("body issue", generated):
        body["issue_id"] = seeds.ids["issue"]
    if body is not None and "resource_id" in body and coin("body resource", generated):
        body["resource_id"] = seeds.ids["resource"]
    if case.method.upper() in {"PATCH", "PUT", "POST", "DELETE"} and coin("if-match", generated):
        case.headers = {**(case.headers or {}), "If-Match": "*"}


def test_the_fuzzed_operations_are_those_of_the_matching_service():
    served = {
        (method.upper(), path)
        for path in MATCHING_PATHS
        for method in CONTRACT["paths"][path]
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert ("GET", "/v1/issues/{issue_id}/candidates") in served
    assert ("GET", "/v1/resources/{resource_id}/opportunities") in served
    assert ("POST", "/v1/matches/{match_id}/transitions") in served
    assert ("GET", "/v1/stats") in served
    assert not any(path.startswith(("/v1/organizations", "/v1/events")) for _, path in served)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_matching_operation_honours_its_contract(case, fuzz_app, seeds):
    app, _ = fuzz_app
    _point_at_stored_data(case, seeds.live())
    response = case.call(app=app, headers=AUTH)
    seeds.forget(case, response.status_code)
    case.validate_response(response, checks=CHECKS, headers=AUTH, transport_kwargs={"app": app})
