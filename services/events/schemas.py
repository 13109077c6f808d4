"""Events' API shapes: events, opportunities, shifts, sign-ups, hours, points rules."""

from __future__ import annotations

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
    Id,
    Latitude,
    Longitude,
    Phone,
    WebUrl,
    unique_items,
)
from services.common.identifiers import MunicipalityCode, PostalCode
from services.common.partial import partial_model
from services.common.textfields import multi_line, single_line
from services.common.timefmt import Timestamp
from services.common.vocabulary import ActivityField

__all__ = [
    "EVENT_KINDS",
    "EventContact",
    "EventCreate",
    "EventPublic",
    "EventUpdate",
    "Recurrence",
    "Venue",
]

EVENT_KINDS = (
    "seminar",
    "roundtable",
    "collaboration_meeting",
    "volunteer_activity",
    "festival",
    "training",
    "other",
)
EventKind = Literal[
    "seminar",
    "roundtable",
    "collaboration_meeting",
    "volunteer_activity",
    "festival",
    "training",
    "other",
]
EventStatus = Literal["draft", "published", "cancelled", "postponed"]


Fields = ActivityFields
STRICT = ConfigDict(extra="forbid")


class Venue(BaseModel):
    """Where an in-person event takes place."""

    model_config = STRICT
    name: single_line(200)  # type: ignore[valid-type]
    address: single_line(300) | None = None  # type: ignore[valid-type]
    postal_code: PostalCode | None = None
    municipality_code: MunicipalityCode
    latitude: Latitude | None = None
    longitude: Longitude | None = None

    @model_validator(mode="after")
    def _coordinates(self) -> Venue:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude must be given together")
        return self


class EventContact(BaseModel):
    """Who to ask about an event (a public contact point, not a private person's data)."""

    model_config = STRICT
    name: single_line(100)  # type: ignore[valid-type]
    email: Email | None = None
    phone: Phone | None = None
    url: WebUrl | None = None


class Recurrence(BaseModel):
    """A repeating event: an RFC 5545 RRULE and the occurrences called off."""

    model_config = STRICT
    rrule: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=4, max_length=500)
    ] = Field(examples=["FREQ=WEEKLY;BYDAY=SA;COUNT=8"])
    cancelled_occurrences: Annotated[list[Timestamp], Field(max_length=1000)] = Field(
        default_factory=list, description="Start times of occurrences that will not take place."
    )


_EVENT_EXAMPLE: dict[str, Any] = {
    "title": "こども食堂ボランティア説明会",
    "description": "こども食堂の運営ボランティアに関心のある方向けの説明会です。",
    "kind": "seminar",
    "organizer_ids": ["019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b"],
    "starts_at": "2026-12-05T10:00:00+09:00",
    "ends_at": "2026-12-05T11:30:00+09:00",
    "venue": {
        "name": "桜ヶ丘市民活動センター 会議室A",
        "address": "群馬県桜ヶ丘市本町一丁目2番3号",
        "municipality_code": "102997",
    },
    "municipality_code": "102997",
    "fields": ["child_development"],
    "fee_jpy": 0,
    "capacity": 30,
    "status": "published",
}


class EventCreate(BaseModel):
    """A new event (one-off or recurring)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EVENT_EXAMPLE]})
    title: single_line(200)  # type: ignore[valid-type]
    description: multi_line(8000) = ""  # type: ignore[valid-type]
    kind: EventKind
    organizer_ids: Annotated[
        list[Id], Field(min_length=1, max_length=20), AfterValidator(unique_items)
    ]
    starts_at: Timestamp
    ends_at: Timestamp
    all_day: bool = False
    timezone: Literal["Asia/Tokyo"] = "Asia/Tokyo"
    recurrence: Recurrence | None = None
    venue: Venue | None = None
    online_url: WebUrl | None = None
    municipality_code: MunicipalityCode
    fields: Fields = Field(default_factory=list)  # type: ignore[valid-type]
    target_audience: single_line(500, min_length=0) = ""  # type: ignore[valid-type]
    fee_jpy: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    fee_note: single_line(500, min_length=0) = ""  # type: ignore[valid-type]
    capacity: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    places_taken: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    registration_deadline: Timestamp | None = None
    accessibility_notes: multi_line(2000) = ""  # type: ignore[valid-type]
    contact: EventContact | None = None
    status: EventStatus = "draft"

    @model_validator(mode="after")
    def _consistent(self) -> EventCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if (self.ends_at - self.starts_at).days > 31:
            raise ValueError("one occurrence may last at most 31 days; use a recurrence")
        if self.venue is None and self.online_url is None:
            raise ValueError("an event needs a venue, an online_url, or both")
        if self.registration_deadline and self.registration_deadline > self.ends_at:
            raise ValueError("registration_deadline must not be after the event ends")
        return self


EventUpdate = partial_model(
    EventCreate,
    name="EventUpdate",
    doc="A partial update of an event: only the fields sent change.",
    examples=[{"status": "cancelled"}],
)


class Organizer(BaseModel):
    id: str
    name: str


class EventPublic(BaseModel):
    """An event as everyone may read it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EVENT_EXAMPLE,
                    "id": "019a2b3c-6d6e-7f70-8a1b-2c3d4e5f6a70",
                    "organizers": [
                        {
                            "id": "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b",
                            "name": "さくらがおかフードバンク",
                        }
                    ],
                    "all_day": False,
                    "timezone": "Asia/Tokyo",
                    "recurrence": None,
                    "online_url": None,
                    "target_audience": "",
                    "fee_note": "",
                    "places_taken": 0,
                    "places_left": 30,
                    "registration_deadline": None,
                    "accessibility_notes": "車椅子で入場できます。",
                    "contact": None,
                    "version": 1,
                    "created_at": "2026-11-25T10:00:00+09:00",
                    "updated_at": "2026-11-25T10:00:00+09:00",
                }
            ]
        }
    )
    id: str
    title: str
    description: str
    kind: EventKind
    organizer_ids: list[str]
    organizers: list[Organizer]
    starts_at: Timestamp
    ends_at: Timestamp
    all_day: bool
    timezone: str
    recurrence: Recurrence | None
    venue: Venue | None
    online_url: str | None
    municipality_code: str
    fields: list[ActivityField]  # type: ignore[valid-type]
    target_audience: str
    fee_jpy: int | None
    fee_note: str
    capacity: int | None
    places_taken: int
    places_left: int | None
    registration_deadline: Timestamp | None
    accessibility_notes: str
    contact: EventContact | None
    status: EventStatus
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class Occurrence(BaseModel):
    """One occurrence of an event in a listing window."""

    event_id: str
    title: str
    kind: EventKind
    starts_at: Timestamp
    ends_at: Timestamp
    all_day: bool
    cancelled: bool = Field(description="This occurrence was called off (or the whole event).")
    municipality_code: str
    venue_name: str | None
    online: bool
    fee_jpy: int | None
    places_left: int | None
    status: EventStatus
