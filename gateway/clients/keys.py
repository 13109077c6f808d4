"""API keys: made with a visible prefix, kept only as a digest.

A key is ``kyodo_<prefix>_<secret>``: the prefix (8 characters) is stored and
shown so people can tell keys apart in lists and logs; the secret (256 bits)
is never stored. Keys are random, not passwords, so one SHA-256 is the right
digest (a slow hash would only slow every request down), compared in
constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

__all__ = ["NewKey", "digest", "make_key", "prefix_of", "same_digest"]

_KEY = re.compile(r"^(kyodo_[a-z2-7]{8})_[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class NewKey:
    """A key just made: shown once, then only ``prefix`` and ``digest`` remain."""

    key: str
    prefix: str
    digest: str


def make_key() -> NewKey:
    """A fresh random key."""
    label = base64.b32encode(secrets.token_bytes(5)).decode().lower()
    key = f"kyodo_{label}_{secrets.token_urlsafe(32)}"
    return NewKey(key=key, prefix=f"kyodo_{label}", digest=digest(key))


def digest(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def prefix_of(key: str) -> str | None:
    """The visible prefix of a well-formed key, else None (never looked up)."""
    match = _KEY.match(key)
    return match.group(1) if match else None


def same_digest(stored: str, key: str) -> bool:
    """Whether ``key`` is the key ``stored`` was made from (constant time)."""
    return hmac.compare_digest(stored, digest(key))
