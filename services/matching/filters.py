"""Query parameters of the matching service. Repeating a parameter means "any of"."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.fieldtypes import Id
from services.common.identifiers import MunicipalityCode
from services.common.pagination import MAX_FILTER_VALUES, ListQuery
from services.common.textfields import single_line
from services.common.timefmt import Timestamp
from services.common.vocabulary import ActivityField, CollaborationForm, ResourceType, Sector
from services.matching.schemas import IssueStatus

__all__ = ["CandidateQuery", "CoalitionQuery", "IssueFilters", "OpportunityQuery"]

Prefecture = Annotated[str, Field(pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$")]


class IssueFilters(ListQuery):
    """Filters of `GET /v1/issues`."""

    q: single_line(200) | None = Field(  # type: ignore[valid-type]
        None, description="Text search, Japanese-aware: 子供 finds 子ども, こども and ｺﾄﾞﾓ."
    )
    status: list[IssueStatus] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Status (any of). Default: open and matched. Drafts need a key.",
    )
    field: list[ActivityField] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Activity field (any of)."
    )
    needed_resource_type: list[ResourceType] = Field(  # type: ignore[valid-type]
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Issues needing a resource of this type (any of).",
    )
    collaboration_form: list[CollaborationForm] = Field(  # type: ignore[valid-type]
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Issues open to this collaboration form (any of).",
    )
    municipality_code: list[MunicipalityCode] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Municipality (any of)."
    )
    prefecture_code: Prefecture | None = Field(None, description="Two-digit prefecture code.")
    origin: Literal["government_proposed", "citizen_proposed"] | None = None
    organization_id: Id | None = Field(None, description="Issues posted by this organisation.")
    updated_since: Timestamp | None = Field(
        None, description="Only issues changed at or after this time (RFC 3339 with offset)."
    )


class _RankingQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(10, ge=1, le=100, description="How many to return (1–100).")


class CandidateQuery(_RankingQuery):
    """Parameters of `GET /v1/issues/{id}/candidates`."""

    resource_type: list[ResourceType] = Field(  # type: ignore[valid-type]
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Only resources of these types (any of).",
    )
    sector: list[Sector] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Sector (any of)."
    )
    municipality_code: list[MunicipalityCode] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Only resources serving this municipality (any of).",
    )


class OpportunityQuery(_RankingQuery):
    """Parameters of `GET /v1/resources/{id}/opportunities`."""

    municipality_code: list[MunicipalityCode] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Only issues in this municipality (any of).",
    )


class CoalitionQuery(BaseModel):
    """Parameters of `GET /v1/issues/{id}/coalitions`."""

    model_config = ConfigDict(extra="forbid")

    proposals: int = Field(3, ge=1, le=10, description="How many coalitions to propose.")
    max_size: int = Field(4, ge=1, le=8, description="At most this many partners in one.")
