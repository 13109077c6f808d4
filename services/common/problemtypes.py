"""Every problem type the platform answers: the catalogue clients switch on.

The contract publishes it as ``x-problem-types`` and documents responses from it
(:mod:`services.common.openapi`). A :class:`~services.common.problems.ProblemError`
subclass, a middleware or the edge that answers a new ``type`` adds it here; a test
walks the error classes and fails on a slug missing from this list.

The first entry of a status is its *generic* type: the one documented where a
route names only the status (``problem_responses(404)``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROBLEM_CATALOGUE", "ProblemType", "generic_slug"]


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its HTTP status, short title and what it means."""

    status: int
    title: str
    description: str


PROBLEM_CATALOGUE: dict[str, ProblemType] = {
    # --- the request itself
    "bad-request": ProblemType(
        400, "Bad request", "Malformed request: a header or parameter the API cannot read."
    ),
    "malformed-body": ProblemType(
        400, "Malformed body", "The body is not valid JSON (or not UTF-8); `errors` says where."
    ),
    "invalid-cursor": ProblemType(
        400, "Invalid cursor", "A cursor this API did not issue, or issued for another listing."
    ),
    "invalid-idempotency-key": ProblemType(
        400, "Invalid Idempotency-Key", "Idempotency-Key must be 1 to 255 visible ASCII characters."
    ),
    # --- who is calling
    "unauthorized": ProblemType(
        401,
        "Authentication required",
        "No API key for an operation that needs one, or a key that is unknown, revoked or "
        "expired (sent to any operation). `WWW-Authenticate` carries the Bearer challenge.",
    ),
    "forbidden": ProblemType(
        403,
        "Forbidden",
        "The API key may not do this: it lacks the scope the operation needs "
        '(`WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`), or its '
        "client does not act for the organisation that owns the record.",
    ),
    # --- what is asked for
    "not-found": ProblemType(404, "Not found", "No such resource, or no such path."),
    "method-not-allowed": ProblemType(
        405, "Method not allowed", "The path exists but does not take this method; see `Allow`."
    ),
    "conflict": ProblemType(
        409, "Conflict", "The request conflicts with stored data; nothing was written."
    ),
    "idempotency-key-in-use": ProblemType(
        409, "Conflict", "A request with this Idempotency-Key is still in progress; retry later."
    ),
    "corporate-number-taken": ProblemType(
        409, "Conflict", "Another organisation is registered with this corporate number."
    ),
    "registration-closed": ProblemType(
        409, "Conflict", "The shift or opportunity is not taking sign-ups (closed or full)."
    ),
    "already-signed-up": ProblemType(
        409, "Conflict", "This person has already signed up for this shift."
    ),
    "invalid-status-change": ProblemType(
        409, "Conflict", "The issue cannot move from its current status to the one asked for."
    ),
    "issue-not-open": ProblemType(
        409, "Conflict", "The issue is not open (draft, closed or deleted) for this action."
    ),
    "resource-unavailable": ProblemType(
        409, "Conflict", "The resource is paused or retired: it is not on offer."
    ),
    "duplicate-match": ProblemType(
        409, "Conflict", "The issue and this partner already have a live match."
    ),
    "invalid-transition": ProblemType(
        409, "Conflict", "The match cannot move from its status to the one asked for."
    ),
    "agreement-pending": ProblemType(
        409, "Conflict", "The agreement already awaits the other side's confirmation."
    ),
    "reviews-missing": ProblemType(
        409, "Conflict", "Both sides must review the collaboration before this step."
    ),
    "wrong-stage": ProblemType(
        409, "Conflict", "The match's current status does not take this action (notes, reviews)."
    ),
    "not-reviewed": ProblemType(
        409, "Conflict", "Only reviewed collaborations are published as case studies."
    ),
    "already-published": ProblemType(
        409, "Conflict", "This collaboration is already published as a case study."
    ),
    "consent-pending": ProblemType(
        409, "Conflict", "The case study already awaits the other side's consent."
    ),
    "request-timeout": ProblemType(
        408,
        "Request timeout",
        "The request body did not arrive in time (a pause between its pieces, or the "
        "whole request, too long); nothing was done and the connection is closed.",
    ),
    "gone": ProblemType(
        410, "Gone", "The resource existed and was deleted (change feeds keep its tombstone)."
    ),
    # --- conditions and bodies
    "precondition-failed": ProblemType(
        412, "Precondition failed", "If-Match names a version that is no longer current."
    ),
    "payload-too-large": ProblemType(
        413, "Payload too large", "The request body is over the limit (imports have their own)."
    ),
    "unsupported-media-type": ProblemType(
        415, "Unsupported media type", "The body's Content-Type is not accepted here."
    ),
    "validation-error": ProblemType(
        422, "Invalid input", "Fields are invalid; `errors` lists each with a stable `code`."
    ),
    "idempotency-key-reused": ProblemType(
        422, "Invalid input", "This Idempotency-Key was used for a different request."
    ),
    "too-many-events": ProblemType(
        422, "Too many events", "More events match than one feed carries; narrow the filters."
    ),
    "precondition-required": ProblemType(
        428, "Precondition required", "This write requires If-Match (`*` to override)."
    ),
    # --- the edge and the platform
    "rate-limited": ProblemType(
        429,
        "Too many requests",
        "The caller's rate limit is spent; retry after `Retry-After` seconds "
        "(`RateLimit` and `RateLimit-Policy` say how much is left and the policy).",
    ),
    "internal-error": ProblemType(
        500, "Internal server error", "An unexpected error; it is logged with the request id."
    ),
    "bad-gateway": ProblemType(
        502, "Bad gateway", "The service behind the gateway failed or answered nonsense."
    ),
    "service-unavailable": ProblemType(
        503,
        "Service unavailable",
        "The service behind the gateway is down or shedding load; retry after `Retry-After`.",
    ),
    "rate-limit-unavailable": ProblemType(
        503,
        "Service unavailable",
        "Rate limits cannot be checked (their store is down) and the gateway refuses "
        "rather than serve unlimited; retry after `Retry-After`.",
    ),
    "gateway-timeout": ProblemType(
        504, "Gateway timeout", "The service behind the gateway did not answer in time."
    ),
}


def generic_slug(status: int) -> str:
    """The type documented for ``status`` when nothing more specific is named."""
    for slug, kind in PROBLEM_CATALOGUE.items():
        if kind.status == status:
            return slug
    raise KeyError(f"no problem type is catalogued for status {status}")
