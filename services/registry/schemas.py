"""The registry's API shapes: what clients send and what they read.

Create bodies refuse unknown fields. Update bodies are partial (JSON merge
semantics): a field left out is unchanged, ``null`` clears an optional field.
Contacts are personal data: accepted on create and at ``/contacts``, never
part of the public organisation.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from services.common.fieldtypes import (
    ActivityFields,
    Email,
    Latitude,
    Longitude,
    Phone,
    WebUrl,
    unique_items,
)
from services.common.identifiers import CorporateNumber, KanaReading, MunicipalityCode, PostalCode
from services.common.ids import ID_PATTERN
from services.common.partial import partial_model
from services.common.textfields import multi_line, single_line
from services.common.timefmt import Timestamp
from services.common.vocabulary import ActivityField, OrganizationKind, ResourceType, Sector

__all__ = [
    "Availability",
    "Certification",
    "Contact",
    "ContactList",
    "Funding",
    "OrganizationCreate",
    "OrganizationPublic",
    "OrganizationUpdate",
    "ResourceCreate",
    "ResourceForOrganizationCreate",
    "ResourcePublic",
    "ResourceUpdate",
]


Name = single_line(200)
Fields = ActivityFields
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Weekdays = Annotated[list[Weekday], AfterValidator(unique_items)]
Yen = Annotated[int, Field(ge=0, le=1_000_000_000_000)]
STRICT = ConfigDict(extra="forbid")


class Certification(BaseModel):
    """認定 / 特例認定 status of an NPO corporation, with its validity period."""

    model_config = STRICT
    status: Literal["certified", "special_certified"]
    valid_from: date
    valid_until: date

    @model_validator(mode="after")
    def _period(self) -> Certification:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until must not be before valid_from")
        return self


class Contact(BaseModel):
    """A person to contact (personal data: only shown to authorised callers)."""

    model_config = STRICT
    name: single_line(100)  # type: ignore[valid-type]
    name_kana: KanaReading | None = None
    role: single_line(100) | None = None  # type: ignore[valid-type]
    email: Email | None = None
    phone: Phone | None = None


class ContactList(BaseModel):
    """The contacts of an organisation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "name": "山田 花子",
                            "name_kana": "ヤマダ ハナコ",
                            "role": "事務局長",
                            "email": "info@foodbank.example.jp",
                            "phone": "027-255-0101",
                        }
                    ]
                }
            ]
        },
    )
    items: list[Contact] = Field(max_length=20)


def _both_or_neither(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise ValueError("latitude and longitude must be given together")


class OrganizationCreate(BaseModel):
    """A new organisation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "特定非営利活動法人 さくらがおかフードバンク",
                    "name_kana": "サクラガオカフードバンク",
                    "kind": "npo_corporation",
                    "corporate_number": "1070005002034",
                    "municipality_code": "102997",
                    "address": "群馬県桜ヶ丘市本町二丁目3番5号",
                    "fields": ["health_welfare", "child_development"],
                    "description": "子ども食堂への食品提供とフードドライブを行っています。",
                }
            ]
        },
    )
    name: Name  # type: ignore[valid-type]
    name_kana: KanaReading | None = None
    kind: OrganizationKind
    corporate_number: CorporateNumber | None = None
    certification: Certification | None = None
    municipality_code: MunicipalityCode
    postal_code: PostalCode | None = None
    address: single_line(300) | None = None  # type: ignore[valid-type]
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    website: WebUrl | None = None
    email: Email | None = None
    phone: Phone | None = None
    fields: Fields = Field(default_factory=list)
    description: multi_line(4000) = ""  # type: ignore[valid-type]
    established_on: date | None = None
    contacts: list[Contact] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _consistent(self) -> OrganizationCreate:
        _both_or_neither(self.latitude, self.longitude)
        if self.certification is not None and self.kind != "npo_corporation":
            raise ValueError("certification applies to npo_corporation only")
        return self


OrganizationUpdate = partial_model(
    OrganizationCreate,
    name="OrganizationUpdate",
    doc="A partial update: only the fields sent change; null clears an optional field.",
    exclude=frozenset({"contacts"}),
    examples=[{"description": "毎月第2土曜日にフードドライブを開催。"}],
)


_ORG_EXAMPLE: dict[str, Any] = {
    "id": "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b",
    "name": "特定非営利活動法人 さくらがおかフードバンク",
    "name_kana": "サクラガオカフードバンク",
    "kind": "npo_corporation",
    "sector": "civil",
    "corporate_number": "1070005002034",
    "certification": None,
    "municipality_code": "102997",
    "prefecture_code": "10",
    "postal_code": "370-0801",
    "address": "群馬県桜ヶ丘市本町二丁目3番5号",
    "latitude": 36.351,
    "longitude": 139.052,
    "website": "https://foodbank.example.jp/",
    "email": "info@foodbank.example.jp",
    "phone": "027-255-0101",
    "fields": ["health_welfare", "child_development"],
    "description": "子ども食堂への食品提供とフードドライブを行っています。",
    "established_on": "2015-04-01",
    "created_at": "2026-11-25T10:00:00+09:00",
    "updated_at": "2026-11-25T10:00:00+09:00",
    "version": 1,
}


class OrganizationPublic(BaseModel):
    """An organisation as everyone may read it (no contacts)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ORG_EXAMPLE]})

    id: str
    name: str
    name_kana: str | None
    kind: OrganizationKind
    sector: Sector
    corporate_number: str | None
    certification: Certification | None
    municipality_code: str
    prefecture_code: str
    postal_code: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    website: str | None
    email: str | None
    phone: str | None
    fields: list[ActivityField]
    description: str
    established_on: date | None
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class Availability(BaseModel):
    """When and how much of a resource is available."""

    model_config = STRICT
    starts_on: date | None = None
    ends_on: date | None = None
    days_of_week: Annotated[list[Weekday], AfterValidator(unique_items)] = Field(
        default_factory=list
    )
    time_note: single_line(200) | None = None  # type: ignore[valid-type]
    capacity: Annotated[int, Field(ge=0, le=1_000_000)] | None = None

    @model_validator(mode="after")
    def _period(self) -> Availability:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class Funding(BaseModel):
    """助成金情報: what a grant programme's applicants need to know."""

    model_config = STRICT
    amount_min_jpy: Yen | None = None
    amount_max_jpy: Yen | None = None
    application_opens_on: date | None = None
    application_deadline: date | None = None
    eligibility: multi_line(2000) | None = None  # type: ignore[valid-type]
    programme_url: WebUrl | None = None

    @model_validator(mode="after")
    def _ranges(self) -> Funding:
        low, high = self.amount_min_jpy, self.amount_max_jpy
        if low is not None and high is not None and high < low:
            raise ValueError("amount_max_jpy must not be below amount_min_jpy")
        opens, deadline = self.application_opens_on, self.application_deadline
        if opens and deadline and deadline < opens:
            raise ValueError("application_deadline must not be before application_opens_on")
        return self


