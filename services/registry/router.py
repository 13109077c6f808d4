"""Registry endpoints: parse, call the service, shape the response."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from services.common.auth import CurrentClient, WriterClient, require_acts_for
from services.common.db import SessionDep
from services.common.etags import IfMatchHeader, set_etag, tagged_or_not_modified
from services.common.openapi import problem_responses
from services.common.pagination import (
    Page,
    after_id,
    decode_cursor,
    encode_cursor,
    id_page,
    set_link_header,
)
from services.registry import csv_import, repository, service
from services.registry.deps import (
    AdminClient,
    LiveOrganization,
    LiveResource,
    OwnedOrganization,
    OwnedResource,
)
from services.registry.filters import ChangesQuery, OrganizationFilters, ResourceFilters
from services.registry.schemas import (
    ContactList,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
    ResourceCreate,
    ResourceForOrganizationCreate,
    ResourcePublic,
    ResourceUpdate,
)
from services.registry.schemas_feed import Change, ChangePage, ImportReport

__all__ = ["router"]

router = APIRouter(prefix="/v1")
ORGS: list[str | Enum] = ["organizations"]
RESOURCES: list[str | Enum] = ["resources"]
FEED: list[str | Enum] = ["registry"]
_READ_ONE = problem_responses(404, 410)
ORG_LISTING, RESOURCE_LISTING = "organizations", "resources"
_WRITE_OWNED = problem_responses(403, 404, 409, 410, 412, 428)


@router.post(
    "/organizations",
    tags=ORGS,
    status_code=201,
    response_model=OrganizationPublic,
    responses=problem_responses(403, 409),
)
def create_organization(
    client: AdminClient, data: OrganizationCreate, session: SessionDep, response: Response
) -> OrganizationPublic:
    """Register an organisation (団体の登録): administrators only (a client's key is bound
    to organisations that exist already). Accepts an `Idempotency-Key`."""
    org = service.create_organization(session=session, data=data)
    response.headers["Location"] = f"/v1/organizations/{org.id}"
    set_etag(response, org.version)
    return service.organization_public(org)


@router.get("/organizations", tags=ORGS, response_model=Page[OrganizationPublic])
def list_organizations(
    filters: Annotated[OrganizationFilters, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
) -> Page[OrganizationPublic]:
    """List organisations, filtered, in a stable order (cursor pagination)."""
    rows = repository.list_organizations(session, filters, after_id(filters.cursor, ORG_LISTING))
    page, next_cursor = id_page(request, response, rows, filters.limit, ORG_LISTING)
    return Page(items=[service.organization_public(org) for org in page], next_cursor=next_cursor)


@router.post(
    "/organizations/import",
    tags=ORGS,
    response_model=ImportReport,
    responses=problem_responses(403, 409, 415),
    openapi_extra=csv_import.OPENAPI_REQUEST_BODY,
)
async def import_organizations(
    client: AdminClient,
    request: Request,
    session: SessionDep,
    dry_run: Annotated[bool, Query(description="Validate only; write nothing.")] = False,
) -> ImportReport:
    """Import organisations from CSV (UTF-8 or CP932), administrators only. All rows or
    none: every bad row is reported and nothing of a failed file is written."""
    body = await request.body()
    # Parsing, tokenising and writing thousands of rows is blocking work: keep
    # it off the event loop, which serves every other request of the platform.
    return await run_in_threadpool(
        csv_import.import_organizations,
        session=session,
        body=body,
        content_type=request.headers.get("content-type", ""),
        dry_run=dry_run,
    )


@router.get(
    "/organizations/{organization_id}",
    tags=ORGS,
    response_model=OrganizationPublic,
    responses={**_READ_ONE, 304: {"description": "Not modified (If-None-Match)."}},
)
def get_organization(
    org: LiveOrganization, request: Request, response: Response
) -> OrganizationPublic | Response:
    """Read one organisation. Carries an `ETag`; `If-None-Match` answers 304."""
    return tagged_or_not_modified(request, response, org.version) or service.organization_public(
        org
    )


@router.patch(
    "/organizations/{organization_id}",
    tags=ORGS,
    response_model=OrganizationPublic,
    responses=_WRITE_OWNED,
)
def update_organization(
    client: CurrentClient,
    org: OwnedOrganization,
    data: OrganizationUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> OrganizationPublic:
    """Update some fields of an organisation (a key acting for it). Requires `If-Match`.
    `kind`, `municipality_code`, `corporate_number` and `certification` are changed by
    administrators only (403 otherwise): other organisations rely on them."""
    org = service.update_organization(
        session=session, org=org, data=data, if_match=if_match, actor=client
    )
    set_etag(response, org.version)
    return service.organization_public(org)


@router.delete(
    "/organizations/{organization_id}",
    tags=ORGS,
    status_code=204,
    responses=_WRITE_OWNED,
)
def delete_organization(
    org: OwnedOrganization,
    session: SessionDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Delete an organisation and its resources (kept as tombstones in the change feed)."""
    service.delete_organization(session=session, org=org, if_match=if_match)
    return Response(status_code=204)


@router.get(
    "/organizations/{organization_id}/contacts",
    tags=ORGS,
    response_model=ContactList,
    responses=problem_responses(401, 403, 404, 410),
)
def get_contacts(org: OwnedOrganization, response: Response) -> ContactList:
    """Read an organisation's contacts (personal data: a key acting for it only)."""
    set_etag(response, org.version)
    return ContactList.model_validate({"items": org.contacts})


