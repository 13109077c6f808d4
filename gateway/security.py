"""Browser-facing safety headers and CORS for the API.

The API answers JSON to programs, so by default a response may not be framed,
sniffed, sent as a referrer or used as a page that loads anything
(``default-src 'none'``). Pages that need more (the docs, later the embeds)
say so through an override hook, and a header the inner app set itself always
wins: these are defaults, never duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.auth import PERSONAL_TOKEN_HEADERS

__all__ = [
    "API_CSP",
    "CORS_ALLOWED_HEADERS",
    "CORS_ALLOWED_METHODS",
    "CORS_EXPOSED_HEADERS",
    "DOCS_CSP",
    "HeaderOverrides",
    "SecurityHeadersMiddleware",
    "cors_middleware",
]

API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'"
)
"""For a page served with its own scripts and styles (Swagger UI from the package)."""

HeaderOverrides = Callable[[Scope], Mapping[str, str | None] | None]
"""Per-request changes to the defaults: header name -> value, None to omit it."""

_Headers = list[tuple[bytes, bytes]]
_CREDENTIALS = (b"authorization", b"cookie", *PERSONAL_TOKEN_HEADERS)


def _encode(headers: Mapping[str, str | None]) -> _Headers:
    return [(name.lower().encode(), value.encode()) for name, value in headers.items() if value]


class SecurityHeadersMiddleware:
    """Adds the safety headers an API response should carry, unless already set.

    - ``X-Content-Type-Options``, ``Referrer-Policy``, ``X-Frame-Options`` and a
      CSP that forbids everything, on every response;
    - ``Strict-Transport-Security`` when the request came over https (as the
      server saw it: behind a TLS proxy, uvicorn's ``--proxy-headers`` sets it);
    - ``Cache-Control: no-store`` when the request carried credentials and the
      response says nothing about caching, so a shared cache never keeps a
      caller's private answer.

    ``overrides(scope)`` changes the defaults for some paths, e.g. the docs page
    ``{"Content-Security-Policy": DOCS_CSP}``, or an embed allowed in listed
    frames ``{"Content-Security-Policy": "...; frame-ancestors https://city.example",
    "X-Frame-Options": None}``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        overrides: HeaderOverrides | None = None,
        hsts: str | None = "max-age=31536000",
    ) -> None:
        self.app = app
        self.overrides = overrides
        self.hsts = hsts
        self.defaults: dict[str, str | None] = {
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            "x-frame-options": "DENY",
            "content-security-policy": API_CSP,
        }
        self._plain = _encode(self.defaults)
        self._secure = _encode({**self.defaults, "strict-transport-security": hsts})

    def _headers_for(self, scope: Scope) -> _Headers:
        secure = scope.get("scheme") == "https"
        changes = self.overrides(scope) if self.overrides is not None else None
        if not changes:
            return self._secure if secure else self._plain
        return _encode(
            {
                **self.defaults,
                "strict-transport-security": self.hsts if secure else None,
                **{name.lower(): value for name, value in changes.items()},
            }
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        defaults = self._headers_for(scope)
        credentialed = any(name in _CREDENTIALS for name, _ in scope["headers"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(pair for pair in defaults if pair[0] not in present)
                if credentialed and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


CORS_ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CORS_ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Request-ID",
    "traceparent",
    "tracestate",
)
CORS_EXPOSED_HEADERS = (
    "ETag",
    "Link",
    "Location",
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
    "X-Request-ID",
    "Kyodo-Next-Cursor",
    "traceparent",
)


def cors_middleware(app: ASGIApp, origins: list[str], *, max_age: int = 600) -> ASGIApp:
    """``app`` callable from browsers on ``origins`` (``GatewaySettings.cors_origins``).

    No origins: ``app`` itself, so a gateway without browsers pays nothing.
    Credentials (cookies) are never allowed: the API authenticates with bearer
    keys, which a browser only sends when the calling script adds them.
    ``max_age`` lets a browser reuse a preflight for ten minutes.
    """
    if not origins:
        return app
    return CORSMiddleware(
        app,
        allow_origins=[origin.rstrip("/") for origin in origins],
        allow_methods=CORS_ALLOWED_METHODS,
        allow_headers=CORS_ALLOWED_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
        allow_credentials=False,
        max_age=max_age,
    )
