"""The one published contract: the services' OpenAPI documents merged, the edge documented.

Paths and operation ids must not collide; a component (schema, shared response,
header, security scheme) that two documents define identically (``Problem``) is
kept once. Any other collision is an error, so it is caught when the contract is
generated, not by a client.

Every request to ``/v1`` passes the gateway's edge, which can answer on its own
before a service sees it: 429 when the caller's rate limit is spent, 503 when a
service's circuit is open or rate limits cannot be checked, 502 and 504 when a
service fails or is too slow, 408 when the caller is too slow sending its body
(413 for oversized bodies is documented by every
service already). :func:`merge` documents those on every ``/v1`` operation, by
reference to shared responses, and the ``RateLimit`` headers on every success.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from gateway.config import GatewaySettings
from services.common.openapi import problem_component, problem_ref, response_name

__all__ = ["EDGE_PROBLEMS", "ContractConflict", "dump", "merge"]

HEADERS_REF = "#/components/headers/"

EDGE_PROBLEMS: dict[int, tuple[str, ...]] = {
    408: ("request-timeout",),
    429: ("rate-limited",),
    502: ("bad-gateway",),
    503: ("service-unavailable", "rate-limit-unavailable"),
    504: ("gateway-timeout",),
}
"""Status -> the problem types the edge answers on ``/v1`` operations."""
_FORWARDING_ONLY = {408, 502, 504}


class ContractConflict(ValueError):
    """Two services define the same path, operation id or (different) component."""


def _default(setting: str) -> Any:
    return GatewaySettings.model_fields[setting].default


def _rate_limit_headers() -> dict[str, dict[str, Any]]:
    anonymous = _default("anonymous_rate_limit_per_minute")
    client = _default("default_rate_limit_per_minute")
    return {
        "RateLimit-Policy": {
            "description": (
                "The quota that applies to the caller, as an IETF `RateLimit-Policy` "
                "structured field (draft-ietf-httpapi-ratelimit-headers): the policy's name, "
                "its quota `q` and window `w` in seconds. `client`: a key's API client "
                f"(its own limit; {client} requests a minute unless set otherwise). "
                f"`anonymous`: callers without a key, per IP address ({anonymous} a minute "
                "by default)."
            ),
            "schema": {"type": "string"},
            "example": f'"client";q={client};w=60',
        },
        "RateLimit": {
            "description": (
                "What is left of the quota, as an IETF `RateLimit` structured field: "
                "`r` requests remain, and the quota is whole again in `t` seconds."
            ),
            "schema": {"type": "string"},
            "example": f'"client";r={client - 1};t=0',
        },
        "Retry-After": {
            "description": "Seconds to wait before trying again (RFC 9110).",
            "schema": {"type": "integer", "minimum": 0},
            "example": 30,
        },
    }


def _header_ref(name: str, *, required: bool = False) -> dict[str, Any]:
    # A Reference Object may not say `required`; a required header is spelt out.
    if required:
        return {**_rate_limit_headers()[name], "required": True}
    return {"$ref": HEADERS_REF + name}


def _edge_responses() -> dict[str, dict[str, Any]]:
    limits = {
        "RateLimit": _header_ref("RateLimit"),
        "RateLimit-Policy": _header_ref("RateLimit-Policy"),
    }
    retry = {"Retry-After": _header_ref("Retry-After", required=True)}
    responses = {
        status: problem_component(*slugs, headers=retry if status in (429, 503) else None)
        for status, slugs in EDGE_PROBLEMS.items()
    }
    responses[429]["headers"] = {**retry, **limits}
    return {response_name(EDGE_PROBLEMS[status][0]): value for status, value in responses.items()}


def _document_edge(document: dict[str, Any]) -> None:
    components = document.setdefault("components", {})
    components.setdefault("headers", {}).update(_rate_limit_headers())
    components.setdefault("responses", {}).update(_edge_responses())
    on_success = {name: _header_ref(name) for name in ("RateLimit", "RateLimit-Policy")}
    for path, item in document.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status.startswith("2") and "$ref" not in response:
                    response.setdefault("headers", {}).update(on_success)
            for status, slugs in EDGE_PROBLEMS.items():
                if status in _FORWARDING_ONLY and "x-service" not in operation:
                    continue  # answered by the gateway itself: no service to fail
                responses.setdefault(str(status), problem_ref(slugs[0]))


def _merge_components(service: str, target: dict[str, Any], components: dict[str, Any]) -> None:
    for kind, entries in components.items():
        known = target.setdefault(kind, {})
        for name, value in entries.items():
            if name in known and known[name] != value:
                raise ContractConflict(f"{service}: {kind} {name} differs from another's")
            known[name] = value


def merge(base: dict[str, Any], documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Merge ``documents`` (service name -> OpenAPI) into a copy of ``base``, then
    document the edge on every ``/v1`` operation."""
    merged = copy.deepcopy(base)
    paths = merged.setdefault("paths", {})
    merged.setdefault("components", {})
    tags = merged.setdefault("tags", [])
    problem_types = {p["type"]: p for p in merged.get("x-problem-types", [])}
    operation_ids = {
        op.get("operationId")
        for item in paths.values()
        for op in item.values()
        if isinstance(op, dict)
    }
    for service, original in documents.items():
        document = copy.deepcopy(original)
        for path, item in document.get("paths", {}).items():
            if path in paths:
                raise ContractConflict(f"{service}: path {path} is already published")
            for operation in item.values():
                op_id = operation.get("operationId")
                if op_id in operation_ids:
                    raise ContractConflict(f"{service}: operation id {op_id} collides")
                operation_ids.add(op_id)
                operation["x-service"] = service
            paths[path] = item
        _merge_components(service, merged["components"], document.get("components", {}))
        known = {tag["name"] for tag in tags}
        tags.extend(tag for tag in document.get("tags", []) if tag["name"] not in known)
        for problem in document.get("x-problem-types", []):
            problem_types.setdefault(problem["type"], problem)
    merged["x-problem-types"] = sorted(
        problem_types.values(), key=lambda p: (p["status"], p["type"])
    )
    _document_edge(merged)
    return merged


def dump(document: dict[str, Any], path: Path) -> None:
    """Write a contract file the same way every time (stable diffs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
