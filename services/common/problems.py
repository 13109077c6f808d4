"""RFC 9457 problem details: every error the platform answers, in one shape.

Domain code raises a :class:`ProblemError` subclass that carries its HTTP status;
the handlers installed by :func:`install_problem_handlers` turn it, FastAPI's
validation errors, Starlette's HTTP errors and anything unexpected into
``application/problem+json``. The ``type`` URIs are stable: clients switch on them.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common.requestid import current_request_id

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "Conflict",
    "FieldError",
    "Gone",
    "NotFound",
    "Problem",
    "ProblemError",
    "ValidationProblem",
    "install_problem_handlers",
    "problem_type",
    "require_known",
]

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:kyodo:problem:"

log = structlog.get_logger(__name__)


def problem_type(slug: str) -> str:
    """The stable ``type`` URI of a problem kind."""
    return PROBLEM_TYPE_BASE + slug


class FieldError(BaseModel):
    """One invalid field of a request."""

    field: str = Field(
        description="Where: `body.name`, `query.limit`, `header.If-Match`, `row 3.kind`."
    )
    message: str
    code: str = Field(description="A stable machine-readable reason, e.g. `string_too_long`.")


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(examples=[problem_type("not-found")])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["organization 0193… does not exist"])
    instance: str | None = Field(None, examples=["/v1/organizations/0193…"])
    request_id: str | None = None
    errors: list[FieldError] | None = Field(
        None, description="Per-field errors, for validation problems."
    )


class ProblemError(Exception):
    """A domain error that knows its HTTP status and problem type."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class NotFound(ProblemError):
    """No such resource."""

    status, slug, title = 404, "not-found", "Not found"


class Gone(ProblemError):
    """The resource existed and was deleted (it stays as a tombstone in change feeds)."""

    status, slug, title = 410, "gone", "Gone"


class Conflict(ProblemError):
    """The request conflicts with stored data."""

    status, slug, title = 409, "conflict", "Conflict"


class ValidationProblem(ProblemError):
    """Semantically invalid input, with the fields at fault."""

    status, slug, title = 422, "validation-error", "Invalid input"


def require_known(ids: Sequence[str], known: Container[str], field: str, what: str) -> None:
    """Every id must be among ``known`` (422 naming each unknown one, code ``unknown_<what>``)."""
    errors = [
        FieldError(
            field=f"body.{field}.{i}" if len(ids) > 1 else f"body.{field}",
            message=f"{what} {value} is not in the registry",
            code=f"unknown_{what}",
        )
        for i, value in enumerate(ids)
        if value not in known
    ]
    if errors:
        raise ValidationProblem(f"Some {what}s are not in the registry.", errors=errors)


_STATUS_SLUGS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    412: ("precondition-failed", "Precondition failed"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "Invalid input"),
    428: ("precondition-required", "Precondition required"),
    429: ("rate-limited", "Too many requests"),
    500: ("internal-error", "Internal server error"),
    502: ("bad-gateway", "Bad gateway"),
    503: ("service-unavailable", "Service unavailable"),
    504: ("gateway-timeout", "Gateway timeout"),
}


def problem_response(
    request: Request | None,
    *,
    status: int,
    detail: str,
    slug: str | None = None,
    title: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build the problem+json response; the one place its shape is decided."""
    default_slug, default_title = _STATUS_SLUGS.get(status, ("error", "Error"))
    body = Problem(
        type=problem_type(slug or default_slug),
        title=title or default_title,
        status=status,
        detail=detail,
        instance=request.url.path if request is not None else None,
        request_id=current_request_id(),
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) if loc else "request"


def _validation_errors(exc: RequestValidationError) -> tuple[int, str, list[FieldError]]:
    errors: list[FieldError] = []
    malformed = False
    for err in exc.errors():
        code = str(err.get("type", "invalid"))
        if code == "json_invalid":
            malformed = True
        message = str(err.get("msg", "invalid value"))
        ctx = err.get("ctx") or {}
        if code == "json_invalid" and "error" in ctx:
            message = f"malformed JSON: {ctx['error']}"
        errors.append(
            FieldError(field=_location(tuple(err.get("loc", ()))), message=message, code=code)
        )
    if malformed:
        return 400, "The request body is not valid JSON.", errors
    fields = ", ".join(e.field for e in errors[:5])
    return 422, f"The request has {len(errors)} invalid field(s): {fields}.", errors


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with problem+json."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(
            request,
            status=exc.status,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            errors=exc.errors,
            headers=exc.headers,
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        status, detail, errors = _validation_errors(exc)
        slug = "malformed-body" if status == 400 else "validation-error"
        return problem_response(request, status=status, slug=slug, detail=detail, errors=errors)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError):
            # FastAPI wraps body decoding failures it does not classify itself
            # (invalid UTF-8, nesting too deep): they are malformed bodies too.
            return problem_response(
                request,
                status=400,
                slug="malformed-body",
                detail="The request body is not valid JSON.",
                errors=[
                    FieldError(
                        field="body",
                        message=f"malformed JSON: {type(exc.__cause__).__name__}",
                        code="json_invalid",
                    )
                ],
            )
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        headers = dict(exc.headers) if exc.headers else None
        return problem_response(request, status=exc.status_code, detail=detail, headers=headers)

    async def on_integrity(request: Request, exc: Exception) -> JSONResponse:
        # A constraint the service did not anticipate: the write was rolled back.
        log.warning("integrity_conflict", path=request.url.path, error=type(exc).__name__)
        return problem_response(
            request,
            status=409,
            detail="The change conflicts with stored data; nothing was written.",
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return problem_response(
            request, status=500, detail="An unexpected error occurred; it has been logged."
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(IntegrityError, on_integrity)
    app.add_exception_handler(Exception, on_unexpected)
