"""The matching service's API shapes for issues and rankings.

Create bodies refuse unknown fields; updates are partial (JSON merge semantics).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from services.common.fieldtypes import ActivityFields, Id, Latitude, Longitude, unique_items
from services.common.identifiers import MunicipalityCode
from services.common.partial import partial_model
from services.common.textfields import multi_line, single_line
from services.common.timefmt import Timestamp
from services.common.vocabulary import ActivityField, CollaborationForm, ResourceType, Sector

__all__ = [
    "Candidate",
    "CandidatePage",
    "Coalition",
    "CoalitionMember",
    "CoalitionPage",
    "Factor",
    "IssueCreate",
    "IssuePublic",
    "IssueStatus",
    "IssueUpdate",
    "Opportunity",
    "OpportunityPage",
    "ResourceNote",
]

IssueStatus = Literal["draft", "open", "matched", "closed"]
Origin = Literal["government_proposed", "citizen_proposed"]
ResourceTypes = Annotated[list[ResourceType], Field(max_length=10), AfterValidator(unique_items)]
Forms = Annotated[list[CollaborationForm], Field(max_length=8), AfterValidator(unique_items)]


class ResourceNote(BaseModel):
    """What exactly is needed of one resource type (e.g. goods: 米・野菜, 月50食分)."""

    model_config = ConfigDict(extra="forbid")
    type: ResourceType
    note: single_line(500) = ""  # type: ignore[valid-type]
    quantity: single_line(100) | None = None  # type: ignore[valid-type]


_ISSUE_EXAMPLE: dict[str, Any] = {
    "organization_id": "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b",
    "title": "こども食堂の運営パートナー募集",
    "description": "毎週土曜のこども食堂で、食材、調理の手伝い、調理室、運営資金が足りません。",
    "fields": ["child_development", "health_welfare"],
    "needed_resource_types": ["goods", "volunteers", "venue", "funding"],
    "resource_notes": [{"type": "goods", "note": "米・野菜", "quantity": "月50食分"}],
    "municipality_code": "102997",
    "latitude": 36.351,
    "longitude": 139.052,
    "starts_on": "2027-01-01",
    "ends_on": "2027-12-31",
    "collaboration_forms": ["partnership", "subsidy"],
    "origin": "citizen_proposed",
    "status": "open",
}


class IssueCreate(BaseModel):
    """A new local issue (地域課題): what is needed, where and when."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_ISSUE_EXAMPLE]})

    organization_id: Id
    title: single_line(200)  # type: ignore[valid-type]
    description: multi_line(4000) = ""  # type: ignore[valid-type]
    fields: ActivityFields = Field(default_factory=list)
    needed_resource_types: ResourceTypes = Field(min_length=1)
    resource_notes: list[ResourceNote] = Field(default_factory=list, max_length=10)
    municipality_code: MunicipalityCode
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    starts_on: date | None = Field(None, description="Start of the time frame (inclusive).")
    ends_on: date | None = Field(None, description="End of the time frame (inclusive).")
    collaboration_forms: Forms = Field(default_factory=list)
    origin: Origin = Field(
        description="`government_proposed` (行政提案型) or `citizen_proposed` (市民提案型)."
    )
    status: Literal["draft", "open"] = Field(
        "open", description="Post as a draft (not listed publicly) or open at once."
    )

    @model_validator(mode="after")
    def _consistent(self) -> IssueCreate:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude must be given together")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        if self.starts_on and not 1900 <= self.starts_on.year <= 2200:
            raise ValueError("starts_on must be between 1900 and 2200")
        if self.ends_on and not 1900 <= self.ends_on.year <= 2200:
            raise ValueError("ends_on must be between 1900 and 2200")
        types = [note.type for note in self.resource_notes]
        if len(set(types)) != len(types):
            raise ValueError("resource_notes has two notes for one type")
        if not set(types) <= set(self.needed_resource_types):
            raise ValueError("resource_notes may only describe needed_resource_types")
        return self


_IssuePatch = partial_model(
    IssueCreate,
    name="IssuePatch",
    doc="A partial update of an issue.",
    exclude=frozenset({"organization_id", "status"}),
)


