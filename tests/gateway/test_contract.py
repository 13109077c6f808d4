"""The published contract: checked in, complete, and consistent."""

from __future__ import annotations

import json
import re
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


def _resolve(document, node):
    """Follow ``$ref`` (a local JSON pointer) until a real object."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _examples(media):
    if "example" in media:
        return [media["example"]]
    return [example["value"] for example in media.get("examples", {}).values()]


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
                content = _resolve(contract, response)["content"]["application/problem+json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Problem"}, where
                examples = _examples(content)
                assert examples, where
                assert all(e["status"] == int(status) for e in examples), where
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


# --- a valid document, every reference resolved -----------------------------------


def _validation_errors(document):
    try:
        from openapi_spec_validator import validate
    except ImportError:  # schemathesis carries the OpenAPI 3.1 meta-schema
        from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

        return [error.message for error in OPENAPI_31_VALIDATOR.iter_errors(document)]
    try:
        validate(document)
    except Exception as error:
        return [str(error)]
    return []


@pytest.mark.parametrize("name", ["kyodo.json", "registry.json", "events.json", "matching.json"])
def test_every_document_is_valid_openapi_3_1(documents, name):
    document = json.loads(json.dumps(documents[name]))
    assert document["openapi"].startswith("3.1.")
    assert _validation_errors(document) == []


def _references(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def test_every_reference_resolves(documents):
    contract = documents["kyodo.json"]
    for ref in set(_references(contract)):
        assert _resolve(contract, {"$ref": ref}) is not None, ref


# --- the edge: rate limits, gateway failures, body limits ---------------------------


def _v1_operations(contract):
    return [(p, m, op) for p, m, op in _operations(contract) if p.startswith("/v1/")]


def test_every_v1_operation_documents_rate_limits(documents):
    contract = documents["kyodo.json"]
    for path, method, operation in _v1_operations(contract):
        where = f"{method.upper()} {path}"
        refused = _resolve(contract, operation["responses"]["429"])
        headers = refused["headers"]
        assert headers["Retry-After"]["required"] is True, where
        assert {"RateLimit", "RateLimit-Policy"} <= set(headers), where
        example = refused["content"]["application/problem+json"]["example"]
        assert example["type"] == "urn:kyodo:problem:rate-limited", where
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                documented = set(_resolve(contract, response).get("headers", {}))
                assert {"RateLimit", "RateLimit-Policy"} <= documented, f"{where} {status}"


def test_rate_limit_headers_are_ietf_structured_fields(documents):
    headers = documents["kyodo.json"]["components"]["headers"]
    assert re.fullmatch(r'"client";q=\d+;w=60', headers["RateLimit-Policy"]["example"])
    assert re.fullmatch(r'"client";r=\d+;t=\d+', headers["RateLimit"]["example"])
    assert headers["Retry-After"]["schema"]["type"] == "integer"


def test_every_v1_operation_documents_the_gateways_own_failures(documents):
    contract = documents["kyodo.json"]
    for path, method, operation in _v1_operations(contract):
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        unavailable = _resolve(contract, responses["503"])
        types = {e["type"] for e in _examples(unavailable["content"]["application/problem+json"])}
        assert "urn:kyodo:problem:rate-limit-unavailable" in types, where
        assert unavailable["headers"]["Retry-After"]["required"] is True, where
        if "x-service" in operation:  # forwarded to a service that can fail or be slow
            assert {"502", "503", "504"} <= set(responses), where
        if method in {"post", "put", "patch", "delete"}:
            assert "413" in responses, where


def test_gateway_failures_are_shared_responses_not_copies(documents):
    contract = documents["kyodo.json"]
    for _path, _method, operation in _v1_operations(contract):
        for status in ("429", "502", "503", "504"):
            if status in operation["responses"]:
                assert set(operation["responses"][status]) == {"$ref"}


# --- authentication and scopes --------------------------------------------------------


def _needs_key(operation):
    security = operation.get("security") or []
    return bool(security) and {} not in security


def test_operations_with_security_document_401_and_those_needing_a_key_403(documents):
    from services.common.auth import SCOPES

    contract = documents["kyodo.json"]
    for path, method, operation in _operations(contract):
        where = f"{method.upper()} {path}"
        if not operation.get("security"):
            continue
        assert "401" in operation["responses"], where
        if _needs_key(operation):
            forbidden = _resolve(contract, operation["responses"]["403"])
            challenge = forbidden["headers"]["WWW-Authenticate"]["example"]
            assert 'error="insufficient_scope"' in challenge, where
        for requirement in operation["security"]:
            for scopes in requirement.values():
                assert set(scopes) <= set(SCOPES), where


def test_writes_of_a_service_need_its_write_scope(documents):
    contract = documents["kyodo.json"]
    for path, method, operation in _operations(contract):
        service = operation.get("x-service")
        if service and _needs_key(operation):
            scopes = {s for requirement in operation["security"] for s in requirement["HTTPBearer"]}
            assert scopes & {f"{service}:write", "admin"}, f"{method.upper()} {path}"


def test_the_bearer_scheme_explains_keys_scopes_and_anonymous_reads(documents):
    from services.common.auth import SCOPES

    text = documents["kyodo.json"]["components"]["securitySchemes"]["HTTPBearer"]["description"]
    for phrase in ("Authorization: Bearer <key>", "shown once", "prefix", "Rotate", "revoke"):
        assert phrase in text
    for scope, meaning in SCOPES.items():
        assert f"- `{scope}`: {meaning}" in text
    assert "need no key" in text and "lower rate limit" in text


def _path_value(parameter):
    schema = parameter["schema"]
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("examples"):
        return schema["examples"][0]
    return "00000000-0000-7000-8000-000000000000"


def test_anonymous_callers_are_served_where_the_contract_says_so(api, documents):
    """An operation documented as open to anonymous callers never answers them 401
    for want of a key (the other way round, a 404 can come before the key check)."""
    contract = documents["kyodo.json"]
    refused = []
    for path, method, operation in _v1_operations(contract):
        if _needs_key(operation):
            continue
        url = path
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                url = url.replace("{" + parameter["name"] + "}", str(_path_value(parameter)))
        answer = api.request(method.upper(), url)
        if answer.status_code == 401:
            refused.append(f"{method.upper()} {path}: {answer.json()['detail']}")
    assert refused == []


# --- problem types ---------------------------------------------------------------------


def test_x_problem_types_lists_the_whole_catalogue(documents):
    from services.common.problems import problem_type
    from services.common.problemtypes import PROBLEM_CATALOGUE

    listed = {p["type"]: p["status"] for p in documents["kyodo.json"]["x-problem-types"]}
    assert listed == {problem_type(slug): kind.status for slug, kind in PROBLEM_CATALOGUE.items()}
    for slug in (
        "rate-limited",
        "rate-limit-unavailable",
        "bad-gateway",
        "service-unavailable",
        "gateway-timeout",
        "payload-too-large",
        "forbidden",
    ):
        assert problem_type(slug) in listed


def _problem_error_classes():
    from services.common.problems import ProblemError

    pending = [ProblemError]
    while pending:
        cls = pending.pop()
        yield cls
        pending.extend(cls.__subclasses__())


_SLUG_IN_SOURCE = re.compile(
    r'slug\s*=\s*"([a-z-]+)"'  # ProblemError classes, problem_response(slug=...)
    r'|problem_type\("([a-z-]+)"\)'
    r'|\(\s*[0-9]{3},\s*"([a-z-]+)",'  # (status, slug, detail) verdicts
)


def test_every_problem_the_code_raises_is_catalogued(documents):
    from gateway.contract import EDGE_PROBLEMS
    from services.common.problemtypes import PROBLEM_CATALOGUE

    for cls in _problem_error_classes():  # every app is imported by `documents`
        assert cls.slug in PROBLEM_CATALOGUE, f"{cls.__module__}.{cls.__name__}: {cls.slug}"
        assert PROBLEM_CATALOGUE[cls.slug].status == cls.status, cls
    for status, slugs in EDGE_PROBLEMS.items():
        assert all(PROBLEM_CATALOGUE[slug].status == status for slug in slugs)
    root = Path(__file__).resolve().parents[2]
    for source in [*root.glob("gateway/**/*.py"), *root.glob("services/**/*.py")]:
        for match in _SLUG_IN_SOURCE.finditer(source.read_text(encoding="utf-8")):
            slug = next(group for group in match.groups() if group)
            assert slug in PROBLEM_CATALOGUE, f"{source.relative_to(root)}: {slug}"


def test_every_documented_problem_example_is_a_catalogued_type(documents):
    contract = documents["kyodo.json"]
    listed = {p["type"] for p in contract["x-problem-types"]}
    for path, method, operation in _operations(contract):
        for status, response in operation["responses"].items():
            media = _resolve(contract, response).get("content", {}).get("application/problem+json")
            for example in _examples(media or {}):
                assert example["type"] in listed, f"{method.upper()} {path} {status}"


# --- merging -----------------------------------------------------------------------------


def _document(path, op_id, schema=None):
    return {
        "paths": {path: {"get": {"operationId": op_id, "responses": {}}}},
        "components": {"schemas": {"Thing": schema or {"type": "object"}}},
    }


def test_merge_keeps_identical_components_once():
    from gateway.contract import merge

    merged = merge({}, {"a": _document("/v1/a", "a-get"), "b": _document("/v1/b", "b-get")})
    assert merged["components"]["schemas"]["Thing"] == {"type": "object"}
    assert merged["paths"]["/v1/a"]["get"]["x-service"] == "a"


@pytest.mark.parametrize(
    "second",
    [
        _document("/v1/a", "b-get"),  # the same path
        _document("/v1/b", "a-get"),  # the same operation id
        _document("/v1/b", "b-get", {"type": "string"}),  # a schema of the same name
    ],
)
def test_merge_refuses_collisions(second):
    from gateway.contract import ContractConflict, merge

    with pytest.raises(ContractConflict):
        merge({}, {"a": _document("/v1/a", "a-get"), "b": second})


def test_merge_leaves_the_service_documents_untouched(documents):
    assert all("x-service" not in op for _p, _m, op in _operations(documents["registry.json"]))
