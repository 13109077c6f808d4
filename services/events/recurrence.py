"""Recurring events (繰り返し開催): validating RRULEs and expanding them into occurrences.

Rules are RFC 5545 RRULE text, parsed by dateutil. Expansion happens in the
event's own time zone so that a weekly 10:00 session stays at 10:00 local time
even in a zone with daylight saving time; Asia/Tokyo has none, but nothing here
relies on that.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule as du_rrule
from dateutil.relativedelta import relativedelta

__all__ = [
    "MAX_COUNT",
    "MAX_SPAN_YEARS",
    "Occurrence",
    "cancelled_starts",
    "expand",
    "local_span",
    "rule_parts",
    "series_end",
    "validate_rrule",
]

MAX_COUNT = 1000
MAX_SPAN_YEARS = 5
DEFAULT_TZ = "Asia/Tokyo"
# A calendar of events, not of alarms: sub-daily rules would flood every listing.
_SUB_DAILY = frozenset({"SECONDLY", "MINUTELY", "HOURLY"})
# dateutil reports malformed parts with several exception types.
_PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError)


@dataclass(frozen=True)
class Occurrence:
    """One instance of an event: aware datetimes in the event's time zone."""

    starts_at: datetime
    ends_at: datetime
    cancelled: bool


def rule_parts(rule: str) -> dict[str, str]:
    """Split RRULE text into its parts, e.g. ``{"FREQ": "WEEKLY", "BYDAY": "SA"}``.

    Keys and values are upper-cased; a leading ``RRULE:`` is ignored. Raises
    ValueError on text that is not ``KEY=VALUE`` pairs separated by ``;``.
    """
    text = rule.strip()
    if text[:6].upper() == "RRULE:":
        text = text[6:]
    if not text or "\n" in text or "\r" in text:
        raise ValueError("a recurrence rule is one RRULE line, e.g. FREQ=WEEKLY;BYDAY=SA")
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        key, sep, value = chunk.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not sep or not key or not value:
            raise ValueError(f"cannot parse recurrence rule part {chunk!r}")
        if key in parts:
            raise ValueError(f"recurrence rule part {key} given twice")
        parts[key] = value
    return parts


def _in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    # A naive datetime would silently be read as the server's local time.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no UTC offset")
    return moment.astimezone(zone)


def _utc_until(value: str, zone: ZoneInfo) -> str:
    """UNTIL as a UTC date-time, as RFC 5545 requires beside a zoned DTSTART.

    People write ``UNTIL=20270130`` meaning "through that day", so a bare date
    counts to the end of that local day; a floating date-time is local time.
    """
    try:
        if len(value) == 8:
            local = datetime.combine(date.fromisoformat(value), time.max, zone)
        elif value.endswith("Z"):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").strftime("%Y%m%dT%H%M%SZ")
        else:
            local = datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone)
        if not 1900 <= local.year <= 2200:
            raise ValueError("out of range")
        return local.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    except (ValueError, OverflowError) as exc:
        raise ValueError(
            f"cannot use UNTIL={value}: write YYYYMMDD or YYYYMMDDTHHMMSSZ, years 1900-2200"
        ) from exc


def _build(parts: Mapping[str, str], local_start: datetime) -> du_rrule.rrule:
    text = ";".join(f"{key}={value}" for key, value in parts.items())
    try:
        parsed = du_rrule.rrulestr(text, dtstart=local_start)
    except _PARSE_ERRORS as exc:
        raise ValueError(f"cannot parse recurrence rule {text!r}: {exc}") from exc
    if not isinstance(parsed, du_rrule.rrule):  # an RRULE line never makes a set, but be sure
        raise ValueError("a recurrence rule is one RRULE line")
    return parsed


# What RFC 5545 defines; dateutil also reads extensions (BYEASTER) that
# calendar clients would reject.
_RFC5545_PARTS = {
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}


