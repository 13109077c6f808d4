"""API clients (`/v1/admin/clients`) and the caller's own view (`/v1/me`)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, Security
from sqlmodel import Session

from gateway.clients import service
from gateway.clients.models import (
    ApiClient,
    Caller,
    ClientCreate,
    ClientCreated,
    ClientPublic,
    ClientUpdate,
    KeyCreated,
    KeyPublic,
    KeyRotation,
)
from services.common.auth import Client, CurrentClient, scoped_client
from services.common.db import SessionDep
from services.common.etags import IfMatchHeader, set_etag, tagged_or_not_modified
from services.common.ids import ID_PATTERN
from services.common.openapi import problem_responses
from services.common.pagination import ListQuery, Page, after_id, id_page
from services.common.problems import require_known

__all__ = ["router"]

router = APIRouter(prefix="/v1")
CLIENTS: list[str | Enum] = ["api-clients"]
ME: list[str | Enum] = ["authentication"]
LISTING = "api-clients"
ClientId = Annotated[str, Path(pattern=ID_PATTERN, description="The API client's id.")]
KeyId = Annotated[str, Path(pattern=ID_PATTERN, description="The key's id.")]


AdminClient = Annotated[Client, Security(scoped_client, scopes=["admin"])]


def _existing(session: SessionDep, client_id: ClientId) -> ApiClient:
    return service.existing_client(session, client_id)


ExistingClient = Annotated[ApiClient, Depends(_existing)]


class ClientFilters(ListQuery):
    organization_id: str | None = Query(
        None, pattern=ID_PATTERN, description="Only clients bound to this organisation."
    )
    include_revoked: bool = Query(False, description="Also list revoked clients.")


async def _check_organizations(request: Request, ids: list[str] | None) -> None:
    if ids:
        known = await request.app.state.directory.known(ids)
        require_known(ids, known, "organization_ids", "organization")


def _changed(request: Request) -> None:
    """This process forgets cached keys at once; others within the cache lifetime."""
    request.app.state.key_store.forget()


def _public(session: Session, client: ApiClient) -> ClientPublic:
    return service.client_public(client, service.keys_of(session, client.id))


@router.post(
    "/admin/clients",
    tags=CLIENTS,
    status_code=201,
    response_model=ClientCreated,
    responses=problem_responses(403, 503),
)
async def create_client(
    request: Request,
    _admin: AdminClient,
    data: ClientCreate,
    session: SessionDep,
    response: Response,
) -> ClientCreated:
    """Create an API client bound to organisations, with scopes; the answer holds its key,
    shown this once (store it now: only a digest is kept)."""
    await _check_organizations(request, data.organization_ids)
    default = request.app.state.gateway_settings.default_rate_limit_per_minute
    client, _key, made = service.create_client(
        session=session, data=data, default_rate_limit=default
    )
    response.headers["Location"] = f"/v1/admin/clients/{client.id}"
    response.headers["Cache-Control"] = "no-store"
    set_etag(response, client.version)
    return ClientCreated(
        **_public(session, client).model_dump(), key=made.key, key_prefix=made.prefix
    )


@router.get(
    "/admin/clients",
    tags=CLIENTS,
    response_model=Page[ClientPublic],
    responses=problem_responses(403),
)
def list_clients(
    request: Request,
    _admin: AdminClient,
    filters: Annotated[ClientFilters, Query()],
    session: SessionDep,
    response: Response,
) -> Page[ClientPublic]:
    """List API clients in creation order (revoked ones only when asked)."""
    rows = service.list_clients(
        session,
        after=after_id(filters.cursor, LISTING),
        limit=filters.limit,
        organization_id=filters.organization_id,
        include_revoked=filters.include_revoked,
    )
    page, next_cursor = id_page(request, response, rows, filters.limit, LISTING)
    return Page(items=[_public(session, c) for c in page], next_cursor=next_cursor)


@router.get(
    "/admin/clients/{client_id}",
    tags=CLIENTS,
    response_model=ClientPublic,
    responses=problem_responses(403, 404),
)
def get_client(
    request: Request,
    _admin: AdminClient,
    client: ExistingClient,
    session: SessionDep,
    response: Response,
) -> ClientPublic | Response:
    """Read an API client and its keys (prefixes only)."""
    not_modified = tagged_or_not_modified(request, response, client.version)
    return not_modified or _public(session, client)


@router.patch(
    "/admin/clients/{client_id}",
    tags=CLIENTS,
    response_model=ClientPublic,
    responses=problem_responses(403, 404, 409, 412, 428, 503),
)
async def update_client(
    request: Request,
    _admin: AdminClient,
    client: ExistingClient,
    data: ClientUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> ClientPublic:
    """Change a client's name, organisations, scopes or rate limit (needs `If-Match`);
    its keys keep working with the new rights."""
    await _check_organizations(request, data.organization_ids)
    service.update_client(session=session, client=client, data=data, if_match=if_match)
    _changed(request)
    set_etag(response, client.version)
    return _public(session, client)


@router.delete(
    "/admin/clients/{client_id}",
    tags=CLIENTS,
    status_code=204,
    responses=problem_responses(403, 404, 409, 412, 428),
)
def revoke_client(
    request: Request,
    _admin: AdminClient,
    client: ExistingClient,
    session: SessionDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Revoke a client and all its keys at once (needs `If-Match`); it stays listed with
    `include_revoked=true`."""
    service.revoke_client(session=session, client=client, if_match=if_match)
    _changed(request)
    return Response(status_code=204)


