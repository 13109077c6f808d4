"""Load the demo city into a running platform through its HTTP API.

Idempotent: organisations are matched by ``name`` and resources (per
organisation) by ``title``; only what is missing is created, so a second run
creates nothing. Every POST carries the admin key and a fresh
``Idempotency-Key``.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from kyodo.demo.city import demo_organizations

__all__ = ["DemoLoadError", "LoadReport", "load_demo"]

ORGANIZATIONS = "/v1/organizations"
PAGE_LIMIT = 200
_MAX_PAGES = 10_000


class DemoLoadError(RuntimeError):
    """The platform answered a request of the loader with an error."""

    def __init__(self, method: str, url: str, status: int, body: Any) -> None:
        self.method, self.url, self.status = method, url, status
        problem = body if isinstance(body, dict) else {}
        self.detail = (
            problem.get("detail") or problem.get("title") or (body if isinstance(body, str) else "")
        )
        self.errors = problem.get("errors")
        message = f"{method} {url} failed with HTTP {status}"
        if self.detail:
            message += f": {self.detail}"
        if self.errors:
            message += f" errors={self.errors!r}"
        super().__init__(message)


@dataclass
class LoadReport:
    """What a load did."""

    organizations_created: int = 0
    organizations_skipped: int = 0
    resources_created: int = 0
    resources_skipped: int = 0

    @property
    def created(self) -> int:
        return self.organizations_created + self.resources_created


def load_demo(
    client: httpx.Client,
    *,
    admin_key: str,
    count: int = 300,
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Create the demo organisations and resources that the platform does not have yet.

    ``client`` must have the platform's base URL; ``progress(done, total)`` is
    called after each organisation.
    """
    auth = {"Authorization": f"Bearer {admin_key}"}
    report = LoadReport()
    existing = {_key(item["name"]): item["id"] for item in _list(client, ORGANIZATIONS, auth)}
    demo = demo_organizations(count)
    for done, org in enumerate(demo, start=1):
        org_id = existing.get(_key(org.name))
        if org_id is None:
            created = _post(client, ORGANIZATIONS, org.payload, auth)
            org_id = created["id"]
            existing[_key(org.name)] = org_id
            report.organizations_created += 1
        else:
            report.organizations_skipped += 1
        path = f"{ORGANIZATIONS}/{org_id}/resources"
        titles = {_key(item["title"]) for item in _list(client, path, auth)}
        for resource in org.resources:
            if _key(resource["title"]) in titles:
                report.resources_skipped += 1
                continue
            _post(client, path, resource, auth)
            titles.add(_key(resource["title"]))
            report.resources_created += 1
        if progress is not None:
            progress(done, len(demo))
    return report


def _key(text: str) -> str:
    """Names as the server stores them (trimmed, NFC) so a rerun matches them."""
    return unicodedata.normalize("NFC", text.strip())


def _list(client: httpx.Client, path: str, headers: dict[str, str]) -> Iterator[dict[str, Any]]:
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        params: dict[str, Any] = {"limit": PAGE_LIMIT}
        if cursor:
            params["cursor"] = cursor
        page = _check(client.get(path, params=params, headers=headers))
        yield from page.get("items", [])
        cursor = page.get("next_cursor")
        if not cursor:
            return
    raise DemoLoadError("GET", path, 0, {"detail": f"more than {_MAX_PAGES} pages; cursor loop?"})


def _post(
    client: httpx.Client, path: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    return _check(client.post(path, json=body, headers=headers))


def _check(response: httpx.Response) -> dict[str, Any]:
    if response.is_success:
        return response.json() if response.content else {}
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text[:500]
    raise DemoLoadError(
        response.request.method, str(response.request.url), response.status_code, body
    )