class IssueUpdate(_IssuePatch):  # type: ignore[valid-type,misc]
    """A partial update: only the fields sent change; null clears an optional field.
    The posting organisation cannot change; `status` moves between draft, open,
    matched and closed (a closed issue can be reopened)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "closed"}]}
    )
    status: IssueStatus | None = None

    @model_validator(mode="after")
    def _status_not_null(self) -> IssueUpdate:
        if "status" in self.model_fields_set and self.status is None:
            raise ValueError("status cannot be null")
        return self


class IssuePublic(BaseModel):
    """A local issue as its readers see it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "019a2b3c-6d7e-7f80-8a1b-2c3d4e5f6a7d",
                    **_ISSUE_EXAMPLE,
                    "organization_name": "桜ヶ丘こども食堂ネットワーク",
                    "prefecture_code": "10",
                    "created_at": "2026-11-25T10:00:00+09:00",
                    "opened_at": "2026-11-25T10:00:00+09:00",
                    "updated_at": "2026-11-25T10:00:00+09:00",
                    "version": 1,
                }
            ]
        }
    )

    id: str
    organization_id: str
    organization_name: str
    title: str
    description: str
    fields: list[ActivityField]
    needed_resource_types: list[ResourceType]
    resource_notes: list[ResourceNote]
    municipality_code: str
    prefecture_code: str
    latitude: float | None
    longitude: float | None
    starts_on: date | None
    ends_on: date | None
    collaboration_forms: list[CollaborationForm]
    origin: Origin
    status: IssueStatus
    created_at: Timestamp
    opened_at: Timestamp | None = Field(description="When the issue was first opened.")
    updated_at: Timestamp
    version: int


class Factor(BaseModel):
    """One factor of a score: its value (0..1), its weight and its share of the score."""

    value: float
    weight: float
    contribution: float


_FACTORS_EXAMPLE = {
    "text": {"value": 0.62, "weight": 0.3, "contribution": 0.186},
    "fields": {"value": 1.0, "weight": 0.1, "contribution": 0.1},
    "type": {"value": 1.0, "weight": 0.2, "contribution": 0.2},
    "geography": {"value": 1.0, "weight": 0.3, "contribution": 0.3},
    "availability": {"value": 1.0, "weight": 0.05, "contribution": 0.05},
    "trust": {"value": 0.8, "weight": 0.05, "contribution": 0.04},
}


class Candidate(BaseModel):
    """A resource ranked for an issue, with the reasons for its score."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "resource_id": "019a2b3c-5d6e-7f70-8a1b-2c3d4e5f6a7c",
                    "organization_id": "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b",
                    "organization_name": "特定非営利活動法人 さくらがおかフードバンク",
                    "resource_title": "フードドライブで集めた食品の提供",
                    "resource_type": "goods",
                    "sector": "civil",
                    "municipality_codes": ["102997"],
                    "score": 0.876,
                    "factors": _FACTORS_EXAMPLE,
                    "matched_terms": ["子供", "食堂", "食品"],
                }
            ]
        }
    )

    resource_id: str
    organization_id: str
    organization_name: str
    resource_title: str
    resource_type: ResourceType
    sector: Sector | Literal[""]
    municipality_codes: list[str]
    score: float
    factors: dict[str, Factor]
    matched_terms: list[str]


class CandidatePage(BaseModel):
    """Candidates for an issue, best first."""

    items: list[Candidate]
    weights: dict[str, float] = Field(description="The factor weights used (normalised).")


class Opportunity(BaseModel):
    """An open issue ranked for a resource, with the reasons for its score."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "issue_id": "019a2b3c-6d7e-7f80-8a1b-2c3d4e5f6a7d",
                    "organization_id": "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b",
                    "title": "こども食堂の運営パートナー募集",
                    "municipality_code": "102997",
                    "needed_resource_types": ["goods", "volunteers"],
                    "score": 0.81,
                    "factors": _FACTORS_EXAMPLE,
                    "matched_terms": ["子供", "食堂"],
                }
            ]
        }
    )

    issue_id: str
    organization_id: str
    title: str
    municipality_code: str
    needed_resource_types: list[ResourceType]
    score: float
    factors: dict[str, Factor]
    matched_terms: list[str]


class OpportunityPage(BaseModel):
    """Open issues for a resource, best first."""

    items: list[Opportunity]
    weights: dict[str, float]


class CoalitionMember(BaseModel):
    """One partner of a proposed coalition and the needed types it covers."""

    resource_id: str
    organization_id: str
    organization_name: str
    resource_title: str
    sector: Sector | Literal[""]
    covers: list[ResourceType]
    score: float


class Coalition(BaseModel):
    """A small set of partners that together cover what an issue needs."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "members": [
                        {
                            "resource_id": "019a2b3c-5d6e-7f70-8a1b-2c3d4e5f6a7c",
                            "organization_id": "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b",
                            "organization_name": "さくらがおかフードバンク",
                            "resource_title": "フードドライブで集めた食品の提供",
                            "sector": "civil",
                            "covers": ["goods"],
                            "score": 0.86,
                        }
                    ],
                    "uncovered": ["funding"],
                    "sectors": ["civil"],
                    "score": 0.71,
                }
            ]
        }
    )

    members: list[CoalitionMember]
    uncovered: list[ResourceType]
    sectors: list[Sector]
    score: float


class CoalitionPage(BaseModel):
    """Proposed coalitions, best first."""

    items: list[Coalition]