@router.get(
    "/admin/clients/{client_id}/keys",
    tags=CLIENTS,
    response_model=list[KeyPublic],
    responses=problem_responses(403, 404),
)
def list_keys(_admin: AdminClient, client: ExistingClient, session: SessionDep) -> list[KeyPublic]:
    """A client's keys, newest first (prefixes and lifetimes, never the keys)."""
    return [service.key_public(key) for key in service.keys_of(session, client.id)]


@router.post(
    "/admin/clients/{client_id}/keys",
    tags=CLIENTS,
    status_code=201,
    response_model=KeyCreated,
    responses=problem_responses(403, 404, 409),
)
def rotate_key(
    request: Request,
    _admin: AdminClient,
    client: ExistingClient,
    data: KeyRotation,
    session: SessionDep,
    response: Response,
) -> KeyCreated:
    """Rotate: a new key (shown once); the client's current keys keep working for
    `grace_period_seconds`, then stop."""
    key, made = service.rotate_key(
        session=session, client=client, grace_period_seconds=data.grace_period_seconds
    )
    _changed(request)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Location"] = f"/v1/admin/clients/{client.id}/keys"
    return KeyCreated(**service.key_public(key).model_dump(), key=made.key)


@router.delete(
    "/admin/clients/{client_id}/keys/{key_id}",
    tags=CLIENTS,
    status_code=204,
    responses=problem_responses(403, 404),
)
def revoke_key(
    request: Request,
    _admin: AdminClient,
    client: ExistingClient,
    key_id: KeyId,
    session: SessionDep,
) -> Response:
    """Revoke one key at once (the client's other keys keep working)."""
    service.revoke_key(session=session, client=client, key_id=key_id)
    _changed(request)
    return Response(status_code=204)


@router.get("/me", tags=ME, response_model=Caller)
def who_am_i(request: Request, client: CurrentClient) -> Caller:
    """Who the API key belongs to: its client, scopes, organisations and rate limit
    (anonymous callers see the anonymous limit)."""
    caller = request.scope.get("kyodo.caller")
    return Caller(
        client_id=client.id,
        name=getattr(caller, "name", client.id),
        scopes=sorted(client.scopes),
        organization_ids=sorted(client.organization_ids),
        rate_limit_per_minute=getattr(caller, "rate_limit_per_minute", 0),
        key_prefix=getattr(caller, "key_prefix", None),
    )
