"""The platform under evaluation: an embedded one in a temporary directory, or one at a URL,
and the matching set placed in it through the public API.
"""

from __future__ import annotations

import secrets
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from kyodo.evaluation.dataset import MatchingSet

__all__ = [
    "EvaluationError",
    "MalformedAnswer",
    "Placed",
    "embedded_platform",
    "place_matching_set",
    "remote_platform",
]

Progress = Callable[[int, int], None]


class EvaluationError(RuntimeError):
    """The platform refused a request of the evaluation."""


class MalformedAnswer(EvaluationError):
    """The platform answered, but not in the shape its contract promises."""


@dataclass
class Placed:
    """Keys of the set -> ids the platform gave them."""

    organizations: dict[str, str] = field(default_factory=dict)
    resources: dict[str, str] = field(default_factory=dict)
    issues: dict[str, str] = field(default_factory=dict)

    def resource_keys(self) -> dict[str, str]:
        """Resource id -> key."""
        return {rid: key for key, rid in self.resources.items()}


@contextmanager
def embedded_platform() -> Iterator[tuple[httpx.Client, str]]:
    """Every service in this process on fresh SQLite files, migrated; yields (client, admin key)."""
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

    from gateway.main import create_app, embedded_services
    from migrations.runner import SERVICES, upgrade
    from services.common.settings import KyodoSettings

    with tempfile.TemporaryDirectory(prefix="kyodo-eval-") as tmp:
        data_dir = Path(tmp)
        admin_key = "kyodo-eval-" + secrets.token_urlsafe(16)
        settings = KyodoSettings(data_dir=data_dir, admin_key=admin_key, log_level="WARNING")
        # Every service on its own file here, whatever KYODO_*_DATABASE_URL says.
        urls = {name: f"sqlite:///{data_dir / name}.db" for name in SERVICES}
        services = embedded_services(settings, urls)
        try:
            for name, service in services.items():
                upgrade(service.state.engine, name)
            with TestClient(create_app(services), base_url="http://kyodo.eval") as client:
                yield client, admin_key
        finally:
            for service in services.values():
                service.state.engine.dispose()


@contextmanager
def remote_platform(url: str, admin_key: str) -> Iterator[tuple[httpx.Client, str]]:
    """A running gateway at ``url``."""
    with httpx.Client(base_url=url, timeout=60) as client:
        yield client, admin_key


def place_matching_set(
    client: httpx.Client,
    admin_key: str,
    matching_set: MatchingSet,
    progress: Progress | None = None,
) -> Placed:
    """Post every organisation, resource and issue of the set; return their ids.

    Each POST carries an ``Idempotency-Key`` made of the set's fingerprint and the
    entity's key, so a retried run against the same platform (within the key's
    lifetime) reuses what it created instead of adding twins.
    """
    placed = Placed()
    total = len(matching_set.organizations) + len(matching_set.resources)
    total += len(matching_set.issues)
    post = _poster(client, admin_key, matching_set.fingerprint)
    done = 0
    for org in matching_set.organizations:
        placed.organizations[org.key] = post("/v1/organizations", org.key, org.body)
        done = _tick(progress, done, total)
    for resource in matching_set.resources:
        org_id = placed.organizations[resource.organization]
        path = f"/v1/organizations/{org_id}/resources"
        placed.resources[resource.key] = post(path, resource.key, resource.body)
        done = _tick(progress, done, total)
    for issue in matching_set.issues:
        body = {**issue.body, "organization_id": placed.organizations[issue.organization]}
        placed.issues[issue.key] = post("/v1/issues", issue.key, body)
        done = _tick(progress, done, total)
    return placed


def _poster(client: httpx.Client, admin_key: str, fingerprint: str) -> Callable[..., str]:
    def post(path: str, key: str, body: dict[str, Any]) -> str:
        headers = {
            "Authorization": f"Bearer {admin_key}",
            "Idempotency-Key": f"kyodo-eval-{fingerprint}-{key}",
        }
        response = client.post(path, json=body, headers=headers)
        if response.status_code != 201:
            raise EvaluationError(
                f"POST {path} ({key}) failed: HTTP {response.status_code} {_detail(response)}"
            )
        created = response.json()
        if not isinstance(created, dict) or not isinstance(created.get("id"), str):
            raise MalformedAnswer(f"POST {path} ({key}) answered without an id")
        return created["id"]

    return post


def _detail(response: httpx.Response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(problem, dict):
        return str(problem.get("detail") or problem.get("title") or "") + (
            f" errors={problem['errors']!r}" if problem.get("errors") else ""
        )
    return str(problem)[:300]


def _tick(progress: Progress | None, done: int, total: int) -> int:
    if progress is not None:
        progress(done + 1, total)
    return done + 1
