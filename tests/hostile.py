"""Shared kit of the hostile-input campaigns (registry, events): cases, snapshots, problems.

A campaign keeps one *world* per backend (records the cases point at) and sends one
hostile request per case. Each case must be answered with the expected 4xx
``application/problem+json`` and must leave every stored row as it was. The world is
only rebuilt when a case did change it (a bug, or a test that writes on purpose).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from conftest import ADMIN_KEY, AUTH
from hypothesis import strategies as st

__all__ = [
    "GARBAGE_CURSORS",
    "JSON_CT",
    "LONG",
    "MISSING_ID",
    "NO_BODY",
    "NUL",
    "ONE_MIB",
    "PREFECTURE_48",
    "PROBLEM",
    "RAW_BODIES",
    "TEN_MIB",
    "WRONG_CHECK_DIGIT_MUNICIPALITY",
    "Case",
    "assert_problem",
    "b64",
    "bodies",
    "chunks",
    "contract_checks",
    "empty_tables",
    "fill_body",
    "fill_template",
    "ids",
    "json_values",
    "oversized_json",
    "published_contract",
    "request_as",
    "run_case",
    "snapshot_tables",
]

PROBLEM = "application/problem+json"
MISSING_ID = "0193abcd-0000-7000-8000-00000000beef"
NUL = "\x00"
LONG = "x" * 10_000
PREFECTURE_48 = "480011"  # a correct check digit, but prefecture 48 does not exist
WRONG_CHECK_DIGIT_MUNICIPALITY = "102998"  # 102997 is valid
ONE_MIB = 1_048_576
TEN_MIB = 10_485_760
JSON_CT = {"Content-Type": "application/json"}


# -- snapshots -----------------------------------------------------------------------------


def snapshot_tables(
    engine: sa.Engine,
    tables: Mapping[str, str],
    volatile: Mapping[str, set[str]] | None = None,
) -> dict[str, Any]:
    """Every row of ``tables`` (name -> ORDER BY), minus the ``volatile`` columns of each."""
    volatile = volatile or {}
    with engine.connect() as connection:
        result: dict[str, Any] = {}
        for table, order in tables.items():
            rows = connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY {order}"))
            skip = volatile.get(table, set())
            result[table] = [
                tuple((k, v) for k, v in row._mapping.items() if k not in skip) for row in rows
            ]
        return result


def empty_tables(engine: sa.Engine, tables: list[str]) -> None:
    """Delete every row of ``tables`` (listed in an order that can be emptied)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(sa.text(f"DELETE FROM {table}"))
            connection.execute(sa.text("DELETE FROM sqlite_sequence"))


# -- placeholders --------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """``{name}`` replaced by ``values[name]``; other braces (hostile text) are left alone."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def fill_body(body: Any, world: Any) -> Any:
    """A JSON body with the world's placeholders filled in every string."""
    if isinstance(body, dict):
        return {k: fill_body(v, world) for k, v in body.items()}
    if isinstance(body, list):
        return [fill_body(v, world) for v in body]
    return world.fill(body) if isinstance(body, str) and "{" in body else body


# -- problems ------------------------------------------------------------------------------


def assert_problem(response: Any, status: int | tuple[int, ...], field: str | None = None) -> None:
    """A 4xx problem+json of the expected status, naming ``field`` when given."""
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code < 500, f"server error {response.status_code}: {response.text}"
    assert response.status_code in statuses, response.text[:2000]
    assert response.headers["content-type"].split(";")[0] == PROBLEM, response.headers
    body = response.json()
    for key in ("type", "title", "status", "detail"):
        assert isinstance(body.get(key), str if key != "status" else int), (key, body)
    assert body["status"] == response.status_code
    assert body["type"].startswith("urn:kyodo:problem:")
    if field is not None:
        errors = body.get("errors")
        assert errors, f"no per-field errors in {body}"
        named = [e["field"] for e in errors]
        assert any(field in name for name in named), f"{field!r} not among {named}"
        assert all(e["message"] and e["code"] for e in errors)


# -- cases ---------------------------------------------------------------------------------

NO_BODY: Any = object()


