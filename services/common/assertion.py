"""The gateway's word on who is calling, carried over HTTP to a service.

In the distributed mode the gateway authenticates the API key and forwards
``Kyodo-Client-Assertion: <payload>.<signature>``: the client's id, scopes
and organisations, the service it is meant for and an expiry, signed with
HMAC-SHA256 under the secret the gateway and the services share
(``KYODO_INTERNAL_SECRET``). A service believes nothing else a request says
about its caller, and the key itself never travels past the gateway.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.common.auth import Client

__all__ = ["ASSERTION_HEADER", "ASSERTION_TTL_SECONDS", "sign_assertion", "verify_assertion"]

ASSERTION_HEADER = "kyodo-client-assertion"
# Long enough for a slow upstream hop, short enough that a leaked header is soon useless.
ASSERTION_TTL_SECONDS = 30
_MAX_LENGTH = 16_384


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode("ascii"), hashlib.sha256).digest())


def sign_assertion(client: Client, secret: str, *, audience: str, now: float | None = None) -> str:
    """The header value asserting ``client`` to the service ``audience`` (it is worth
    nothing to another service) until ``ASSERTION_TTL_SECONDS`` from now."""
    claims = {
        "aud": audience,
        "sub": client.id,
        "scp": sorted(client.scopes),
        "org": sorted(client.organization_ids),
        "exp": int((now if now is not None else time.time()) + ASSERTION_TTL_SECONDS),
    }
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, payload)}"


def verify_assertion(
    token: str, secret: str, *, audience: str, now: float | None = None
) -> Client | None:
    """The asserted client, or None when the value is forged, malformed, expired or
    meant for another service."""
    from services.common.auth import Client

    if len(token) > _MAX_LENGTH or not token.isascii() or token.count(".") != 1:
        return None
    payload, signature = token.split(".")
    if not hmac.compare_digest(signature, _mac(secret, payload)):
        return None
    try:
        claims = json.loads(_unb64(payload))
        expires = int(claims["exp"])
        if claims["aud"] != audience:
            return None
        client = Client(
            id=str(claims["sub"]),
            scopes=frozenset(str(s) for s in claims["scp"]),
            organization_ids=frozenset(str(o) for o in claims["org"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    if expires < (now if now is not None else time.time()):
        return None
    return client
