"""Annotated dependencies of the registry's endpoints.

Who may do what: reads of the public profile are open; creating organisations
is for administrators (a client's key is bound to organisations that already
exist); an organisation's keys change it, its resources and its contacts
(``Owned*``), others get 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Security

from services.common.auth import Client, WriterClient, require_acts_for, scoped_client
from services.common.db import SessionDep
from services.common.ids import ID_PATTERN
from services.registry import service
from services.registry.models import Organization, Resource

__all__ = [
    "AdminClient",
    "LiveOrganization",
    "LiveResource",
    "OrganizationId",
    "OwnedOrganization",
    "OwnedResource",
    "ResourceId",
]

OrganizationId = Annotated[
    str, Path(pattern=ID_PATTERN, description="The organisation's id (UUID).")
]
ResourceId = Annotated[str, Path(pattern=ID_PATTERN, description="The resource's id (UUID).")]


def live_organization(session: SessionDep, organization_id: OrganizationId) -> Organization:
    return service.live_organization(session, organization_id)


def live_resource(session: SessionDep, resource_id: ResourceId) -> Resource:
    return service.live_resource(session, resource_id)


def owned_organization(
    client: WriterClient, session: SessionDep, organization_id: OrganizationId
) -> Organization:
    """An organisation as its own keys change it (or read its contacts); 403 for others."""
    org = service.live_organization(session, organization_id)
    require_acts_for(client, org.id, "this organisation")
    return org


def owned_resource(client: WriterClient, session: SessionDep, resource_id: ResourceId) -> Resource:
    """A resource as its organisation's keys change it; 403 for others."""
    resource = service.live_resource(session, resource_id)
    require_acts_for(client, resource.organization_id, "this resource")
    return resource


AdminClient = Annotated[Client, Security(scoped_client, scopes=["admin"])]
LiveOrganization = Annotated[Organization, Depends(live_organization)]
LiveResource = Annotated[Resource, Depends(live_resource)]
OwnedOrganization = Annotated[Organization, Depends(owned_organization)]
OwnedResource = Annotated[Resource, Depends(owned_resource)]
