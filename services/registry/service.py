"""Registry rules and transactions. Each write commits once, with its outbox event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from services.common import outbox
from services.common.auth import Client, Forbidden
from services.common.db import lock_live
from services.common.etags import check_if_match
from services.common.ids import new_id
from services.common.jptext import index_text
from services.common.partial import revalidate_merged
from services.common.problems import Conflict, FieldError, Gone, NotFound, ProblemError
from services.common.timefmt import utcnow
from services.common.versioned import bump, commit_or_conflict
from services.common.vocabulary import sector_of
from services.registry import repository
from services.registry.models import Organization, Resource
from services.registry.schemas import (
    Contact,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
    ResourceForOrganizationCreate,
    ResourcePublic,
    ResourceUpdate,
)

__all__ = [
    "CorporateNumberTaken",
    "add_organization",
    "create_organization",
    "create_organizations",
    "create_resource",
    "delete_organization",
    "delete_resource",
    "live_organization",
    "live_resource",
    "organization_public",
    "replace_contacts",
    "resources_public",
    "update_organization",
    "update_resource",
]

_ORG_WRITABLE = set(OrganizationCreate.model_fields) - {"contacts"}
_RESOURCE_WRITABLE = set(ResourceForOrganizationCreate.model_fields)
_DATE_COLUMNS = {"established_on"}


class CorporateNumberTaken(Conflict):
    slug = "corporate-number-taken"

    def __init__(self, corporate_number: str) -> None:
        super().__init__(
            f"Another organisation is registered with corporate number {corporate_number}.",
            errors=[
                FieldError(
                    field="body.corporate_number",
                    message="already registered",
                    code="duplicate",
                )
            ],
        )


def _taken(corporate_number: str | None) -> Callable[[], ProblemError] | None:
    """The conflict a unique-constraint failure means when a corporate number was written."""
    if not corporate_number:
        return None
    return lambda: CorporateNumberTaken(corporate_number)


def organization_public(org: Organization) -> OrganizationPublic:
    """The public view of an organisation."""
    return OrganizationPublic.model_validate(
        {**org.model_dump(), "prefecture_code": org.municipality_code[:2]}
    )


def _resource_public(resource: Resource, owner: Organization) -> ResourcePublic:
    return ResourcePublic.model_validate(
        {
            **resource.model_dump(),
            "organization_name": owner.name,
            "organization_kind": owner.kind,
            "sector": owner.sector,
        }
    )


def resources_public(session: Session, resources: Sequence[Resource]) -> list[ResourcePublic]:
    """Public views of resources, with their owners' names, in one query."""
    owners = repository.get_organizations(session, [r.organization_id for r in resources])
    return [_resource_public(r, owners[r.organization_id]) for r in resources]


def live_organization(session: Session, organization_id: str) -> Organization:
    """The organisation, or 404 (never existed) / 410 (deleted)."""
    org = repository.get_organization(session, organization_id)
    if org is None:
        raise NotFound(f"Organisation {organization_id} does not exist.")
    if org.deleted_at is not None:
        raise Gone(f"Organisation {organization_id} was deleted.")
    return org


def live_resource(session: Session, resource_id: str) -> Resource:
    """The resource, or 404 (never existed) / 410 (deleted)."""
    resource = repository.get_resource(session, resource_id)
    if resource is None:
        raise NotFound(f"Resource {resource_id} does not exist.")
    if resource.deleted_at is not None:
        raise Gone(f"Resource {resource_id} was deleted.")
    return resource


def _org_columns(data: BaseModel, fields: set[str]) -> dict[str, Any]:
    values = data.model_dump(mode="json", include=fields)
    for name in _DATE_COLUMNS & values.keys():
        if values[name] is not None:
            values[name] = date.fromisoformat(values[name])
    if "kind" in values:
        values["sector"] = sector_of(values["kind"])
    return values


def _org_search_text(org: Organization) -> str:
    return index_text(org.name, org.name_kana, org.description, org.address)


def _record_org(session: Session, org: Organization, action: str) -> None:
    payload = None if action == "deleted" else organization_public(org).model_dump(mode="json")
    outbox.record(
        session,
        entity="organization",
        action=action,
        entity_id=org.id,
        version=org.version,
        payload=payload,
    )


def create_organization(*, session: Session, data: OrganizationCreate) -> Organization:
    """Register an organisation."""
    if data.corporate_number and repository.corporate_number_taken(session, data.corporate_number):
        raise CorporateNumberTaken(data.corporate_number)
    org = add_organization(session=session, data=data)
    commit_or_conflict(session, _taken(data.corporate_number))
    return org


def create_organizations(*, session: Session, items: Sequence[OrganizationCreate]) -> list[str]:
    """Register many organisations in one transaction (all or none)."""
    ids = [add_organization(session=session, data=data).id for data in items]
    commit_or_conflict(session)
    return ids


def add_organization(*, session: Session, data: OrganizationCreate) -> Organization:
    """Add an organisation and its event to the session, without committing."""
    now = utcnow()
    org = Organization(
        id=new_id(),
        **_org_columns(data, _ORG_WRITABLE),
        contacts=[c.model_dump(mode="json") for c in data.contacts],
        created_at=now,
        updated_at=now,
    )
    org.search_text = _org_search_text(org)
    session.add(org)
    _record_org(session, org, "created")
    return org


