"""Query parameters of the events service's lists. Repeating a parameter means "any of"."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.fieldtypes import Id
from services.common.identifiers import MunicipalityCode
from services.common.pagination import MAX_FILTER_VALUES, ListQuery
from services.common.textfields import single_line
from services.common.timefmt import Timestamp
from services.common.vocabulary import ActivityField
from services.events.schemas import EventKind, EventStatus

__all__ = ["EventCriteria", "EventFilters", "OccurrenceWindow", "OpportunityFilters"]

MAX_WINDOW_DAYS = 400


class EventCriteria(BaseModel):
    """What selects events: shared by the listings, the iCalendar feed and the CSV export."""

    model_config = ConfigDict(extra="forbid")

    q: single_line(200) | None = Field(  # type: ignore[valid-type]
        None, description="Text search, Japanese-aware (子供 finds 子ども and こども)."
    )
    date_from: Timestamp | None = Field(
        None, description="Only events with an occurrence overlapping [date_from, date_to)."
    )
    date_to: Timestamp | None = None
    kind: list[EventKind] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    field: list[ActivityField] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)  # type: ignore[valid-type]
    organizer_id: list[Id] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    municipality_code: list[MunicipalityCode] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES
    )
    status: list[EventStatus] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Default: published, cancelled and postponed.",
    )
    online: bool | None = Field(None, description="Has an online URL (true) or not (false).")
    in_person: bool | None = Field(None, description="Has a venue (true) or not (false).")
    free: bool | None = Field(None, description="Free of charge (fee 0).")
    weekend: bool | None = Field(None, description="Has an occurrence on a Saturday or Sunday.")
    evening: bool | None = Field(None, description="Has an occurrence starting at 17:00 or later.")
    has_places: bool | None = Field(None, description="Capacity not reached (or no limit).")

    @model_validator(mode="after")
    def _window(self) -> EventCriteria:
        if self.date_from and self.date_to:
            if self.date_to <= self.date_from:
                raise ValueError("date_to must be after date_from")
            if (self.date_to - self.date_from).days > MAX_WINDOW_DAYS:
                raise ValueError(f"the date range may span at most {MAX_WINDOW_DAYS} days")
        return self


class EventFilters(ListQuery, EventCriteria):
    """Filters and page of `GET /v1/events`."""


class OccurrenceWindow(EventFilters):
    """Occurrences need a window: both ends are required."""

    date_from: Timestamp
    date_to: Timestamp


class OpportunityFilters(ListQuery):
    """Filters of `GET /v1/opportunities`."""

    q: single_line(200) | None = None  # type: ignore[valid-type]
    field: list[ActivityField] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)  # type: ignore[valid-type]
    municipality_code: list[MunicipalityCode] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES
    )
    organization_id: list[Id] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    event_id: Id | None = None
    commitment: list[Literal["one_off", "ongoing"]] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES
    )
    status: list[Literal["open", "closed"]] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES
    )
    has_open_shifts: bool | None = Field(
        None, description="Has a future shift with places left (or not)."
    )
    weekend: bool | None = Field(None, description="Has a shift on a Saturday or Sunday.")
    evening: bool | None = Field(None, description="Has a shift starting at 17:00 or later.")
