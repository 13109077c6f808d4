"""The API inventory (OWASP API9): nothing answers that the contract does not list.

Every route of every app (the gateway's own and each service's, found in the
running platform, not listed here) is either a documented operation or one of a
few operational routes; the contract lists nothing that no app answers; and
through the gateway, unknown paths and methods are problems and no service's own
contract or docs can be reached.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from gateway.routing import ROUTES, service_for

# The only routes an app may answer without the contract listing them.
OPERATIONAL = ("/healthz", "/readyz", "/openapi.json", "/metrics")
OPERATIONAL_TREE = "/docs"  # the docs pages and their assets: /docs, /docs/...

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
AN_ID = "00000000-0000-7000-8000-000000000000"
PROBLEM = "application/problem+json"


def _is_operational(path: str) -> bool:
    return path in OPERATIONAL or path == OPERATIONAL_TREE or path.startswith("/docs/")


def _apps_within(root: Any) -> list[FastAPI]:
    """Every FastAPI app inside an ASGI app: through middleware, dispatchers, upstreams."""
    found: list[FastAPI] = []
    seen: set[int] = set()
    pending = [root]
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, FastAPI):
            found.append(item)
            continue
        if isinstance(item, Mapping):
            children = list(item.values())
        elif callable(item) and hasattr(item, "__dict__") and not isinstance(item, type):
            children = list(vars(item).values())
        else:
            continue
        pending.extend(c for c in children if callable(c) or isinstance(c, Mapping))
    return found


@pytest.fixture
def apps(api, services) -> dict[str, FastAPI]:
    """Name -> app: each service, and the gateway's own app(s) found in the edge."""
    found = {name: app for name, app in services.items()}
    own = [app for app in _apps_within(api.app) if all(app is not s for s in services.values())]
    assert own, "the gateway's own FastAPI app was not found inside the edge"
    found.update({f"gateway-{i}" if i else "gateway": app for i, app in enumerate(own)})
    return found


@pytest.fixture
def contract(api) -> dict[str, Any]:
    answer = api.get("/openapi.json")
    assert answer.status_code == 200
    return dict(answer.json())


def _routes(app: FastAPI) -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route; a mount answers every method."""
    for route in iter_route_contexts(app.routes):
        path = route.path_format or route.path
        if path is not None:
            yield path, set(route.methods or METHODS)


def _documented(contract: dict[str, Any], path: str, method: str) -> bool:
    item = contract["paths"].get(path, {})
    if method == "HEAD":  # Starlette answers HEAD wherever it answers GET
        return "get" in item or "head" in item
    return method.lower() in item


def _concrete(path: str) -> str:
    """A path with its parameters filled in."""
    parts = [AN_ID if part.startswith("{") else part for part in path.split("/")]
    return "/".join(parts)


def test_every_route_of_every_app_is_documented_or_operational(apps, contract):
    undocumented = sorted(
        f"{name}: {method} {path}"
        for name, app in apps.items()
        for path, methods in _routes(app)
        for method in methods
        if not _is_operational(path) and not _documented(contract, path, method)
    )
    assert undocumented == [], "document these operations, or remove them"


def test_the_operational_list_stays_short_and_outside_the_api():
    assert len(OPERATIONAL) <= 5
    assert not any(path.startswith("/v1") for path in (*OPERATIONAL, OPERATIONAL_TREE))


def test_every_documented_operation_is_answered_by_an_app(apps, contract):
    answered = {
        (path, method.lower())
        for app in apps.values()
        for path, methods in _routes(app)
        for method in methods
    }
    ghosts = sorted(
        f"{method.upper()} {path}"
        for path, item in contract["paths"].items()
        for method in item
        if (path, method) not in answered
    )
    assert ghosts == []


def test_the_gateway_routes_each_documented_path_to_the_app_that_answers_it(apps, contract):
    for name, app in apps.items():
        for path, _methods in _routes(app):
            if path not in contract["paths"] or not path.startswith("/v1/"):
                continue  # the probes of each app are not reached through the gateway
            owner = service_for(_concrete(path))
            expected = name if name in ROUTES.values() else None
            assert owner == expected, f"{path} is answered by {name}, routed to {owner}"


@pytest.mark.parametrize(
    "path",
    [
        "/nothing-here",
        "/v1",
        "/v1/",
        "/v1/nothing-here",
        "/v2/organizations",
        "/v1/organizationsX",
        f"/v1/organizations/{AN_ID}/nothing-here",
        f"/v1/issues/{AN_ID}/candidates/more",
        "/v1/admin",
        "/admin",
        "/.env",
    ],
)
def test_an_unknown_path_is_a_404_problem(api, path):
    answer = api.get(path)
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["type"] == "urn:kyodo:problem:not-found"


def _answered_elsewhere(contract: dict[str, Any], path: str, method: str) -> bool:
    """Whether another documented operation takes ``method`` on ``path`` filled in
    (``DELETE /v1/organizations/import`` is a DELETE of the organisation "import")."""
    concrete = _concrete(path).split("/")

    def matches(template: str) -> bool:
        parts = template.split("/")
        return len(parts) == len(concrete) and all(
            p.startswith("{") or p == c for p, c in zip(parts, concrete, strict=True)
        )

    return any(
        other != path and method.lower() in item and matches(other)
        for other, item in contract["paths"].items()
    )


def test_an_undocumented_method_on_a_known_path_is_a_405_problem(api, contract):
    refused = []
    for path, item in contract["paths"].items():
        undocumented = [m for m in reversed(METHODS) if m.lower() not in item]
        method = next((m for m in undocumented if not _answered_elsewhere(contract, path, m)), None)
        if method is None:
            continue
        answer = api.request(method, _concrete(path))
        if answer.status_code != 405 or answer.headers["content-type"] != PROBLEM:
            refused.append(f"{method} {path}: {answer.status_code} {answer.text[:120]}")
        elif answer.json()["type"] != "urn:kyodo:problem:method-not-allowed":
            refused.append(f"{method} {path}: type {answer.json()['type']}")
    assert refused == []


def _prefixes() -> list[str]:
    return sorted({_concrete(prefix.replace("*", "{x}")) for prefix in ROUTES})


@pytest.mark.parametrize("prefix", _prefixes())
@pytest.mark.parametrize(
    "suffix", ["/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect", "/docs/reference"]
)
def test_no_service_contract_or_docs_is_reachable_under_a_service_prefix(api, prefix, suffix):
    answer = api.get(prefix + suffix)
    assert 400 <= answer.status_code < 500, f"{prefix}{suffix}: {answer.status_code}"
    assert answer.headers["content-type"] == PROBLEM
    assert "openapi" not in answer.json()
    assert "swagger" not in answer.text.lower()


def test_the_gateway_publishes_the_merged_contract_not_a_services(api, services):
    served = api.get("/openapi.json").json()
    assert served["info"]["title"] == "Kyodo API"
    for name, app in services.items():
        own = app.openapi()
        assert served["info"]["title"] != own["info"]["title"], name
        assert set(own["paths"]) <= set(served["paths"]), name
