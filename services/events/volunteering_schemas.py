"""API shapes of volunteering: opportunities, shifts, sign-ups, hours and points."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from services.common.fieldtypes import (
    ActivityFields,
    Email,
    Id,
    Phone,
    unique_items,
)
from services.common.identifiers import KanaReading, MunicipalityCode
from services.common.partial import partial_model
from services.common.textfields import multi_line, single_line
from services.common.timefmt import Timestamp
from services.common.vocabulary import ActivityField

__all__ = [
    "AttendanceRecord",
    "HoursTotals",
    "OpportunityCreate",
    "OpportunityPublic",
    "OpportunityUpdate",
    "PointsRuleBody",
    "PointsRulePublic",
    "ShiftCreate",
    "ShiftPublic",
    "ShiftUpdate",
    "SignupCreate",
    "SignupPublic",
    "SignupReceipt",
]


Fields = ActivityFields
Skill = single_line(50)
Skills = Annotated[list[Skill], Field(max_length=30), AfterValidator(unique_items)]


class OpportunityCreate(BaseModel):
    """A new volunteer opportunity (ボランティア募集)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organization_id": "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b",
                    "title": "こども食堂の調理補助",
                    "description": "毎週土曜のこども食堂で、調理と配膳を手伝ってください。",
                    "skills_wanted": ["調理", "子どもとの関わり"],
                    "fields": ["child_development"],
                    "municipality_code": "102997",
                    "commitment": "ongoing",
                    "minimum_age": 15,
                    "what_to_bring": "エプロン、三角巾",
                }
            ]
        },
    )
    organization_id: Id
    event_id: Id | None = None
    title: single_line(200)  # type: ignore[valid-type]
    description: multi_line(8000) = ""  # type: ignore[valid-type]
    skills_wanted: Annotated[list[Skill], Field(max_length=30), AfterValidator(unique_items)] = (
        Field(default_factory=list)
    )
    fields: Fields = Field(default_factory=list)  # type: ignore[valid-type]
    municipality_code: MunicipalityCode
    commitment: Literal["one_off", "ongoing"] = "one_off"
    minimum_age: Annotated[int, Field(ge=0, le=120)] | None = None
    what_to_bring: single_line(1000, min_length=0) = ""  # type: ignore[valid-type]
    starts_at: Timestamp | None = Field(None, description="Shifts must start at or after this.")
    ends_at: Timestamp | None = Field(None, description="Shifts must end at or before this.")
    status: Literal["open", "closed"] = "open"

    @model_validator(mode="after")
    def _period(self) -> OpportunityCreate:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


OpportunityUpdate = partial_model(
    OpportunityCreate,
    name="OpportunityUpdate",
    doc="A partial update of an opportunity.",
    exclude=frozenset({"organization_id"}),
    examples=[{"status": "closed"}],
)


class OpportunityPublic(BaseModel):
    """A volunteer opportunity as everyone may read it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "019a2b3c-7d6e-7f70-8a1b-2c3d4e5f6a71",
                    "organization_id": "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b",
                    "organization_name": "さくらがおかフードバンク",
                    "event_id": None,
                    "title": "こども食堂の調理補助",
                    "description": "毎週土曜のこども食堂で、調理と配膳を手伝ってください。",
                    "skills_wanted": ["調理"],
                    "fields": ["child_development"],
                    "municipality_code": "102997",
                    "commitment": "ongoing",
                    "minimum_age": 15,
                    "what_to_bring": "エプロン",
                    "starts_at": None,
                    "ends_at": None,
                    "status": "open",
                    "version": 1,
                    "created_at": "2026-11-25T10:00:00+09:00",
                    "updated_at": "2026-11-25T10:00:00+09:00",
                }
            ]
        }
    )
    id: str
    organization_id: str
    organization_name: str
    event_id: str | None
    title: str
    description: str
    skills_wanted: list[str]
    fields: list[ActivityField]  # type: ignore[valid-type]
    municipality_code: str
    commitment: Literal["one_off", "ongoing"]
    minimum_age: int | None
    what_to_bring: str
    starts_at: Timestamp | None
    ends_at: Timestamp | None
    status: Literal["open", "closed"]
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class ShiftCreate(BaseModel):
    """A shift: when, and how many people it needs."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "starts_at": "2026-12-05T09:00:00+09:00",
                    "ends_at": "2026-12-05T13:00:00+09:00",
                    "capacity": 6,
                }
            ]
        },
    )
    starts_at: Timestamp
    ends_at: Timestamp
    capacity: Annotated[int, Field(ge=1, le=10_000)]
    signup_deadline: Timestamp | None = Field(
        None, description="Sign-ups close then (default: when the shift starts)."
    )
    note: single_line(500, min_length=0) = ""  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _times(self) -> ShiftCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if (self.ends_at - self.starts_at).total_seconds() > 24 * 3600:
            raise ValueError("a shift lasts at most 24 hours")
        if self.signup_deadline and self.signup_deadline > self.starts_at:
            raise ValueError("signup_deadline must not be after the shift starts")
        return self