@dataclass(frozen=True)
class Case:
    """One hostile request: what is sent, and the problem it must get.

    ``path`` and string values of ``json`` may name the world's records as ``{name}``.
    """

    name: str
    method: str
    path: str
    status: int | tuple[int, ...]
    field: str | None = None
    json: Any = NO_BODY
    content: bytes | None = None
    params: Any = None
    headers: dict[str, Any] = dataclasses.field(default_factory=dict)
    auth: bool = True

    def send(self, api: Any, world: Any) -> Any:
        headers = {**(AUTH if self.auth else {}), **self.headers}
        kwargs: dict[str, Any] = {"headers": headers}
        if self.json is not NO_BODY:
            # Encoded here (ASCII escapes) so that lone surrogates and the like can be sent.
            kwargs["content"] = json.dumps(fill_body(self.json, world)).encode()
            headers.setdefault("Content-Type", "application/json")
        if self.content is not None:
            kwargs["content"] = self.content
        if self.params is not None:
            kwargs["params"] = self.params
        return api.request(self.method, world.fill(self.path), **kwargs)


def ids(cases: list[Case]) -> list[str]:
    return [case.name for case in cases]


def run_case(api: Any, world: Any, case: Case, snapshot: Callable[[], Any]) -> Any:
    """Send ``case``; require its problem and stored data left as it was."""
    before = snapshot()
    response = case.send(api, world)
    assert_problem(response, case.status, case.field)
    assert snapshot() == before, "a refused request changed stored data"
    return response


# Bodies that are not a JSON object at all: (name, raw bytes, status, field).
RAW_BODIES: list[tuple[str, bytes, int, str]] = [
    ("truncated JSON", b'{"name": ', 400, "body"),
    ("trailing garbage after the object", b'{"name": "a"} trailing', 400, "body"),
    ("single-quoted pseudo JSON", b"{'name': 'a'}", 400, "body"),
    ("invalid UTF-8 in a string", b'{"name": "\xff\xfe"}', 400, "body"),
    ("a NUL byte outside any string", b'{"name": "a"}\x00', 400, "body"),
    ("100 000 nested arrays", b"[" * 100_000, 400, "body"),
    ("a JSON array", b"[]", 422, "body"),
    ("a JSON string", b'"organisation"', 422, "body"),
    ("a JSON number", b"42", 422, "body"),
    ("JSON true", b"true", 422, "body"),
    ("JSON null", b"null", 422, "body"),
    ("an empty body", b"", 422, "body"),
]


# -- cursors -------------------------------------------------------------------------------


def b64(value: Any) -> str:
    """What a cursor looks like: URL-safe base64 (unpadded) of JSON or raw bytes."""
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Cursors no listing ever issued (positions typed for id- and sequence-keyed listings).
GARBAGE_CURSORS = {
    "garbage": "!!!not-a-cursor!!!",
    "non-ASCII text": "カーソル",
    "a NUL byte": NUL,
    "base64 of non-UTF-8 bytes": b64(b"\xff\xfe\xfd"),
    "base64 of plain text": b64(b"hello"),
    "base64 of a JSON array": b64([1, 2]),
    "base64 of a JSON string": b64("id"),
    "base64 of an object without a version": b64({"id": MISSING_ID}),
    "base64 of a future version": b64({"v": 2, "id": MISSING_ID, "seq": 1}),
    "base64 of an object with extra keys": b64({"v": 1, "id": MISSING_ID, "seq": 1}),
    "base64 of a position of the wrong type": b64({"v": 1, "id": 5, "seq": "5"}),
    "base64 of a boolean position": b64({"v": 1, "id": True, "seq": True}),
    "base64 of a float position": b64({"v": 1, "id": 1.5, "seq": 1.5}),
    "base64 of a null position": b64({"v": 1, "id": None, "seq": None}),
}


# -- bodies --------------------------------------------------------------------------------


def chunks(total: int, size: int = 65_536) -> Iterator[bytes]:
    """A streamed body of ``total`` bytes; httpx sends it chunked, without Content-Length."""
    sent = 0
    while sent < total:
        part = min(size, total - sent)
        sent += part
        yield b" " * part


