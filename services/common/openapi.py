"""The published contract: operation ids, documented problems, security, examples.

Routes declare the problems particular to them with :func:`problem_responses`;
:func:`install_openapi` adds what every operation can answer (malformed input,
oversized bodies, authentication, server errors) in one place, and refers to one
shared ``components.responses`` entry per problem type instead of repeating it.

Who may call an operation is read from its dependencies:

- a route that depends on ``writer_client`` needs a key with ``<service>:write``;
- a route whose dependencies declare scopes (``Security(dependency, scopes=[...])``)
  needs a key with those scopes;
- any other route that authenticates serves anonymous callers too: its security
  requirement is ``[{}, {"HTTPBearer": []}]`` (a key is optional).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from services.common.auth import SCOPES, writer_client
from services.common.problems import PROBLEM_CONTENT_TYPE, Problem, problem_type
from services.common.problemtypes import PROBLEM_CATALOGUE, ProblemType, generic_slug

__all__ = [
    "AUTHENTICATION",
    "PROBLEM_CATALOGUE",
    "ProblemType",
    "install_openapi",
    "operation_id",
    "problem_catalogue",
    "problem_component",
    "problem_ref",
    "problem_responses",
    "response_name",
]

RESPONSES_REF = "#/components/responses/"

AUTHENTICATION = (
    """\
An API key, sent as `Authorization: Bearer <key>`.

**Keys.** An administrator registers an API client bound to one or more
organisations, with scopes and a rate limit (`/v1/admin/clients`), and issues its
keys. A key is shown once, in the answer that creates it; afterwards only its
prefix (its first characters) is visible, to tell keys apart in lists and logs.
Rotate a key by issuing a new one (the old keys keep working for a grace period)
and revoke keys no longer used; a revoked or expired key is refused with 401.
`GET /v1/me` tells whom a key belongs to.

**Scopes.** An operation that needs a key names the scope it needs in its
`security` requirement; a key without it is answered 403 with
`WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`.

"""
    + "\n".join(f"- `{scope}`: {meaning}" for scope, meaning in SCOPES.items())
    + """

**Anonymous callers.** Reads of public data need no key (their `security`
includes `{}`) and are served at a lower rate limit, counted per IP address.
A key that is sent is always checked: an unknown one is refused (401) even where
anonymous callers are served.
"""
)


def operation_id(route: APIRoute) -> str:
    """Stable ids from tag and function name, so generated clients read well."""
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}-{route.name}"


def response_name(slug: str) -> str:
    """The ``components.responses`` name of a problem type: ``rate-limited`` -> ``RateLimited``."""
    return "".join(part.capitalize() for part in slug.split("-"))


def problem_ref(slug: str) -> dict[str, str]:
    """A reference to the shared response documenting ``slug``."""
    return {"$ref": RESPONSES_REF + response_name(slug)}


def _example(slug: str) -> dict[str, Any]:
    kind = PROBLEM_CATALOGUE[slug]
    return {
        "type": problem_type(slug),
        "title": kind.title,
        "status": kind.status,
        "detail": kind.description,
    }


def problem_component(
    *slugs: str, headers: dict[str, Any] | None = None, description: str | None = None
) -> dict[str, Any]:
    """A Response Object for problems of one status: one example per type."""
    media: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/Problem"}}
    if len(slugs) == 1:
        media["example"] = _example(slugs[0])
        text = PROBLEM_CATALOGUE[slugs[0]].description
    else:
        media["examples"] = {
            slug: {"summary": PROBLEM_CATALOGUE[slug].description, "value": _example(slug)}
            for slug in slugs
        }
        text = "\n".join(f"- `{slug}`: {PROBLEM_CATALOGUE[slug].description}" for slug in slugs)
    response: dict[str, Any] = {
        "description": description or text,
        "content": {PROBLEM_CONTENT_TYPE: media},
    }
    if headers:
        response["headers"] = headers
    return response


def _challenge(example: str, meaning: str) -> dict[str, Any]:
    return {
        "WWW-Authenticate": {
            "description": meaning,
            "schema": {"type": "string"},
            "example": example,
        }
    }


# Shared responses whose headers matter to a client (the Bearer challenge).
_SHARED_HEADERS: dict[str, dict[str, Any]] = {
    "unauthorized": _challenge('Bearer realm="kyodo"', "The Bearer challenge (RFC 6750)."),
    "forbidden": _challenge(
        'Bearer realm="kyodo", error="insufficient_scope", scope="registry:write"',
        "When the key lacks a scope: `insufficient_scope` and the scope needed (RFC 6750).",
    ),
}


def _shared_component(slug: str) -> dict[str, Any]:
    return problem_component(slug, headers=_SHARED_HEADERS.get(slug))


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entries documenting problems a route can answer."""
    return {status: _shared_component(generic_slug(status)) for status in statuses}