ShiftUpdate = partial_model(
    ShiftCreate, name="ShiftUpdate", doc="A partial update of a shift.", examples=[{"capacity": 8}]
)


class ShiftPublic(BaseModel):
    """A shift with its places."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "019a2b3c-8d6e-7f70-8a1b-2c3d4e5f6a72",
                    "opportunity_id": "019a2b3c-7d6e-7f70-8a1b-2c3d4e5f6a71",
                    "starts_at": "2026-12-05T09:00:00+09:00",
                    "ends_at": "2026-12-05T13:00:00+09:00",
                    "capacity": 6,
                    "signup_deadline": None,
                    "confirmed_count": 4,
                    "waitlist_count": 0,
                    "places_left": 2,
                    "note": "",
                    "version": 5,
                }
            ]
        }
    )
    id: str
    opportunity_id: str
    starts_at: Timestamp
    ends_at: Timestamp
    capacity: int
    signup_deadline: Timestamp | None
    confirmed_count: int
    waitlist_count: int
    places_left: int
    note: str
    version: int


class SignupCreate(BaseModel):
    """A person signs up for a shift (personal data)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "佐藤 花子", "name_kana": "サトウ ハナコ", "email": "hanako@example.jp"}
            ]
        },
    )
    name: single_line(100)  # type: ignore[valid-type]
    name_kana: Annotated[KanaReading, Field(max_length=100)] | None = None
    email: Email
    phone: Phone | None = None


SignupStatus = Literal["confirmed", "waitlisted", "cancelled"]


class SignupPublic(BaseModel):
    """A sign-up as its organiser (or the person) sees it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "019a2b3c-9d6e-7f70-8a1b-2c3d4e5f6a73",
                    "shift_id": "019a2b3c-8d6e-7f70-8a1b-2c3d4e5f6a72",
                    "name": "佐藤 花子",
                    "name_kana": "サトウ ハナコ",
                    "email": "hanako@example.jp",
                    "phone": None,
                    "status": "waitlisted",
                    "waitlist_position": 2,
                    "attended": None,
                    "hours": None,
                    "created_at": "2026-11-25T10:00:00+09:00",
                    "version": 1,
                }
            ]
        }
    )
    id: str
    shift_id: str
    name: str
    name_kana: str | None
    email: str
    phone: str | None
    status: SignupStatus
    waitlist_position: int | None = Field(description="1 for the next to be promoted.")
    attended: bool | None
    hours: float | None
    created_at: Timestamp
    version: int


class SignupReceipt(SignupPublic):
    """The answer to a sign-up: includes, once, the token the person manages it with."""

    manage_token: str = Field(
        description="Send as `X-Signup-Token` to read or cancel this sign-up. Shown only once."
    )


class AttendanceRecord(BaseModel):
    """The organiser confirms who came and for how long."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"attended": True, "hours": 3.5}]}
    )
    attended: bool
    hours: Annotated[float, Field(ge=0, le=24, allow_inf_nan=False, multiple_of=0.25)] | None = None

    @model_validator(mode="after")
    def _hours_need_attendance(self) -> AttendanceRecord:
        if not self.attended and self.hours:
            raise ValueError("hours can only be recorded for someone who attended")
        return self


class HoursTotals(BaseModel):
    """ボランティア時間の見える化: hours, people and points."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"hours": 128.5, "signups": 41, "volunteers": 17, "points": 128.0}]
        }
    )
    hours: float
    signups: int = Field(description="Attended sign-ups with hours recorded.")
    volunteers: int = Field(description="Distinct people.")
    points: float = Field(
        description="Under the points rules of the opportunities' municipalities."
    )


class PointsRuleBody(BaseModel):
    """A municipality's points rule (e.g. one point per hour)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"points_per_hour": 1.0, "minimum_hours": 1.0}]},
    )
    points_per_hour: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
    minimum_hours: Annotated[float, Field(ge=0, le=24, allow_inf_nan=False)] = 0
    max_points_per_signup: Annotated[float, Field(gt=0, le=100_000, allow_inf_nan=False)] | None = (
        None
    )


class PointsRulePublic(PointsRuleBody):
    """A municipality's points rule as stored."""

    municipality_code: str
    version: int
    updated_at: Timestamp
