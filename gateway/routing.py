"""Which service answers which path: the one routing table of the platform."""

from __future__ import annotations

__all__ = ["ROUTES", "service_for"]

# Path prefix -> service. The most specific prefix wins; a prefix matches itself
# and anything below it ("/v1/resources" matches "/v1/resources/…", not
# "/v1/resourcesX"). A "*" segment matches any one segment, so another service
# can answer below one resource ("/v1/resources/*/opportunities").
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
    "/v1/issues": "matching",
    "/v1/resources/*/opportunities": "matching",
    "/v1/matches": "matching",
    "/v1/case-studies": "matching",
    "/v1/stats": "matching",
    "/v1/matching": "matching",
}
_PATTERNS = sorted(
    ((tuple(prefix.split("/")), service) for prefix, service in ROUTES.items()),
    key=lambda item: (len(item[0]), sum(part != "*" for part in item[0])),
    reverse=True,
)


def service_for(path: str) -> str | None:
    """The service that owns ``path``, or None when the gateway answers it itself."""
    parts = path.split("/")
    for pattern, service in _PATTERNS:
        if len(parts) >= len(pattern) and all(
            want in ("*", got) for want, got in zip(pattern, parts, strict=False)
        ):
            return service
    return None