# What an organisation is, as others rely on it (a government body sets its municipality's
# points rules; 認定 status and the corporate number are vouched for): only an
# administrator changes these, never the organisation's own key.
ATTESTED_FIELDS = frozenset({"kind", "municipality_code", "corporate_number", "certification"})


def update_organization(
    *,
    session: Session,
    org: Organization,
    data: OrganizationUpdate,
    if_match: str | None,
    actor: Client,
) -> Organization:
    """Apply a partial update, checking the version and the merged state."""
    attested = sorted(ATTESTED_FIELDS & data.model_fields_set)
    if attested and not actor.is_admin:
        raise Forbidden(
            f"Only an administrator changes {', '.join(attested)}: other organisations "
            "rely on them."
        )
    lock_live(session, org, "Organisation")
    check_if_match(if_match, org.version)
    patch = data.model_dump(mode="json", exclude_unset=True)
    current = organization_public(org).model_dump(mode="json", include=_ORG_WRITABLE)
    merged = revalidate_merged(OrganizationCreate, {**current, **patch})
    number = patch.get("corporate_number")
    if number and repository.corporate_number_taken(session, number, except_id=org.id):
        raise CorporateNumberTaken(number)
    for name, value in _org_columns(merged, set(patch)).items():
        setattr(org, name, value)
    org.search_text = _org_search_text(org)
    bump(org)
    _record_org(session, org, "updated")
    commit_or_conflict(session, _taken(number))
    return org


def replace_contacts(
    *, session: Session, org: Organization, contacts: list[Contact], if_match: str | None
) -> Organization:
    """Replace an organisation's contacts (a new version; the event carries no contacts)."""
    lock_live(session, org, "Organisation")
    check_if_match(if_match, org.version)
    org.contacts = [c.model_dump(mode="json") for c in contacts]
    bump(org)
    _record_org(session, org, "updated")
    commit_or_conflict(session)
    return org


def delete_organization(*, session: Session, org: Organization, if_match: str | None) -> None:
    """Soft-delete an organisation and its resources, leaving tombstones in the feed."""
    lock_live(session, org, "Organisation")
    check_if_match(if_match, org.version)
    now = utcnow()
    for resource in repository.live_resources_of(session, org.id):
        resource.deleted_at = now
        bump(resource, now)
        _record_resource(session, resource, org, "deleted")
    org.deleted_at = now
    bump(org, now)
    _record_org(session, org, "deleted")
    commit_or_conflict(session)


def _resource_columns(data: BaseModel, fields: set[str]) -> dict[str, Any]:
    values = data.model_dump(mode="json", include=fields)
    if "funding" in values or "type" in values:
        funding = values.get("funding")
        deadline = (funding or {}).get("application_deadline")
        values["application_deadline"] = date.fromisoformat(deadline) if deadline else None
    return values


def _resource_search_text(resource: Resource) -> str:
    return index_text(resource.title, resource.description, resource.conditions)


def _record_resource(
    session: Session, resource: Resource, owner: Organization, action: str
) -> None:
    payload = (
        None if action == "deleted" else _resource_public(resource, owner).model_dump(mode="json")
    )
    outbox.record(
        session,
        entity="resource",
        action=action,
        entity_id=resource.id,
        version=resource.version,
        payload=payload,
    )


def create_resource(
    *, session: Session, owner: Organization, data: ResourceForOrganizationCreate
) -> Resource:
    """Add a resource to a live organisation."""
    lock_live(session, owner, "Organisation")  # a concurrent delete waits, or we see it
    now = utcnow()
    resource = Resource(
        id=new_id(),
        organization_id=owner.id,
        **_resource_columns(data, _RESOURCE_WRITABLE),
        created_at=now,
        updated_at=now,
    )
    resource.search_text = _resource_search_text(resource)
    session.add(resource)
    _record_resource(session, resource, owner, "created")
    commit_or_conflict(session)
    return resource


def update_resource(
    *, session: Session, resource: Resource, data: ResourceUpdate, if_match: str | None
) -> Resource:
    """Apply a partial update to a resource."""
    lock_live(session, resource, "Resource")
    check_if_match(if_match, resource.version)
    owner = live_organization(session, resource.organization_id)
    patch = data.model_dump(mode="json", exclude_unset=True)
    current = _resource_public(resource, owner).model_dump(mode="json", include=_RESOURCE_WRITABLE)
    merged = revalidate_merged(ResourceForOrganizationCreate, {**current, **patch})
    fields = set(patch) | ({"funding"} if "type" in patch else set())
    for name, value in _resource_columns(merged, fields).items():
        setattr(resource, name, value)
    resource.search_text = _resource_search_text(resource)
    bump(resource)
    _record_resource(session, resource, owner, "updated")
    commit_or_conflict(session)
    return resource


def delete_resource(*, session: Session, resource: Resource, if_match: str | None) -> None:
    """Soft-delete a resource, leaving a tombstone in the feed."""
    lock_live(session, resource, "Resource")
    check_if_match(if_match, resource.version)
    owner = repository.get_organization(session, resource.organization_id)
    assert owner is not None
    resource.deleted_at = utcnow()
    bump(resource, resource.deleted_at)
    _record_resource(session, resource, owner, "deleted")
    commit_or_conflict(session)