def oversized_json(body: dict[str, Any], size: int = ONE_MIB + 1024) -> bytes:
    """A syntactically valid JSON body a little over ``size`` bytes."""
    raw = json.dumps(body).encode()
    return raw[:-1] + b"," + b'"padding": "' + b"p" * (size - len(raw)) + b'"}'


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def bodies(valid: dict[str, Any], keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Arbitrary JSON objects, and valid bodies with some fields replaced by arbitrary JSON."""
    arbitrary = st.dictionaries(
        st.text(max_size=12) | st.sampled_from(keys), json_values, max_size=6
    )
    mutated = st.dictionaries(st.sampled_from(keys), json_values, min_size=1, max_size=3).map(
        lambda changes: {**valid, **changes}
    )
    return arbitrary | mutated


# The ways a conditional write can get its precondition wrong (name, headers,
# expected status, the field the problem names).
BAD_IF_MATCH: list[tuple[str, dict[str, Any], int, str | None]] = [
    ("without If-Match is 428", {}, 428, None),
    ("with an empty If-Match is 428", {"If-Match": ""}, 428, None),
    ("with a stale If-Match is 412", {"If-Match": '"99"'}, 412, None),
    ("with If-Match of version 0 is 412", {"If-Match": '"0"'}, 412, None),
    ("with an unquoted If-Match is 412", {"If-Match": "1"}, 412, None),
    ("with a weak If-Match is 412", {"If-Match": 'W/"1"'}, 412, None),
    ("with a list of stale tags is 412", {"If-Match": '"7", "8", "9"'}, 412, None),
    (
        "with an If-Match of 300 characters is 422",
        {"If-Match": '"' + "9" * 298 + '"'},
        422,
        "header.If-Match",
    ),
    ("with a non-ASCII If-Match is refused", {"If-Match": '"１"'.encode()}, (412, 422), None),
]


def contract_checks() -> list[Any]:
    """What every contract-fuzzing answer must pass: no server error, a documented status,
    content type and headers, and the documented response schema."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]


def published_contract() -> dict[str, Any]:
    """The contract as the gateway publishes it (building it touches no database)."""
    from gateway.main import create_app, embedded_services
    from migrations.runner import SERVICES
    from services.common.settings import KyodoSettings

    with tempfile.TemporaryDirectory() as data_dir:
        settings = KyodoSettings(data_dir=Path(data_dir), admin_key=ADMIN_KEY)
        urls = {name: f"sqlite:///{data_dir}/{name}.db" for name in SERVICES}
        services = embedded_services(settings, urls)
        try:
            return dict(create_app(services).state.contract())
        finally:
            for service in services.values():
                service.state.engine.dispose()


def service_contract_paths(contract: dict[str, Any], service: str) -> list[str]:
    """The /v1 paths of the merged contract that ``service`` serves."""
    return sorted(
        path
        for path, item in contract["paths"].items()
        if path.startswith("/v1/")
        and any(op.get("x-service") == service for op in item.values() if isinstance(op, dict))
    )


def coin(*parts: Any) -> bool:
    """A deterministic coin flip, so a failing fuzz case replays the same way."""
    return hashlib.sha256(repr(parts).encode()).digest()[0] < 128


def oversized_json_cases(json_endpoints: list[tuple[Any, ...]]) -> list[Case]:
    """Every JSON endpoint refuses a body over 1 MiB (and POSTs do so with an
    Idempotency-Key too): ``json_endpoints`` rows are (name, method, path, _, headers)."""
    cases = [
        Case(
            f"{endpoint} refuses a JSON body over 1 MiB",
            method,
            path,
            413,
            content=oversized_json({"x": 1}),
            headers={**JSON_CT, **headers},
        )
        for endpoint, method, path, _, headers in json_endpoints
    ]
    return cases + [
        Case(
            f"{endpoint} refuses a JSON body over 1 MiB with an Idempotency-Key",
            method,
            path,
            413,
            content=oversized_json({"x": 1}),
            headers={**JSON_CT, **headers, "Idempotency-Key": "big-one"},
        )
        for endpoint, method, path, _, headers in json_endpoints
        if method == "POST"
    ]


def request_as(
    api: Any,
    operation: tuple[str, str, Any],
    headers: dict[str, str],
    fill: Any = lambda value: value,
) -> Any:
    """Send ``(method, path, body)`` with ``headers`` (``If-Match: *`` on conditional
    writes, so a refusal is about who asks, not the version); ``fill`` completes the
    path and body with the ids of the test's world."""
    method, path, body = operation
    headers = dict(headers)
    if method in {"PATCH", "PUT", "DELETE"}:
        headers["If-Match"] = "*"
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs["json"] = fill(body)
    return api.request(method, fill(path), **kwargs)