MunicipalityCodes = Annotated[
    list[MunicipalityCode], Field(max_length=200), AfterValidator(unique_items)
]


class ResourceForOrganizationCreate(BaseModel):
    """A new resource, posted under its organisation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "type": "venue",
                    "title": "公民館の調理室を貸し出します",
                    "description": "こども食堂や料理教室に使える調理室（定員20名）。",
                    "fields": ["child_development", "community_development"],
                    "municipality_codes": ["102997"],
                    "availability": {"days_of_week": ["sat", "sun"], "capacity": 20},
                }
            ]
        },
    )
    type: ResourceType
    title: Name  # type: ignore[valid-type]
    description: multi_line(4000) = ""  # type: ignore[valid-type]
    fields: Fields = Field(default_factory=list)
    municipality_codes: MunicipalityCodes = Field(default_factory=list)
    service_radius_km: Annotated[float, Field(ge=0, le=2000, allow_inf_nan=False)] | None = None
    availability: Availability | None = None
    funding: Funding | None = None
    conditions: multi_line(2000) = ""  # type: ignore[valid-type]
    status: Literal["active", "paused", "retired"] = "active"

    @model_validator(mode="after")
    def _funding_only_for_funding(self) -> ResourceForOrganizationCreate:
        if self.funding is not None and self.type != "funding":
            raise ValueError("funding details apply to resources of type funding only")
        return self


class ResourceCreate(ResourceForOrganizationCreate):
    """A new resource, naming its organisation."""

    organization_id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]


ResourceUpdate = partial_model(
    ResourceForOrganizationCreate,
    name="ResourceUpdate",
    doc="A partial update of a resource: only the fields sent change.",
    examples=[{"status": "paused"}],
)


class ResourcePublic(BaseModel):
    """A resource as everyone may read it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "019a2b3c-5d6e-7f70-8a1b-2c3d4e5f6a7c",
                    "organization_id": _ORG_EXAMPLE["id"],
                    "organization_name": _ORG_EXAMPLE["name"],
                    "organization_kind": "npo_corporation",
                    "sector": "civil",
                    "type": "goods",
                    "title": "フードドライブで集めた食品の提供",
                    "description": "こども食堂・子育て世帯向けに月2回、食品を提供します。",
                    "fields": ["child_development"],
                    "municipality_codes": ["102997"],
                    "service_radius_km": 10.0,
                    "availability": {
                        "starts_on": "2026-12-01",
                        "ends_on": None,
                        "days_of_week": ["sat"],
                        "time_note": "第2・第4土曜 10時〜12時",
                        "capacity": 30,
                    },
                    "funding": None,
                    "conditions": "受け取りは団体単位でお願いします。",
                    "status": "active",
                    "created_at": "2026-11-25T10:05:00+09:00",
                    "updated_at": "2026-11-25T10:05:00+09:00",
                    "version": 1,
                }
            ]
        }
    )

    id: str
    organization_id: str
    organization_name: str
    organization_kind: OrganizationKind
    sector: Sector
    type: ResourceType
    title: str
    description: str
    fields: list[ActivityField]
    municipality_codes: list[str]
    service_radius_km: float | None
    availability: Availability | None
    funding: Funding | None
    conditions: str
    status: Literal["active", "paused", "retired"]
    created_at: Timestamp
    updated_at: Timestamp
    version: int
