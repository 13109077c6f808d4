"""API clients: the rules and the transactions (create, change, revoke, rotate keys)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from gateway.clients.keys import NewKey, make_key
from gateway.clients.models import (
    ApiClient,
    ApiKey,
    ClientCreate,
    ClientPublic,
    ClientUpdate,
    KeyPublic,
)
from services.common.db import lock_row
from services.common.etags import check_if_match
from services.common.ids import new_id
from services.common.problems import Conflict, NotFound
from services.common.timefmt import utcnow
from services.common.versioned import bump, commit_or_conflict

__all__ = [
    "client_public",
    "create_client",
    "existing_client",
    "find_key",
    "key_public",
    "keys_of",
    "list_clients",
    "revoke_client",
    "revoke_key",
    "rotate_key",
    "update_client",
]


class ClientRevoked(Conflict):
    """A revoked client cannot be changed or given keys."""


def key_is_active(key: ApiKey, now: datetime) -> bool:
    """Whether a key still opens the door."""
    return key.revoked_at is None and (key.expires_at is None or key.expires_at > now)


def key_public(key: ApiKey, now: datetime | None = None) -> KeyPublic:
    """A key's public shape (never the key itself)."""
    return KeyPublic(
        id=key.id,
        prefix=key.prefix,
        created_at=key.created_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
        active=key_is_active(key, now or utcnow()),
    )


def client_public(client: ApiClient, keys: Sequence[ApiKey]) -> ClientPublic:
    """A client's public shape, with its keys."""
    now = utcnow()
    return ClientPublic(
        **client.model_dump(exclude={"scopes", "organization_ids"}),
        scopes=list(client.scopes),
        organization_ids=list(client.organization_ids),
        keys=[key_public(key, now) for key in keys],
    )


def keys_of(session: Session, client_id: str) -> list[ApiKey]:
    """A client's keys, newest first."""
    query = select(ApiKey).where(ApiKey.client_id == client_id)
    return list(session.exec(query.order_by(col(ApiKey.created_at).desc(), col(ApiKey.id).desc())))


def existing_client(session: Session, client_id: str) -> ApiClient:
    """The client, or a 404 problem."""
    client = session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(f"API client {client_id} does not exist.")
    return client


def list_clients(
    session: Session,
    *,
    after: str | None,
    limit: int,
    organization_id: str | None,
    include_revoked: bool,
) -> list[ApiClient]:
    """Clients in id order, ``limit + 1`` of them (the extra one says a page follows)."""
    query = select(ApiClient).order_by(col(ApiClient.id))
    if after is not None:
        query = query.where(col(ApiClient.id) > after)
    if not include_revoked:
        query = query.where(col(ApiClient.revoked_at).is_(None))
    rows = session.exec(query).all() if organization_id else session.exec(query.limit(limit + 1))
    if organization_id:  # few clients per platform: filter the JSON list here, portably
        rows = [row for row in rows if organization_id in row.organization_ids][: limit + 1]
    return list(rows)


def _new_key(session: Session, client_id: str, now: datetime) -> tuple[ApiKey, NewKey]:
    made = make_key()
    key = ApiKey(
        id=new_id(), client_id=client_id, prefix=made.prefix, digest=made.digest, created_at=now
    )
    session.add(key)
    return key, made


def create_client(
    *, session: Session, data: ClientCreate, default_rate_limit: int
) -> tuple[ApiClient, ApiKey, NewKey]:
    """Register a client and make its first key."""
    now = utcnow()
    client = ApiClient(
        id=new_id(),
        name=data.name,
        scopes=list(data.scopes),
        organization_ids=list(data.organization_ids),
        rate_limit_per_minute=data.rate_limit_per_minute or default_rate_limit,
        created_at=now,
        updated_at=now,
    )
    session.add(client)
    session.flush()
    key, made = _new_key(session, client.id, now)
    commit_or_conflict(session)
    return client, key, made


def _lock_unrevoked(
    session: Session, client: ApiClient, if_match: str | None, *, precondition: bool = True
) -> None:
    lock_row(session, client)
    if client.revoked_at is not None:
        raise ClientRevoked(f"API client {client.id} was revoked.")
    if precondition:
        check_if_match(if_match, client.version)


def update_client(
    *, session: Session, client: ApiClient, data: ClientUpdate, if_match: str | None
) -> ApiClient:
    """Change what the client may do; its keys stay valid."""
    _lock_unrevoked(session, client, if_match)
    for name, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(client, name, list(value) if isinstance(value, list) else value)
    bump(client)
    commit_or_conflict(session)
    return client


def revoke_client(*, session: Session, client: ApiClient, if_match: str | None) -> None:
    """Revoke the client and every key of it, at once."""
    _lock_unrevoked(session, client, if_match)
    now = utcnow()
    client.revoked_at = now
    bump(client, now)
    for key in keys_of(session, client.id):
        if key.revoked_at is None:
            key.revoked_at = now
    commit_or_conflict(session)


def rotate_key(
    *, session: Session, client: ApiClient, grace_period_seconds: int
) -> tuple[ApiKey, NewKey]:
    """A new key; the client's current keys stop working after the grace period."""
    _lock_unrevoked(session, client, None, precondition=False)  # a new key changes no field
    now = utcnow()
    ends = now + timedelta(seconds=grace_period_seconds)
    for key in keys_of(session, client.id):
        if not key_is_active(key, now):
            continue
        if grace_period_seconds == 0:
            key.revoked_at = now
        else:
            key.expires_at = min(key.expires_at or ends, ends)
    key, made = _new_key(session, client.id, now)
    bump(client, now)
    commit_or_conflict(session)
    return key, made


def revoke_key(*, session: Session, client: ApiClient, key_id: str) -> ApiKey:
    """Revoke one key of the client at once."""
    lock_row(session, client)
    key = session.get(ApiKey, key_id)
    if key is None or key.client_id != client.id:
        raise NotFound(f"API client {client.id} has no key {key_id}.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        bump(client)
        commit_or_conflict(session)
    return key


def find_key(session: Session, prefix: str) -> tuple[ApiKey, ApiClient] | None:
    """The key with ``prefix`` and its client, if any."""
    row = session.exec(
        select(ApiKey, ApiClient)
        .join(ApiClient, col(ApiClient.id) == col(ApiKey.client_id))
        .where(ApiKey.prefix == prefix)
    ).first()
    return (row[0], row[1]) if row else None
