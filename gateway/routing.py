"""Which service answers which path: the one routing table of the platform."""

from __future__ import annotations

__all__ = ["ROUTES", "service_for"]

# Path prefix -> service. Longest prefix wins; a prefix matches itself and
# anything below it ("/v1/resources" matches "/v1/resources/…", not "/v1/resourcesX").
ROUTES: dict[str, str] = {
    "/v1/organizations": "registry",
    "/v1/resources": "registry",
    "/v1/registry": "registry",
    "/v1/events": "events",
    "/v1/events.ics": "events",
    "/v1/events.csv": "events",
    "/v1/opportunities": "events",
    "/v1/shifts": "events",
    "/v1/signups": "events",
    "/v1/volunteer-hours": "events",
    "/v1/points-rules": "events",
}
_BY_LENGTH = sorted(ROUTES, key=len, reverse=True)


def service_for(path: str) -> str | None:
    """The service that owns ``path``, or None when the gateway answers it itself."""
    for prefix in _BY_LENGTH:
        if path == prefix or path.startswith(prefix + "/"):
            return ROUTES[prefix]
    return None