@router.put(
    "/organizations/{organization_id}/contacts",
    tags=ORGS,
    response_model=ContactList,
    responses={**problem_responses(401), **_WRITE_OWNED},
)
def replace_contacts(
    org: OwnedOrganization,
    data: ContactList,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> ContactList:
    """Replace an organisation's contacts. Requires `If-Match` (the organisation's ETag)."""
    org = service.replace_contacts(session=session, org=org, contacts=data.items, if_match=if_match)
    set_etag(response, org.version)
    return ContactList.model_validate({"items": org.contacts})


@router.get(
    "/organizations/{organization_id}/resources",
    tags=RESOURCES,
    response_model=Page[ResourcePublic],
    responses=_READ_ONE,
)
def list_organization_resources(
    org: LiveOrganization,
    filters: Annotated[ResourceFilters, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
) -> Page[ResourcePublic]:
    """List the resources one organisation offers."""
    filters = filters.model_copy(update={"organization_id": org.id})
    return _resource_page(session, filters, request, response)


@router.post(
    "/organizations/{organization_id}/resources",
    tags=RESOURCES,
    status_code=201,
    response_model=ResourcePublic,
    responses=problem_responses(403, 404, 410),
)
def create_organization_resource(
    org: OwnedOrganization,
    data: ResourceForOrganizationCreate,
    session: SessionDep,
    response: Response,
) -> ResourcePublic:
    """Offer a resource (シーズ) on behalf of an organisation. Accepts an `Idempotency-Key`."""
    return _created_resource(session, org, data, response)


@router.post(
    "/resources",
    tags=RESOURCES,
    status_code=201,
    response_model=ResourcePublic,
    responses=problem_responses(403, 404, 410),
)
def create_resource(
    client: WriterClient, data: ResourceCreate, session: SessionDep, response: Response
) -> ResourcePublic:
    """Offer a resource, naming its organisation in the body (a key acting for it).
    Accepts an `Idempotency-Key`."""
    require_acts_for(client, data.organization_id, "the organisation")
    org = service.live_organization(session, data.organization_id)
    return _created_resource(session, org, data, response)


def _created_resource(
    session: SessionDep,
    org: LiveOrganization,
    data: ResourceForOrganizationCreate,
    response: Response,
) -> ResourcePublic:
    resource = service.create_resource(session=session, owner=org, data=data)
    response.headers["Location"] = f"/v1/resources/{resource.id}"
    set_etag(response, resource.version)
    return service.resources_public(session, [resource])[0]


@router.get("/resources", tags=RESOURCES, response_model=Page[ResourcePublic])
def list_resources(
    filters: Annotated[ResourceFilters, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
) -> Page[ResourcePublic]:
    """List resources, filtered (type, field, area, owner's kind or sector, deadline, text)."""
    return _resource_page(session, filters, request, response)


def _resource_page(
    session: SessionDep, filters: ResourceFilters, request: Request, response: Response
) -> Page[ResourcePublic]:
    rows = repository.list_resources(session, filters, after_id(filters.cursor, RESOURCE_LISTING))
    page, next_cursor = id_page(request, response, rows, filters.limit, RESOURCE_LISTING)
    return Page(items=service.resources_public(session, page), next_cursor=next_cursor)


@router.get(
    "/resources/{resource_id}",
    tags=RESOURCES,
    response_model=ResourcePublic,
    responses={**_READ_ONE, 304: {"description": "Not modified (If-None-Match)."}},
)
def get_resource(
    resource: LiveResource, session: SessionDep, request: Request, response: Response
) -> ResourcePublic | Response:
    """Read one resource. Carries an `ETag`; `If-None-Match` answers 304."""
    cached = tagged_or_not_modified(request, response, resource.version)
    return cached or service.resources_public(session, [resource])[0]


@router.patch(
    "/resources/{resource_id}",
    tags=RESOURCES,
    response_model=ResourcePublic,
    responses=_WRITE_OWNED,
)
def update_resource(
    resource: OwnedResource,
    data: ResourceUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> ResourcePublic:
    """Update some fields of a resource. Requires `If-Match`."""
    resource = service.update_resource(
        session=session, resource=resource, data=data, if_match=if_match
    )
    set_etag(response, resource.version)
    return service.resources_public(session, [resource])[0]


@router.delete("/resources/{resource_id}", tags=RESOURCES, status_code=204, responses=_WRITE_OWNED)
def delete_resource(
    resource: OwnedResource,
    session: SessionDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Delete a resource (kept as a tombstone in the change feed)."""
    service.delete_resource(session=session, resource=resource, if_match=if_match)
    return Response(status_code=204)


@router.get("/registry/changes", tags=FEED, response_model=ChangePage)
def list_changes(
    query: Annotated[ChangesQuery, Query()],
    session: SessionDep,
    request: Request,
    response: Response,
    client: CurrentClient,
) -> ChangePage:
    """Every change to organisations and resources, in order, deletions included.

    Start without a cursor to rebuild from the beginning; keep the returned
    `next_cursor` and poll with it for what changed since. It is returned even
    on the last page, so polling never loses its place."""
    after = decode_cursor(query.cursor, {"seq": int})["seq"] if query.cursor else 0
    rows = repository.changes_after(session, after, query.type, query.limit)
    page = rows[: query.limit]
    items = [Change.of(row) for row in page]
    last = page[-1].seq if page else after
    next_cursor = encode_cursor({"seq": last})
    if len(rows) > query.limit:
        set_link_header(request, response, next_cursor)
    return ChangePage(items=items, next_cursor=next_cursor, has_more=len(rows) > query.limit)
