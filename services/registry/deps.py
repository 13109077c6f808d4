"""Annotated dependencies of the registry's endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from services.common.db import SessionDep
from services.common.ids import ID_PATTERN
from services.registry import service
from services.registry.models import Organization, Resource

__all__ = ["LiveOrganization", "LiveResource", "OrganizationId", "ResourceId"]

OrganizationId = Annotated[
    str, Path(pattern=ID_PATTERN, description="The organisation's id (UUID).")
]
ResourceId = Annotated[str, Path(pattern=ID_PATTERN, description="The resource's id (UUID).")]


def live_organization(session: SessionDep, organization_id: OrganizationId) -> Organization:
    return service.live_organization(session, organization_id)


def live_resource(session: SessionDep, resource_id: ResourceId) -> Resource:
    return service.live_resource(session, resource_id)


LiveOrganization = Annotated[Organization, Depends(live_organization)]
LiveResource = Annotated[Resource, Depends(live_resource)]
