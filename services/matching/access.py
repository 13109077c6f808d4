"""Who may act for whom: the one object-level rule of the matching service.

A client acts for the organisations its key is bound to; the administrator
acts for every organisation. (Keys bound to organisations come with the
gateway's API clients; until then only the administrator key exists.)
"""

from __future__ import annotations

from services.common.auth import Client
from services.common.problems import ProblemError

__all__ = ["Forbidden", "acts_for", "require_acts_for"]


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Forbidden"


def acts_for(client: Client, organization_id: str) -> bool:
    """Whether ``client`` may act for (and see the private data of) the organisation."""
    return client.is_admin or organization_id in client.organization_ids


def require_acts_for(client: Client, organization_id: str, what: str) -> None:
    """403 unless ``client`` acts for the organisation."""
    if not acts_for(client, organization_id):
        raise Forbidden(
            f"Only the organisation that owns {what} (or an administrator) may do this."
        )
