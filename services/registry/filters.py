"""Query parameters of the registry's lists. Repeating a parameter means "any of"."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from services.common.identifiers import MunicipalityCode
from services.common.ids import ID_PATTERN
from services.common.pagination import MAX_FILTER_VALUES, ListQuery
from services.common.textfields import single_line
from services.common.timefmt import Timestamp
from services.common.vocabulary import ActivityField, OrganizationKind, ResourceType, Sector

__all__ = ["ChangesQuery", "OrganizationFilters", "ResourceFilters"]

Query200 = single_line(200)
Prefecture = Annotated[str, Field(pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$")]


class _CommonFilters(ListQuery):
    q: Query200 | None = Field(  # type: ignore[valid-type]
        None, description="Text search, Japanese-aware: 子供 finds 子ども, こども and ｺﾄﾞﾓ."
    )
    field: list[ActivityField] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Activity field (any of)."
    )
    kind: list[OrganizationKind] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Organisation kind (any of).",
    )
    sector: list[Sector] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Sector (any of)."
    )
    updated_since: Timestamp | None = Field(
        None, description="Only records changed at or after this time (RFC 3339 with offset)."
    )


class OrganizationFilters(_CommonFilters):
    """Filters of `GET /v1/organizations`."""

    municipality_code: list[MunicipalityCode] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Municipality (any of)."
    )
    prefecture_code: Prefecture | None = Field(None, description="Two-digit prefecture code.")
    corporate_number: Annotated[str, Field(pattern=r"^[0-9]{13}$")] | None = None
    certified: bool | None = Field(None, description="Only certified (認定) NPOs, or only others.")
    resource_type: list[ResourceType] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Organisations offering a resource of this type.",
    )


class ResourceFilters(_CommonFilters):
    """Filters of `GET /v1/resources` and `GET /v1/organizations/{id}/resources`."""

    type: list[ResourceType] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Resource type (any of)."
    )
    status: list[Literal["active", "paused", "retired"]] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Status (any of); all statuses when absent.",
    )
    municipality_code: list[MunicipalityCode] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Serves this municipality (any of).",
    )
    organization_id: Annotated[str, Field(pattern=ID_PATTERN)] | None = None
    deadline_from: date | None = Field(
        None, description="Funding whose application deadline is on or after this date."
    )
    deadline_to: date | None = Field(
        None, description="Funding whose application deadline is on or before this date."
    )


class ChangesQuery(ListQuery):
    """Parameters of the change feed."""

    type: list[Literal["organization", "resource"]] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Entity types to include (all when absent).",
    )
