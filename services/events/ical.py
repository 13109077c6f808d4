"""The iCalendar feed (RFC 5545) of a listing, built with the ``icalendar`` library.

Recurring events stay one VEVENT with RRULE and EXDATE: calendar clients expand
them, and a subscription then keeps working past any listing window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vRecur

from services.events.recurrence import cancelled_starts, local_span

__all__ = ["PRODID", "calendar_bytes"]

PRODID = "-//Kyodo//Kyodo calendar//JA"
CALENDAR_TZ = "Asia/Tokyo"
_STATUS = {"published": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "TENTATIVE"}
_UTC = ZoneInfo("UTC")


def calendar_bytes(
    events: Iterable[Mapping[str, Any]], *, name: str, url: str | None = None
) -> bytes:
    """A VCALENDAR with one VEVENT per ``EventPublic`` dict, as bytes for ``text/calendar``.

    The output depends only on the events (DTSTAMP is the last change, not
    "now"), so the same listing gives the same bytes and ETags stay stable.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", CALENDAR_TZ)
    if url:
        calendar.add("url", url)  # RFC 7986: where the feed can be refreshed
    calendar.add_component(Timezone.from_tzid(CALENDAR_TZ))
    for event in events:
        calendar.add_component(_vevent(event))
    return calendar.to_ical()


def _vevent(event: Mapping[str, Any]) -> Event:
    vevent = Event()
    vevent.add("uid", f"{event['id']}@kyodo")
    # Without METHOD, DTSTAMP is when the information last changed (RFC 5545 3.8.7.2).
    vevent.add("dtstamp", _utc(event["updated_at"]))
    vevent.add("created", _utc(event["created_at"]))
    vevent.add("last-modified", _utc(event["updated_at"]))
    vevent.add("sequence", max(int(event.get("version") or 1) - 1, 0))
    start, end = _calendar_span(event)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("summary", event["title"])
    if event.get("description"):
        vevent.add("description", event["description"])
    _add_place(vevent, event)
    vevent.add("categories", [event["kind"], *event.get("fields", [])])
    if event.get("status") in _STATUS:
        vevent.add("status", _STATUS[event["status"]])
    _add_recurrence(vevent, event)
    contact = event.get("contact") or {}
    if contact.get("email"):
        organizer = vCalAddress(f"mailto:{contact['email']}")
        organizer.params["cn"] = contact.get("name") or ""
        vevent.add("organizer", organizer)
    return vevent


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(_UTC)


def _calendar_span(event: Mapping[str, Any]) -> tuple[date | datetime, date | datetime]:
    start, end = local_span(event)
    if event.get("all_day"):
        # DTEND of an all-day event is exclusive, as the API's ends_at already is.
        end_date = end.date() if end.date() > start.date() else start.date() + timedelta(days=1)
        return start.date(), end_date
    zone = ZoneInfo(CALENDAR_TZ)
    return start.astimezone(zone), end.astimezone(zone)


def _add_place(vevent: Event, event: Mapping[str, Any]) -> None:
    venue = event.get("venue")
    if venue:
        vevent.add("location", ", ".join(p for p in (venue["name"], venue.get("address")) if p))
        if venue.get("latitude") is not None and venue.get("longitude") is not None:
            vevent.add("geo", (float(venue["latitude"]), float(venue["longitude"])))
    if event.get("online_url"):
        vevent.add("url", event["online_url"])


def _add_recurrence(vevent: Event, event: Mapping[str, Any]) -> None:
    recurrence = event.get("recurrence")
    if not recurrence or not recurrence.get("rrule"):
        return
    rule = recurrence["rrule"].strip()
    if rule[:6].upper() == "RRULE:":
        rule = rule[6:]
    recur = vRecur.from_ical(rule)
    all_day = bool(event.get("all_day"))
    if all_day and "UNTIL" in recur:
        # Beside a DATE DTSTART, UNTIL must be a DATE too (RFC 5545 3.3.10).
        until = recur["UNTIL"][0]
        if isinstance(until, datetime):
            recur["UNTIL"] = [until.astimezone(ZoneInfo(CALENDAR_TZ)).date()]
    vevent.add("rrule", recur)
    cancelled = cancelled_starts(event)
    if cancelled:
        zone = ZoneInfo(CALENDAR_TZ)
        exdates = [c.date() if all_day else c.astimezone(zone) for c in cancelled]
        vevent.add("exdate", exdates)
