"""schema.org ``Event`` JSON-LD for one event, for portals to embed in their pages.

Search engines read it to show events; the shape follows schema.org and the
properties Google's event rich results look for (eventStatus, location, offers).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from services.events.recurrence import cancelled_starts, local_span, rule_parts, series_end

__all__ = ["event_jsonld"]

SCHEMA = "https://schema.org/"
_STATUS = {
    "published": "EventScheduled",
    "cancelled": "EventCancelled",
    "postponed": "EventPostponed",
}
_FREQUENCY = {"DAILY": "D", "WEEKLY": "W", "MONTHLY": "M", "YEARLY": "Y"}
_DAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}


def event_jsonld(event: Mapping[str, Any], *, url: str | None = None) -> dict[str, Any]:
    """A schema.org ``Event`` (JSON-serialisable dict) for an ``EventPublic`` dict.

    ``url`` is the event's public page, if the caller has one. Recurring events
    get an ``eventSchedule``; startDate/endDate describe the first occurrence.
    """
    start, end = local_span(event)
    all_day = bool(event.get("all_day"))
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event["title"],
        "description": event.get("description") or "",
        "startDate": _when(start, all_day),
        "endDate": _when(_inclusive_end(start, end) if all_day else end, all_day),
        "eventStatus": SCHEMA + _STATUS.get(event.get("status", ""), "EventScheduled"),
        "inLanguage": "ja",
    }
    if url:
        document["url"] = url
    document.update(_attendance(event))
    if event.get("organizers"):
        document["organizer"] = [
            {"@type": "Organization", "name": organizer["name"]}
            for organizer in event["organizers"]
        ]
    document.update(_capacity_and_offers(event, url))
    if event.get("target_audience"):
        document["audience"] = {"@type": "Audience", "audienceType": event["target_audience"]}
    schedule = _schedule(event)
    if schedule:
        document["eventSchedule"] = schedule
    return document


def _when(value: datetime, all_day: bool) -> str:
    return value.date().isoformat() if all_day else value.isoformat()


def _inclusive_end(start: datetime, end: datetime) -> datetime:
    # The API's all-day end is the next midnight; schema.org's endDate is the last day.
    return max(start, end - timedelta(days=1))


def _attendance(event: Mapping[str, Any]) -> dict[str, Any]:
    venue, online_url = event.get("venue"), event.get("online_url")
    locations: list[dict[str, Any]] = []
    if venue:
        locations.append(_place(venue))
    if online_url:
        locations.append({"@type": "VirtualLocation", "url": online_url})
    if not locations:
        return {}
    mode = "Mixed" if venue and online_url else "Offline" if venue else "Online"
    return {
        "eventAttendanceMode": f"{SCHEMA}{mode}EventAttendanceMode",
        "location": locations[0] if len(locations) == 1 else locations,
    }


def _place(venue: Mapping[str, Any]) -> dict[str, Any]:
    address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "JP"}
    if venue.get("address"):
        address["streetAddress"] = venue["address"]
    if venue.get("postal_code"):
        address["postalCode"] = venue["postal_code"]
    place: dict[str, Any] = {"@type": "Place", "name": venue["name"], "address": address}
    if venue.get("latitude") is not None and venue.get("longitude") is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": venue["latitude"],
            "longitude": venue["longitude"],
        }
    return place


def _capacity_and_offers(event: Mapping[str, Any], url: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    capacity = event.get("capacity")
    remaining = None
    if capacity is not None:
        remaining = max(capacity - int(event.get("places_taken") or 0), 0)
        result["maximumAttendeeCapacity"] = capacity
        result["remainingAttendeeCapacity"] = remaining
    fee = event.get("fee_jpy")
    if fee is not None:  # None means "not stated": say nothing rather than "free"
        offer: dict[str, Any] = {"@type": "Offer", "price": fee, "priceCurrency": "JPY"}
        if remaining is not None:
            offer["availability"] = SCHEMA + ("SoldOut" if remaining == 0 else "InStock")
        if event.get("registration_deadline"):
            offer["validThrough"] = event["registration_deadline"]
        if url:
            offer["url"] = url
        if event.get("fee_note"):
            offer["description"] = event["fee_note"]
        result["offers"] = offer
        result["isAccessibleForFree"] = fee == 0
    return result


def _schedule(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """schema.org ``Schedule`` from the RRULE: as much of it as schema.org can say."""
    recurrence = event.get("recurrence")
    if not recurrence or not recurrence.get("rrule"):
        return None
    parts = rule_parts(recurrence["rrule"])
    all_day = bool(event.get("all_day"))
    start, end = local_span(event)
    tz = event.get("timezone") or "Asia/Tokyo"
    schedule: dict[str, Any] = {
        "@type": "Schedule",
        "scheduleTimezone": tz,
        "startDate": start.date().isoformat(),
    }
    if parts.get("FREQ") in _FREQUENCY:
        interval = int(parts.get("INTERVAL", "1"))
        schedule["repeatFrequency"] = f"P{interval}{_FREQUENCY[parts['FREQ']]}"
    if "COUNT" in parts:
        schedule["repeatCount"] = int(parts["COUNT"])
    schedule.update(_by_parts(parts))
    last_end = series_end(starts_at=start, ends_at=end, rrule=recurrence["rrule"], tz=tz)
    if last_end is not None:
        last_day = _inclusive_end(start, last_end) if all_day else last_end
        schedule["endDate"] = last_day.date().isoformat()
    if not all_day:
        schedule["startTime"] = start.time().isoformat()
        schedule["endTime"] = end.time().isoformat()
        schedule["duration"] = _duration(end - start)
    cancelled = cancelled_starts(event)
    if cancelled:
        schedule["exceptDate"] = [_when(c, all_day) for c in cancelled]
    return schedule


def _by_parts(parts: Mapping[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    days, weeks = [], set()
    for token in parts.get("BYDAY", "").split(",") if parts.get("BYDAY") else []:
        # "2SA" is the second Saturday: schema.org splits it into byDay + byMonthWeek.
        ordinal, code = token[:-2], token[-2:]
        if code not in _DAYS:
            continue
        days.append(SCHEMA + _DAYS[code])
        if ordinal and int(ordinal) > 0:
            weeks.add(int(ordinal))
    if days:
        result["byDay"] = days if len(days) > 1 else days[0]
    if weeks:
        result["byMonthWeek"] = sorted(weeks) if len(weeks) > 1 else weeks.pop()
    if parts.get("BYMONTHDAY"):
        result["byMonthDay"] = [int(d) for d in parts["BYMONTHDAY"].split(",")]
    if parts.get("BYMONTH"):
        result["byMonth"] = [int(m) for m in parts["BYMONTH"].split(",")]
    return result


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    time_part = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    body = (f"{days}D" if days else "") + (f"T{time_part}" if time_part else "")
    return f"P{body}" if body else "PT0M"
