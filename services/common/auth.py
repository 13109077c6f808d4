"""Who is calling: the auth context every service reads.

The gateway authenticates every request (API keys of clients bound to
organisations, with scopes: see ``gateway/``) and hands the caller on:

- in the embedded platform, as a :class:`Client` in the ASGI scope
  (``kyodo.client``), which nothing outside the process can set;
- over HTTP, as a signed assertion header (:mod:`services.common.assertion`)
  that only a holder of the internal secret can make.

A service called directly (tests, operators) also accepts the bootstrap
administrator key (``KYODO_ADMIN_KEY``); any other key must come through the
gateway. Reads of public data need no key; writes need a key whose scopes
include ``<service>:write``; object-level rules ask :func:`acts_for`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes
from starlette.types import Scope

from services.common.assertion import ASSERTION_HEADER, verify_assertion
from services.common.problems import ProblemError

__all__ = [
    "ADMIN",
    "ANONYMOUS",
    "CLIENT_SCOPE_KEY",
    "PERSONAL_TOKEN_HEADERS",
    "SCOPES",
    "Client",
    "CurrentClient",
    "Forbidden",
    "InsufficientScope",
    "Unauthorized",
    "WriterClient",
    "acts_for",
    "caller_identity",
    "current_client",
    "require_acts_for",
    "require_scope",
    "scoped_client",
]

# Where the gateway puts the authenticated caller in an in-process request.
CLIENT_SCOPE_KEY = "kyodo.client"

SCOPES: dict[str, str] = {
    "public:read": "Read public data (every key has it; anonymous callers too).",
    "registry:write": "Create and change the organisation's profile and resources.",
    "events:write": "Create and change events, volunteer calls and shifts; sign people up.",
    "matching:write": "Post local issues; propose, agree and review matches.",
    "webhooks:manage": "Manage webhook subscriptions and deliveries.",
    "metrics:read": "Scrape the Prometheus metrics.",
    "admin": "Everything, for every organisation, including API clients.",
}


class Unauthorized(ProblemError):
    """No API key, or an unknown one (401 with a Bearer challenge)."""

    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="kyodo"'})


class Forbidden(ProblemError):
    """The caller is known but may not do this (another organisation's record)."""

    status, slug, title = 403, "forbidden", "Forbidden"


class InsufficientScope(Forbidden):
    """The key lacks the scope an operation needs (RFC 6750 ``insufficient_scope``)."""

    def __init__(self, scope: str) -> None:
        super().__init__(
            f"This operation needs the `{scope}` scope; the API key does not have it.",
            headers={
                "WWW-Authenticate": f'Bearer realm="kyodo", error="insufficient_scope", '
                f'scope="{scope}"'
            },
        )


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

    def has_scope(self, scope: str) -> bool:
        """Whether the caller may use ``scope`` (admin implies every scope)."""
        return self.is_admin or scope in self.scopes


ANONYMOUS = Client(id="anonymous", scopes=frozenset({"public:read"}))
ADMIN = Client(id="admin", scopes=frozenset({"admin"}))

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`.")


def _settings_secret(app_state: object, attribute: str, resolve: str) -> str:
    value = getattr(app_state, attribute, None)
    if value is None:
        value = getattr(app_state.settings, resolve)()  # type: ignore[attr-defined]
        setattr(app_state, attribute, value)
    return str(value)


def _asserted_client(request: Request) -> Client | None:
    token = request.headers.get(ASSERTION_HEADER)
    if token is None:
        return None
    secret = _settings_secret(request.app.state, "internal_secret", "internal_secret_value")
    client = verify_assertion(token, secret, audience=request.app.state.service)
    if client is None:
        raise Unauthorized("The gateway's assertion of the caller is not valid.")
    return client


async def current_client(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Client:
    """The caller; a key that is present but unknown is refused, not ignored."""
    given = request.scope.get(CLIENT_SCOPE_KEY)
    if isinstance(given, Client):
        return given
    asserted = _asserted_client(request)
    if asserted is not None:
        request.scope[CLIENT_SCOPE_KEY] = asserted  # for the access log
        return asserted
    if request.headers.get("authorization") is None:
        return ANONYMOUS
    if credentials is None:
        raise Unauthorized("The Authorization header must be `Bearer <key>`.")
    admin_key = _settings_secret(request.app.state, "admin_key", "admin_key_value")
    if secrets.compare_digest(credentials.credentials.encode(), admin_key.encode()):
        return ADMIN
    raise Unauthorized("The API key is not valid.")


def require_scope(client: Client, scope: str) -> None:
    """401 for anonymous callers, 403 when the key lacks ``scope``."""
    if client.is_anonymous:
        raise Unauthorized("This operation needs an API key (Authorization: Bearer <key>).")
    if not client.has_scope(scope):
        raise InsufficientScope(scope)


async def scoped_client(
    security_scopes: SecurityScopes, client: Annotated[Client, Depends(current_client)]
) -> Client:
    """The caller of an operation declared with ``Security(scoped_client, scopes=[...])``:
    a key holding every scope named (the contract lists them)."""
    for scope in security_scopes.scopes:
        require_scope(client, scope)
    return client


async def writer_client(
    request: Request, client: Annotated[Client, Depends(current_client)]
) -> Client:
    """The caller of a write: a key with this service's ``<service>:write`` scope."""
    require_scope(client, f"{request.app.state.service}:write")
    return client


def acts_for(client: Client, organization_id: str) -> bool:
    """Whether ``client`` may act for (and see the private data of) the organisation."""
    return client.is_admin or organization_id in client.organization_ids


def require_acts_for(client: Client, organization_id: str, what: str) -> None:
    """403 unless ``client`` acts for the organisation that owns ``what``."""
    if not acts_for(client, organization_id):
        raise Forbidden(
            f"Only the organisation that owns {what} (or an administrator) may do this."
        )


# Headers by which a person (not a client) proves who they are, e.g. a sign-up's token.
PERSONAL_TOKEN_HEADERS = (b"x-signup-token",)


def _client_part(scope: Scope, secret: str | None, headers: dict[bytes, bytes]) -> str:
    given = scope.get(CLIENT_SCOPE_KEY)
    if isinstance(given, Client):
        return f"client:{given.id}"
    token = headers.get(ASSERTION_HEADER.encode())
    audience = getattr(getattr(scope.get("app"), "state", None), "service", None)
    if token is not None and secret is not None and audience is not None:
        asserted = verify_assertion(token.decode("latin-1"), secret, audience=audience)
        if asserted is not None:
            return f"client:{asserted.id}"
    key = headers.get(b"authorization")
    return f"key:{hashlib.sha256(key).hexdigest()}" if key else "client:anonymous"


def caller_identity(scope: Scope, secret: str | None) -> str | None:
    """A stable name (at most 64 characters) of the caller for per-caller bookkeeping
    (idempotency keys), or None when the caller cannot be told apart from others.

    The client's id when the gateway vouched for it (so every key of a client,
    rotated or not, shares it), else a digest of the Authorization header; a
    person's own token (``X-Signup-Token``) is part of it, so one person's stored
    answer is never replayed to another. Anonymous callers without such a token
    are all alike: None.
    """
    headers = dict(scope.get("headers", []))
    identity = _client_part(scope, secret, headers)
    personal = [headers[name] for name in PERSONAL_TOKEN_HEADERS if name in headers]
    if not personal and identity == "client:anonymous":
        return None
    if personal:
        identity += ":person:" + hashlib.sha256(b"\0".join(personal)).hexdigest()
    return identity if len(identity) <= 64 else hashlib.sha256(identity.encode()).hexdigest()


CurrentClient = Annotated[Client, Depends(current_client)]
WriterClient = Annotated[Client, Depends(writer_client)]
