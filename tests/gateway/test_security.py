"""Safety headers and CORS at the edge."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Scope

from gateway.security import API_CSP, DOCS_CSP, SecurityHeadersMiddleware, cors_middleware

CITY = "https://city.example"


async def _data(request):
    return JSONResponse({"items": []})


async def _own_headers(request):
    return JSONResponse(
        {},
        headers={
            "X-Frame-Options": "SAMEORIGIN",
            "Cache-Control": "public, max-age=60",
            "Content-Security-Policy": "default-src 'self'",
        },
    )


async def _docs(request):
    return HTMLResponse("<html></html>")


def tiny_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/v1/things", _data, methods=["GET", "PATCH"]),
            Route("/v1/own", _own_headers),
            Route("/docs", _docs),
            Route("/embed", _docs),
        ]
    )


def docs_and_embeds(scope: Scope) -> dict[str, str | None] | None:
    if scope["path"] == "/docs":
        return {"Content-Security-Policy": DOCS_CSP}
    if scope["path"] == "/embed":
        return {
            "Content-Security-Policy": f"default-src 'none'; frame-ancestors {CITY}",
            "X-Frame-Options": None,
        }
    return None


def secured(base_url: str = "http://testserver") -> TestClient:
    app = SecurityHeadersMiddleware(tiny_app(), overrides=docs_and_embeds)
    return TestClient(app, base_url=base_url)


def header_names(response) -> list[str]:
    return [name.lower() for name, _ in response.headers.multi_items()]


def test_api_responses_carry_the_safety_headers_once():
    answer = secured().get("/v1/things")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Content-Security-Policy"] == API_CSP
    names = header_names(answer)
    assert len(names) == len(set(names))


def test_errors_carry_them_too():
    answer = secured().get("/nowhere")
    assert answer.status_code == 404
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_headers_the_app_set_are_kept_not_duplicated():
    answer = secured().get("/v1/own", headers={"Authorization": "Bearer k"})
    assert answer.headers.get_list("X-Frame-Options") == ["SAMEORIGIN"]
    assert answer.headers.get_list("Cache-Control") == ["public, max-age=60"]
    assert answer.headers.get_list("Content-Security-Policy") == ["default-src 'self'"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_over_https():
    assert "Strict-Transport-Security" not in secured().get("/v1/things").headers
    answer = secured("https://testserver").get("/v1/things")
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert secured("https://testserver").get("/docs").headers["Strict-Transport-Security"]


def test_credentialed_requests_are_not_stored_by_caches():
    assert (
        secured().get("/v1/things", headers={"Authorization": "Bearer k"}).headers["Cache-Control"]
        == "no-store"
    )
    assert (
        secured().get("/v1/things", headers={"Cookie": "a=b"}).headers["Cache-Control"]
        == "no-store"
    )
    assert "Cache-Control" not in secured().get("/v1/things").headers


def test_the_docs_page_gets_its_own_policy():
    answer = secured().get("/docs")
    assert answer.headers.get_list("Content-Security-Policy") == [DOCS_CSP]
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_an_embed_may_be_framed_by_listed_sites_only():
    answer = secured().get("/embed")
    assert answer.headers["Content-Security-Policy"].endswith(f"frame-ancestors {CITY}")
    assert "X-Frame-Options" not in answer.headers
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


# --- CORS ----------------------------------------------------------------------------


def browser_facing(origins: list[str]) -> TestClient:
    return TestClient(SecurityHeadersMiddleware(cors_middleware(tiny_app(), origins)))


def preflight(client: TestClient, origin: str):
    return client.options(
        "/v1/things",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, if-match, idempotency-key",
        },
    )


def test_a_listed_origin_passes_the_preflight():
    answer = preflight(browser_facing([CITY + "/"]), CITY)
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == CITY
    assert "PATCH" in answer.headers["Access-Control-Allow-Methods"]
    allowed = answer.headers["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "if-match", "idempotency-key", "traceparent"} <= {
        h.strip() for h in allowed.split(",")
    }
    assert int(answer.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in answer.headers


def test_another_origin_is_refused_without_an_allow_origin_header():
    answer = preflight(browser_facing([CITY]), "https://evil.example")
    assert answer.status_code == 400
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_simple_requests_expose_the_api_headers_to_listed_origins_only():
    client = browser_facing([CITY])
    allowed = client.get("/v1/things", headers={"Origin": CITY})
    assert allowed.headers["Access-Control-Allow-Origin"] == CITY
    exposed = {
        h.strip().lower() for h in allowed.headers["Access-Control-Expose-Headers"].split(",")
    }
    assert {
        "etag",
        "link",
        "ratelimit",
        "ratelimit-policy",
        "retry-after",
        "x-request-id",
    } <= exposed
    other = client.get("/v1/things", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other.headers


def test_no_origins_means_no_cors_at_all():
    app = tiny_app()
    assert cors_middleware(app, []) is app
