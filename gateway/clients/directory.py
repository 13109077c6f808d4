"""Which organisations exist: asked of the registry, which owns them.

A client is bound to organisations by id; the gateway checks each against the
registry when a client is created or changed (low volume: plain httpx, in
process through an ASGI transport in the embedded platform).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from services.common.problems import ProblemError

__all__ = ["OrganizationDirectory", "RegistryUnavailable"]


class RegistryUnavailable(ProblemError):
    status, slug, title = 503, "service-unavailable", "Service unavailable"


class OrganizationDirectory:
    """Tells which of some organisation ids the registry knows (and has not deleted)."""

    def __init__(self, *, base_url: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._client_args: dict[str, Any] = {
            "base_url": base_url,
            "transport": transport,
            "timeout": 5.0,
        }

    async def known(self, ids: Sequence[str]) -> set[str]:
        """The ids among ``ids`` that name a live organisation."""
        found: set[str] = set()
        async with httpx.AsyncClient(**self._client_args) as client:
            for organization_id in ids:
                try:
                    answer = await client.get(f"/v1/organizations/{organization_id}")
                except httpx.HTTPError as exc:
                    raise RegistryUnavailable(
                        "The registry cannot be reached to check the organisations; try again."
                    ) from exc
                if answer.status_code == 200:
                    found.add(organization_id)
                elif answer.status_code not in (404, 410):
                    raise RegistryUnavailable(
                        f"The registry answered {answer.status_code} checking an organisation."
                    )
        return found