def validate_rrule(rule: str, starts_at: datetime, *, tz: str = DEFAULT_TZ) -> str:
    """Check an RRULE for an event starting at ``starts_at``; return its normal form.

    The normal form has no ``RRULE:`` prefix, FREQ first, upper-case parts and
    UNTIL in UTC. Raises ValueError with a message fit for an API client when the
    rule cannot be parsed, repeats more often than daily, has COUNT above
    1000, runs more than 5 years past the start, yields no occurrence, or does
    not have the start itself as its first occurrence (RFC 5545 leaves such
    recurrence sets undefined, so calendar clients would disagree with us).
    """
    zone = ZoneInfo(tz)
    local_start = _in_zone(starts_at, zone)
    parts = rule_parts(rule)
    unknown = sorted(set(parts) - _RFC5545_PARTS)
    if unknown:
        raise ValueError(f"not an RFC 5545 rule part: {', '.join(unknown)}")
    freq = parts.pop("FREQ", None)
    if freq is None:
        raise ValueError("the recurrence rule needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)")
    if freq in _SUB_DAILY:
        raise ValueError(f"FREQ={freq} is not supported: events repeat at most daily")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError("use COUNT or UNTIL, not both (RFC 5545)")
    if "UNTIL" in parts:
        parts["UNTIL"] = _utc_until(parts["UNTIL"], zone)
    parts = {"FREQ": freq, **parts}
    parsed = _build(parts, local_start)

    if "COUNT" in parts and not 1 <= int(parts["COUNT"]) <= MAX_COUNT:
        raise ValueError(f"COUNT must be between 1 and {MAX_COUNT}")
    if int(parts.get("INTERVAL", "1")) < 1:
        raise ValueError("INTERVAL must be 1 or more")
    horizon = local_start + relativedelta(years=MAX_SPAN_YEARS)
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
        if until > horizon:
            raise ValueError(f"UNTIL may be at most {MAX_SPAN_YEARS} years after the start")
    # Bounded search: an impossible rule (BYMONTH=2;BYMONTHDAY=30) would
    # otherwise make dateutil walk to the year 9999 before giving up.
    first = parsed.replace(count=None, until=horizon).after(local_start, inc=True)
    if first is None:
        raise ValueError("the recurrence rule produces no occurrence")
    if first != local_start:
        raise ValueError(
            f"the event start must be the rule's first occurrence; the rule starts on "
            f"{first.isoformat()}"
        )
    return ";".join(f"{key}={value}" for key, value in parts.items())


def _starts(rule_text: str, local_start: datetime, after: datetime) -> Iterator[datetime]:
    parsed = _build(rule_parts(rule_text), local_start)
    # dateutil compares in the rule's own zone; aware datetimes compare as instants.
    return parsed.xafter(after.astimezone(local_start.tzinfo), inc=True)


def expand(
    *,
    starts_at: datetime,
    ends_at: datetime,
    rrule: str | None,
    cancelled: Iterable[datetime],
    tz: str,
    window_start: datetime,
    window_end: datetime,
    limit: int = MAX_COUNT,
) -> list[Occurrence]:
    """Occurrences that overlap ``[window_start, window_end)``, in order, at most ``limit``.

    An occurrence that began before the window and is still running counts;
    one that ends exactly at ``window_start`` does not. Each occurrence keeps
    the first one's local wall-clock start and duration. Occurrences whose
    start equals one of ``cancelled`` are returned with ``cancelled=True``.
    """
    zone = ZoneInfo(tz)
    local_start, local_end = _in_zone(starts_at, zone), _in_zone(ends_at, zone)
    # Same-tzinfo subtraction is wall-clock time, so 10:00–12:00 stays 10:00–12:00.
    duration = local_end - local_start
    skipped = set(cancelled)
    if rrule is None:
        candidates: Iterable[datetime] = [local_start]
    else:
        # A day of slack covers a DST shift between wall-clock and absolute time.
        candidates = _starts(rrule, local_start, window_start - duration - timedelta(days=1))
    found: list[Occurrence] = []
    for start in candidates:
        if start >= window_end or len(found) >= limit:
            break
        end = start + duration
        # The same test as the SQL pre-selection on series_end, so both agree.
        if end > window_start:
            found.append(Occurrence(start, end, cancelled=start in skipped))
    return found


def series_end(
    *, starts_at: datetime, ends_at: datetime, rrule: str | None, tz: str
) -> datetime | None:
    """End of the series' last occurrence, or None when the rule never ends.

    The service stores it so a window query can pick candidate events in SQL:
    ``starts_at < window_end AND (series_end IS NULL OR series_end > window_start)``.
    """
    if rrule is None:
        return ends_at
    zone = ZoneInfo(tz)
    local_start, local_end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    parts = rule_parts(rrule)
    if "COUNT" not in parts and "UNTIL" not in parts:
        return None
    # Bounded by COUNT or UNTIL; keep only the last start while walking the series.
    last = deque(_build(parts, local_start), maxlen=1)
    return (last[0] if last else local_start) + (local_end - local_start)


def local_span(event: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """An ``EventPublic`` dict's start and end as aware datetimes in its own time zone."""
    zone = ZoneInfo(event.get("timezone") or DEFAULT_TZ)
    start = datetime.fromisoformat(event["starts_at"]).astimezone(zone)
    end = datetime.fromisoformat(event["ends_at"]).astimezone(zone)
    return start, end


def cancelled_starts(event: Mapping[str, Any]) -> list[datetime]:
    """The starts of an event's cancelled occurrences, sorted, in its own time zone."""
    recurrence = event.get("recurrence") or {}
    zone = ZoneInfo(event.get("timezone") or DEFAULT_TZ)
    values = recurrence.get("cancelled_occurrences") or []
    return sorted(datetime.fromisoformat(value).astimezone(zone) for value in values)
