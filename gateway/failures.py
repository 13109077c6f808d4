"""How forwarding to a service fails: the kinds reported, and what the caller gets.

Each failed attempt is reported to an optional hook as ``hook(service, kind)``
(the metrics plug in there); the caller gets an RFC 9457 problem+json in the
shape of :mod:`services.common.problems`:

| kind | status, problem type | when |
| --- | --- | --- |
| ``refused`` | 502 ``bad-gateway`` | no connection could be made |
| ``reset`` | 502 ``bad-gateway`` | the connection dropped before an answer |
| ``bad_response`` | 502 ``bad-gateway`` | the answer was not valid HTTP |
| ``connect_timeout`` | 504 ``gateway-timeout`` | no connection in time |
| ``read_timeout`` | 504 ``gateway-timeout`` | the answer did not start in time |
| ``open_circuit`` | 503 ``service-unavailable`` + ``Retry-After`` | the breaker refused |
| ``busy`` | 503 ``service-unavailable`` + ``Retry-After`` | no free pooled connection in time |
| ``interrupted`` | (the head was sent: the connection is dropped) | the answer broke off |

Only the first five are failures of the service (the breaker counts them). The
caller's own failure is not reported: a request body that does not arrive in
time gets 408 ``request-timeout`` and the caller's connection is closed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aiohttp
from starlette.types import Scope, Send

from services.common.problems import PROBLEM_CONTENT_TYPE, problem_type

__all__ = ["PROBLEMS", "UpstreamErrorHook", "UpstreamFailure", "classify", "send_problem"]

UpstreamErrorHook = Callable[[str, str], None]
"""Called as ``hook(service, kind)`` for each failed attempt (see the table above)."""

PROBLEMS: dict[int, tuple[str, str]] = {
    408: ("request-timeout", "Request timeout"),
    502: ("bad-gateway", "Bad gateway"),
    503: ("service-unavailable", "Service unavailable"),
    504: ("gateway-timeout", "Gateway timeout"),
}
"""Status -> (problem type slug, title) of the gateway's own forwarding problems."""


class UpstreamFailure(Exception):
    """An attempt that got no answer from the service: its kind, status and detail."""

    def __init__(self, kind: str, status: int, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.status, self.detail = kind, status, detail


def classify(exc: BaseException, service: str) -> UpstreamFailure:
    """What an aiohttp (or timeout) error means for the caller."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return UpstreamFailure(
            "connect_timeout", 504, f"The {service} service did not accept a connection in time."
        )
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        return UpstreamFailure(
            "read_timeout", 504, f"The {service} service did not answer in time."
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        return UpstreamFailure("refused", 502, f"The {service} service refused the connection.")
    if isinstance(exc, aiohttp.ClientResponseError):
        return UpstreamFailure(
            "bad_response", 502, f"The {service} service sent an invalid answer."
        )
    return UpstreamFailure(
        "reset", 502, f"The {service} service closed the connection without answering."
    )


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    detail: str,
    *,
    request_id: bytes | None = None,
    traceparent: bytes | None = None,
    retry_after: int | None = None,
    close: bool = False,
) -> None:
    """Answer the request with the gateway's problem+json for ``status`` (and close
    the caller's connection after it when ``close``)."""
    slug, title = PROBLEMS[status]
    problem: dict[str, Any] = {
        "type": problem_type(slug),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": scope["path"],
    }
    if request_id is None:
        request_id = dict(scope["headers"]).get(b"x-request-id")
    if request_id is not None:
        problem["request_id"] = request_id.decode("latin-1")
    body = json.dumps(problem, ensure_ascii=False).encode()
    headers = [
        (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    if traceparent is not None:
        headers.append((b"traceparent", traceparent))
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
