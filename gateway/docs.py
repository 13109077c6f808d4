"""The API's documentation pages, served by the gateway and working offline.

- ``GET /docs``: Swagger UI, from the files of the installed ``swagger-ui-bundle``
  (no CDN, no external URL). Swagger UI 4 renders OpenAPI 3.0 only, so it reads
  ``/docs/openapi-3.0.json``, a translation of the contract
  (:mod:`gateway.openapi30`); ``/openapi.json`` stays the contract.
- ``GET /docs/reference``: the whole contract as one HTML page without
  JavaScript (:mod:`gateway.reference`).
- ``GET /docs/assets/{version}/{name}``: the pages' files. ``version`` changes
  whenever a file does, so they are cached for a year.

The pages need a Content-Security-Policy of their own, :data:`DOCS_CSP` (no
inline script or style: Swagger UI starts from a served file). Every response of
this router carries it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from html import escape
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from swagger_ui_bundle import swagger_ui_path

from gateway.openapi30 import as_openapi_30
from gateway.reference import render_reference
from services.common.problems import NotFound

__all__ = ["DOCS_CSP", "docs_router"]

DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
"""What the docs pages need: their own scripts, styles and images (Swagger UI
draws icons from ``data:`` URLs) and requests to this origin ("Try it out")."""

_INITIALIZER = b"""\
// Starts Swagger UI on the contract named by the page (no inline script: see the CSP).
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    persistAuthorization: false
  });
});
"""

_STYLE = b"""\
/* The reference page: readable without this file, a little easier with it. */
body { margin: 0; font: 16px/1.55 system-ui, sans-serif; color: #1b1b1b; background: #fff; }
header, nav, main > section { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
a { color: #0b57d0; }
a:focus-visible, summary:focus-visible { outline: 3px solid #b35c00; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
pre { background: #f4f4f4; padding: .75rem; overflow-x: auto; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; }
article { border-top: 1px solid #ddd; padding: 1rem 0; }
.method { display: inline-block; min-width: 4.5rem; font-family: ui-monospace, monospace; }
td p, dd p { margin: 0 0 .4rem; }
dt { font-weight: 600; margin-top: .5rem; }
dd { margin-left: 1.5rem; }
@media (prefers-color-scheme: dark) {
  body { color: #e8e8e8; background: #161616; }
  a { color: #8ab4f8; }
  pre, thead th { background: #262626; }
  th, td { border-color: #444; }
}
"""

# The Swagger UI files the page uses (and their source maps, for browser tools).
_SWAGGER_FILES = (
    "swagger-ui-bundle.js",
    "swagger-ui-bundle.js.map",
    "swagger-ui.css",
    "swagger-ui.css.map",
    "favicon-16x16.png",
    "favicon-32x32.png",
)
_OWN_FILES = {"swagger-initializer.js": _INITIALIZER, "docs.css": _STYLE}
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".map": "application/json",
}
_FOREVER = "public, max-age=31536000, immutable"
_REVALIDATE = "no-cache"


@dataclass(frozen=True)
class _Body:
    """A response body kept in memory, with its gzip form and an entity tag."""

    content: bytes
    media_type: str

    @cached_property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.content).hexdigest()[:32] + '"'

    @cached_property
    def gzipped(self) -> bytes:
        return gzip.compress(self.content, compresslevel=6, mtime=0)


def _version() -> str:
    """Changes whenever a served file does: Swagger UI's version and a digest of ours."""
    ours = hashlib.sha256(b"".join(_OWN_FILES.values())).hexdigest()[:10]
    return f"{Path(str(swagger_ui_path)).name}-{ours}"


@cache
def _asset(name: str) -> _Body | None:
    media_type = _TYPES.get(Path(name).suffix)
    if media_type is None:
        return None
    if name in _OWN_FILES:
        return _Body(_OWN_FILES[name], media_type)
    if name in _SWAGGER_FILES:
        return _Body((Path(str(swagger_ui_path)) / name).read_bytes(), media_type)
    return None


def _send(request: Request, body: _Body, cache_control: str) -> Response:
    """``body``, gzipped when the client takes it, 304 when it has it already."""
    headers = {
        "Cache-Control": cache_control,
        "ETag": body.etag,
        "Vary": "Accept-Encoding",
        "Content-Security-Policy": DOCS_CSP,
        "X-Content-Type-Options": "nosniff",
    }
    if body.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "") and len(body.content) > 1024:
        headers["Content-Encoding"] = "gzip"
        return Response(body.gzipped, media_type=body.media_type, headers=headers)
    return Response(body.content, media_type=body.media_type, headers=headers)


def _swagger_page(title: str, assets: str, spec: str, reference: str, contract: str) -> bytes:
    return f"""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}: Swagger UI</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" sizes="32x32" href="{assets}/favicon-32x32.png">
<link rel="icon" type="image/png" sizes="16x16" href="{assets}/favicon-16x16.png">
</head>
<body>
<nav class="swagger-ui" aria-label="Other documentation"><div class="wrapper">
<p class="info"><a href="{reference}">The reference as one page (no JavaScript)</a>
· <a href="{contract}">The OpenAPI 3.1 contract</a></p>
<noscript><p>Swagger UI needs JavaScript;
<a href="{reference}">the reference</a> does not.</p></noscript>
</div></nav>
<main id="swagger-ui" data-url="{spec}"></main>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-initializer.js"></script>
</body>
</html>
""".encode()


def docs_router(
    contract: Callable[[], dict[str, Any]], *, openapi_url: str = "/openapi.json"
) -> APIRouter:
    """The docs pages of ``contract`` (the merged OpenAPI 3.1 document), which is
    served at ``openapi_url``. Include it in the gateway's own app."""
    router = APIRouter(prefix="/docs", include_in_schema=False)
    version = _version()
    rendered: dict[str, _Body] = {}

    def derived(kind: str, make: Callable[[dict[str, Any]], _Body]) -> _Body:
        # Made once: the contract is built from the code, so it does not change.
        if kind not in rendered:
            rendered[kind] = make(contract())
        return rendered[kind]

    def urls(request: Request) -> dict[str, str]:
        root = escape(request.scope.get("root_path", "").rstrip("/"))
        return {
            "assets": f"{root}/docs/assets/{version}",
            "spec": f"{root}/docs/openapi-3.0.json",
            "reference": f"{root}/docs/reference",
            "contract": f"{root}{escape(openapi_url)}",
            "swagger": f"{root}/docs",
        }

    @router.get("")
    def swagger_ui(request: Request) -> Response:
        """Swagger UI on the contract."""
        title = str(contract().get("info", {}).get("title", "API"))
        page = _swagger_page(title, **{k: v for k, v in urls(request).items() if k != "swagger"})
        return _send(request, _Body(page, "text/html; charset=utf-8"), _REVALIDATE)

    @router.get("/openapi-3.0.json")
    def openapi_30(request: Request) -> Response:
        """The contract as OpenAPI 3.0, for Swagger UI 4."""
        body = derived(
            "3.0",
            lambda doc: _Body(
                json.dumps(as_openapi_30(doc), ensure_ascii=False).encode(), "application/json"
            ),
        )
        return _send(request, body, _REVALIDATE)

    @router.get("/reference")
    def reference(request: Request) -> Response:
        """The contract as one HTML page, readable without JavaScript or any asset."""
        links = urls(request)

        def render(document: dict[str, Any]) -> _Body:
            html = render_reference(
                document,
                stylesheet=f"{links['assets']}/docs.css",
                links={
                    "Swagger UI (needs JavaScript)": links["swagger"],
                    "The OpenAPI 3.1 contract": links["contract"],
                },
            )
            return _Body(html.encode(), "text/html; charset=utf-8")

        return _send(request, derived(f"reference:{links['assets']}", render), _REVALIDATE)

    @router.get("/assets/{asset_version}/{name}")
    def asset(request: Request, asset_version: str, name: str) -> Response:
        """A file of the pages, cached for a year under its version."""
        body = _asset(name) if asset_version == version else None
        if body is None:
            raise NotFound(f"No docs asset {asset_version}/{name}.")
        return _send(request, body, _FOREVER)

    return router