def problem_catalogue() -> list[dict[str, Any]]:
    """``x-problem-types``: every problem type, by status then slug."""
    return [
        {
            "type": problem_type(slug),
            "status": kind.status,
            "title": kind.title,
            "description": kind.description,
        }
        for slug, kind in sorted(PROBLEM_CATALOGUE.items(), key=lambda i: (i[1].status, i[0]))
    ]


_WRITES = {"post", "put", "patch", "delete"}


def _needs_key(operation: dict[str, Any]) -> bool:
    security = operation.get("security") or []
    return bool(security) and {} not in security


def _complete_operation(method: str, operation: dict[str, Any]) -> set[str]:
    """Document the problems every operation can answer; shared ones become references.

    Returns the slugs of the shared responses the operation now refers to.
    """
    responses = operation.setdefault("responses", {})
    wanted = ["bad-request", "internal-error"]
    if operation.get("security"):
        wanted.append("unauthorized")  # a key that is sent but unknown is refused, even on reads
    if _needs_key(operation):
        wanted.append("forbidden")  # a key without the scope the operation needs
    if method in _WRITES:
        wanted += ["unauthorized", "payload-too-large", "validation-error"]
    if operation.get("parameters") or operation.get("requestBody"):
        wanted.append("validation-error")
    for slug in wanted:
        key = str(PROBLEM_CATALOGUE[slug].status)
        if key not in responses or "HTTPValidationError" in str(responses[key]):
            responses[key] = _shared_component(slug)
    used: set[str] = set()
    for key, response in responses.items():
        if not (key.isdigit() and key[0] in "45"):
            continue
        try:
            slug = generic_slug(int(key))
        except KeyError:
            continue
        if response == _shared_component(slug):
            responses[key] = problem_ref(slug)
            used.add(slug)
    return used


def _dependency_tree(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependency_tree(dependency)


def _security(
    route: RouteContext, declared: list[dict[str, list[str]]], service: str | None
) -> Any:
    """The operation's security requirement, as described in the module docstring."""
    if any(scopes for requirement in declared for scopes in requirement.values()):
        return declared
    if service and any(d.call is writer_client for d in _dependency_tree(route.dependant)):
        return [{name: [f"{service}:write"]} for requirement in declared for name in requirement]
    return [{}, *declared]


def _document_security(app: FastAPI, schema: dict[str, Any]) -> None:
    service = getattr(app.state, "service", None)
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        item = schema.get("paths", {}).get(route.path_format, {})
        for method in route.methods or ():
            operation = item.get(method.lower())
            if operation and operation.get("security"):
                operation["security"] = _security(route, operation["security"], service)
    for scheme in schema.get("components", {}).get("securitySchemes", {}).values():
        if scheme.get("type") == "http" and scheme.get("scheme") == "bearer":
            scheme["description"] = AUTHENTICATION


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
        _document_security(app, schema)
        used: set[str] = set()
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                used |= _complete_operation(method, operation)
        shared = components.setdefault("responses", {})
        for slug in sorted(used):
            shared[response_name(slug)] = _shared_component(slug)
        schema["x-problem-types"] = problem_catalogue()
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
