"""The published contract: checked in, complete, and consistent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kyodo.contract_files import contract_documents, write_or_check

OPENAPI_DIR = Path(__file__).resolve().parents[2] / "openapi"


@pytest.fixture(scope="module")
def documents():
    return contract_documents()


def test_checked_in_contract_matches_the_code(documents):
    stale = write_or_check(documents, OPENAPI_DIR, check=True)
    assert stale == [], f"run `kyodo openapi` to update {stale}"


def test_gateway_serves_the_merged_contract(api, documents):
    served = api.get("/openapi.json").json()
    assert served == json.loads(json.dumps(documents["kyodo.json"]))


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_has_id_summary_and_documented_problems(documents):
    contract = documents["kyodo.json"]
    ids = [op["operationId"] for _, _, op in _operations(contract)]
    assert len(ids) == len(set(ids))
    for path, method, operation in _operations(contract):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        assert operation.get("description") or operation["summary"], where
        responses = operation["responses"]
        assert "500" in responses and "400" in responses, where
        for status, response in responses.items():
            probe = "operations" in operation.get("tags", [])  # health bodies, not problems
            if status.startswith(("4", "5")) and not (probe and status == "503"):
                content = response["content"]["application/problem+json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Problem"}, where
                assert content["example"]["status"] == int(status), where
        if method in {"post", "put", "patch", "delete"}:
            assert "401" in responses, where


def test_every_request_body_has_an_example(documents):
    contract = documents["kyodo.json"]
    schemas = contract["components"]["schemas"]
    for path, method, operation in _operations(contract):
        body = operation.get("requestBody")
        if not body:
            continue
        for media in body["content"].values():
            schema = media.get("schema", {})
            ref = schema.get("$ref", "")
            named = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema
            assert media.get("example") or named.get("examples"), f"{method} {path}"


def test_contract_documents_problem_types_and_bearer_auth(documents):
    contract = documents["kyodo.json"]
    assert any(p["status"] == 412 for p in contract["x-problem-types"])
    assert contract["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


@pytest.mark.parametrize(
    "name", ["OrganizationPublic", "ResourcePublic", "ContactList", "Change", "ImportReport"]
)
def test_published_shapes_carry_examples(documents, name):
    assert documents["kyodo.json"]["components"]["schemas"][name].get("examples")
