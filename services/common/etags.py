"""Optimistic concurrency with ``ETag`` and ``If-Match``.

Every single-resource read carries ``ETag: "<version>"``. Updates and deletes
*require* ``If-Match`` (428 without it): a client that never read the resource
must not overwrite someone else's change by accident. ``If-Match: *`` is the
explicit "whatever the current version is". A stale tag is 412.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request, Response

from services.common.problems import ProblemError

__all__ = [
    "IfMatchHeader",
    "PreconditionFailed",
    "PreconditionRequired",
    "check_if_match",
    "etag_for",
    "not_modified",
    "set_etag",
    "tagged_or_not_modified",
]


class PreconditionFailed(ProblemError):
    """If-Match names a version that is no longer current."""

    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(ProblemError):
    """The write needs If-Match."""

    status, slug, title = 428, "precondition-required", "Precondition required"


def etag_for(version: int) -> str:
    """The strong entity tag of a resource version."""
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    """Put the version's ETag on a response."""
    response.headers["ETag"] = etag_for(version)


def not_modified(request: Request, version: int) -> bool:
    """Whether ``If-None-Match`` already names this version (answer 304)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag_for(version) in tags


def tagged_or_not_modified(request: Request, response: Response, version: int) -> Response | None:
    """Tag a single-resource read with its ETag, or answer 304 when the client has it."""
    if not_modified(request, version):
        return Response(status_code=304, headers={"ETag": etag_for(version)})
    set_etag(response, version)
    return None


IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=256,
        description='The `ETag` you read, e.g. `"3"`; required for updates and deletes.',
    ),
]


def check_if_match(if_match: str | None, current_version: int) -> None:
    """Raise 428 when ``If-Match`` is missing and 412 when it names another version."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            'This write requires an If-Match header with the ETag you read (or "*").'
        )
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" in tags:
        return
    if etag_for(current_version) not in tags:
        raise PreconditionFailed(
            f"The resource has changed: its current ETag is {etag_for(current_version)}.",
            headers={"ETag": etag_for(current_version)},
        )
