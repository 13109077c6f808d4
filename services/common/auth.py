"""Who is calling: the auth context every service reads.

For now one key is known, the bootstrap administrator key (``KYODO_ADMIN_KEY``),
sent as ``Authorization: Bearer <key>``. Reads are public; every write needs a
valid key. The gateway issue adds API clients bound to organisations, with
scopes; services keep asking this module who the caller is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common.problems import ProblemError

__all__ = [
    "ANONYMOUS",
    "Client",
    "CurrentClient",
    "Unauthorized",
    "WriterClient",
    "current_client",
]


class Unauthorized(ProblemError):
    """No API key, or an unknown one (401 with a Bearer challenge)."""

    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="kyodo"'})


@dataclass(frozen=True)
class Client:
    """An API caller: the administrator, a registered client, or anonymous."""

    id: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    organization_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        """Whether the caller holds the admin scope."""
        return "admin" in self.scopes

    @property
    def is_anonymous(self) -> bool:
        """Whether the caller sent no key."""
        return self.id == ANONYMOUS.id


ANONYMOUS = Client(id="anonymous", scopes=frozenset({"public:read"}))
ADMIN = Client(id="admin", scopes=frozenset({"admin"}))

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`.")


def _admin_key(request: Request) -> str:
    state = request.app.state
    if getattr(state, "admin_key", None) is None:
        state.admin_key = state.settings.admin_key_value()
    return str(state.admin_key)


async def current_client(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Client:
    """The caller; a key that is present but unknown is refused, not ignored."""
    if request.headers.get("authorization") is None:
        return ANONYMOUS
    if credentials is None:
        raise Unauthorized("The Authorization header must be `Bearer <key>`.")
    admin_key = _admin_key(request)
    if secrets.compare_digest(credentials.credentials.encode(), admin_key.encode()):
        return ADMIN
    raise Unauthorized("The API key is not valid.")


async def writer_client(client: Annotated[Client, Depends(current_client)]) -> Client:
    """The caller of a write: anonymous callers are refused."""
    if client.is_anonymous:
        raise Unauthorized("This operation needs an API key (Authorization: Bearer <key>).")
    return client


CurrentClient = Annotated[Client, Depends(current_client)]
WriterClient = Annotated[Client, Depends(writer_client)]
