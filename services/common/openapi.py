"""The published contract: operation ids, documented problems, security, examples.

Routes declare the problems particular to them with :func:`problem_responses`;
:func:`install_openapi` adds what every operation can answer (malformed input,
oversized bodies, authentication, server errors) in one place.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from services.common.problems import PROBLEM_CONTENT_TYPE, Problem, problem_type

__all__ = ["PROBLEM_CATALOGUE", "install_openapi", "operation_id", "problem_responses"]

PROBLEM_CATALOGUE: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Malformed request: bad JSON, a bad cursor or a bad header."),
    401: ("unauthorized", "No API key, or an unknown one, for an operation that needs one."),
    403: ("forbidden", "The API key may not do this."),
    404: ("not-found", "No such resource (or it was deleted)."),
    409: (
        "conflict",
        "The request conflicts with stored data, or an idempotent retry is in progress.",
    ),
    412: ("precondition-failed", "If-Match names a version that is no longer current."),
    413: ("payload-too-large", "The request body is over the limit."),
    415: ("unsupported-media-type", "The body's Content-Type is not accepted here."),
    422: ("validation-error", "Fields are invalid; `errors` lists each."),
    428: ("precondition-required", "This write requires If-Match."),
    500: ("internal-error", "An unexpected error; it has been logged with the request id."),
}


def operation_id(route: APIRoute) -> str:
    """Stable ids from tag and function name, so generated clients read well."""
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}-{route.name}"


def _problem_content(status: int) -> dict[str, Any]:
    slug, description = PROBLEM_CATALOGUE.get(status, ("error", "Error"))
    example = {
        "type": problem_type(slug),
        "title": description.split(":")[0].rstrip("."),
        "status": status,
        "detail": description,
    }
    return {
        "description": description,
        "content": {
            PROBLEM_CONTENT_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": example,
            }
        },
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entries documenting problems a route can answer."""
    return {status: _problem_content(status) for status in statuses}


_WRITES = {"post", "put", "patch", "delete"}


def _complete_operation(method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    wanted = [400, 500]
    if operation.get("security"):
        wanted.append(401)  # a key that is sent but unknown is refused, even on reads
    if method in _WRITES:
        wanted += [401, 413, 422]
    if operation.get("parameters") or operation.get("requestBody"):
        wanted.append(422)
    for status in wanted:
        key = str(status)
        if key not in responses or "HTTPValidationError" in str(responses[key]):
            responses[key] = _problem_content(status)


def install_openapi(app: FastAPI, *, description: str) -> None:
    """Replace ``app.openapi`` with one that documents problems and authentication."""

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schemas["Problem"].pop("$defs", {}))
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                _complete_operation(method, operation)
        schema["x-problem-types"] = [
            {"type": problem_type(slug), "status": status, "description": text}
            for status, (slug, text) in sorted(PROBLEM_CATALOGUE.items())
        ]
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
