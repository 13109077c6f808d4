"""The docs pages: Swagger UI and the reference, working offline under their own CSP."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.docs import DOCS_CSP, docs_router
from gateway.openapi30 import as_openapi_30
from kyodo.contract_files import contract_documents
from services.common.problems import install_problem_handlers

YEAR = "max-age=31536000"


@pytest.fixture(scope="module")
def contract():
    return json.loads(json.dumps(contract_documents()["kyodo.json"]))


@pytest.fixture(scope="module")
def docs(contract):
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    install_problem_handlers(app)
    app.include_router(docs_router(lambda: contract))
    with TestClient(app, base_url="http://kyodo.test") as client:
        yield client


class Page(HTMLParser):
    """What a test needs to know of an HTML page; it also checks tags are closed."""

    VOID = frozenset({"meta", "link", "br", "hr", "img", "input", "source", "wbr", "col"})

    def __init__(self, html: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.inline: list[str] = []
        self.lang: str | None = None
        self.open: list[str] = []
        self.langs: set[str] = set()
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(attributes[name])
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if attributes.get("lang"):
            self.langs.add(attributes["lang"])
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "style" or "style" in attributes:
            self.inline.append(f"style in <{tag}>")
        self.inline.extend(f"{name} on <{tag}>" for name in attributes if name.startswith("on"))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-3:]}"
        self.open.pop()

    def handle_data(self, data):
        if self.open and self.open[-1] == "script" and data.strip():
            self.inline.append("inline script")


def _page(response) -> Page:
    page = Page(response.text)
    assert page.open == [], page.open
    return page


def _external(urls):
    return [url for url in urls if re.match(r"(?i)^(https?:)?//", url)]


# --- Swagger UI -----------------------------------------------------------------------


def test_swagger_ui_is_served_from_local_files_only(docs):
    answer = docs.get("/docs")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    page = _page(answer)
    assert page.lang == "en"
    assert "http://" not in answer.text and "https://" not in answer.text
    assert _external(page.urls) == []
    scripts = [s["src"] for s in page.scripts]
    assert scripts and all(src.startswith("/docs/assets/") for src in scripts)


def test_swagger_ui_reads_the_contract_and_nothing_outside(docs):
    html = docs.get("/docs").text
    spec = re.search(r'data-url="([^"]+)"', html).group(1)
    initializer = re.search(r'src="([^"]+swagger-initializer\.js)"', html).group(1)
    script = docs.get(initializer).text
    assert 'getAttribute("data-url")' in script
    assert "validatorUrl: null" in script  # no call to the public validator
    assert "http" not in script
    assert spec == "/docs/openapi-3.0.json"


def test_docs_pages_have_no_inline_script_or_style(docs):
    for url in ("/docs", "/docs/reference"):
        assert _page(docs.get(url)).inline == [], url


def test_every_asset_a_page_uses_is_served_with_its_type_and_cached_for_a_year(docs):
    expected = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    assets = set()
    for url in ("/docs", "/docs/reference"):
        assets |= {u for u in _page(docs.get(url)).urls if u.startswith("/docs/assets/")}
    assert len(assets) >= 5
    for url in assets:
        answer = docs.get(url)
        assert answer.status_code == 200, url
        suffix = url[url.rindex(".") :]
        assert answer.headers["content-type"].startswith(expected[suffix]), url
        assert YEAR in answer.headers["cache-control"], url
        assert "immutable" in answer.headers["cache-control"], url
        assert answer.headers["x-content-type-options"] == "nosniff", url


def test_assets_are_compressed_and_revalidated(docs):
    url = re.search(r'src="([^"]+swagger-ui-bundle\.js)"', docs.get("/docs").text).group(1)
    plain = docs.get(url, headers={"Accept-Encoding": "identity"})
    packed = docs.get(url, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # decoded by the client
    assert int(packed.headers["content-length"]) < len(plain.content) // 2
    again = docs.get(url, headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize(
    "url",
    [
        "/docs/assets/swagger-ui-0.0.0-old/swagger-ui.css",  # another version
        "/docs/assets/{version}/index.html",  # a file of the bundle the pages do not use
        "/docs/assets/{version}/..%2F..%2F..%2Fpyproject.toml",
        "/docs/assets/{version}/swagger-ui.css.exe",
    ],
)
def test_unknown_assets_are_404_problems(docs, url):
    version = re.search(r"/docs/assets/([^/]+)/", docs.get("/docs").text).group(1)
    answer = docs.get(url.format(version=version))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


def test_docs_carry_their_content_security_policy(docs):
    for url in ("/docs", "/docs/reference", "/docs/openapi-3.0.json"):
        assert docs.get(url).headers["content-security-policy"] == DOCS_CSP
    policy = dict(part.strip().split(" ", 1) for part in DOCS_CSP.split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["connect-src"] == "'self'"
    assert "unsafe" not in DOCS_CSP and "http" not in DOCS_CSP


def test_urls_follow_the_root_path(contract):
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(docs_router(lambda: contract))
    with TestClient(app, root_path="/api") as client:
        page = _page(client.get("/docs"))
        assert all(url.startswith("/api/") for url in page.urls), page.urls
        assert 'data-url="/api/docs/openapi-3.0.json"' in client.get("/docs").text


# --- the contract as OpenAPI 3.0, for Swagger UI 4 ---------------------------------------


def test_swagger_ui_reads_a_valid_openapi_30_translation_of_the_contract(docs, contract):
    from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

    translated = docs.get("/docs/openapi-3.0.json").json()
    assert translated["openapi"] == "3.0.3"
    assert [e.message for e in OPENAPI_30_VALIDATOR.iter_errors(translated)] == []

    def operation_ids(document):
        return {
            (path, method): op["operationId"]
            for path, item in document["paths"].items()
            for method, op in item.items()
        }

    assert operation_ids(translated) == operation_ids(contract)


def _schema_document(schema):
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"S": schema}},
    }


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, {"type": "string", "nullable": True}),
        (
            {"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]},
            {"allOf": [{"$ref": "#/components/schemas/T"}], "nullable": True},
        ),
        ({"type": ["integer", "null"]}, {"type": "integer", "nullable": True}),
        ({"type": "string", "examples": ["a", "b"]}, {"type": "string", "example": "a"}),
        ({"const": "x"}, {"enum": ["x"]}),
        (
            {"type": "number", "exclusiveMinimum": 0},
            {"type": "number", "minimum": 0, "exclusiveMinimum": True},
        ),
        (
            {"$ref": "#/components/schemas/T", "description": "d"},
            {"allOf": [{"$ref": "#/components/schemas/T"}], "description": "d"},
        ),
        ({"type": "object", "$defs": {}, "propertyNames": {}}, {"type": "object"}),
    ],
)
def test_the_translation_keeps_what_30_can_say(schema, expected):
    assert as_openapi_30(_schema_document(schema))["components"]["schemas"]["S"] == expected


def test_the_translation_moves_scopes_to_the_description():
    document = _schema_document({})
    document["components"]["securitySchemes"] = {"HTTPBearer": {"type": "http", "scheme": "bearer"}}
    document["paths"] = {
        "/v1/x": {"post": {"security": [{"HTTPBearer": ["x:write"]}], "responses": {}}}
    }
    operation = as_openapi_30(document)["paths"]["/v1/x"]["post"]
    assert operation["security"] == [{"HTTPBearer": []}]
    assert "`x:write`" in operation["description"]
    assert document["paths"]["/v1/x"]["post"]["security"] == [{"HTTPBearer": ["x:write"]}]


# --- the reference, without JavaScript ------------------------------------------------------


@pytest.fixture(scope="module")
def reference(docs):
    answer = docs.get("/docs/reference")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    return answer.text


def test_the_reference_needs_no_script_and_no_outside_asset(reference):
    page = Page(reference)
    assert page.lang == "en"
    assert page.scripts == []
    assert _external(page.urls) == []
    assert [u for u in page.urls if not u.startswith(("#", "/docs", "/openapi.json"))] == []


def test_the_reference_is_well_formed_and_its_links_land(reference):
    page = Page(reference)
    assert page.open == []
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    targets = set(page.ids)
    missing = {u for u in page.urls if u.startswith("#") and u[1:] not in targets}
    assert missing == set()


def test_the_reference_documents_every_operation_by_tag(reference, contract):
    page = Page(reference)
    for path, item in contract["paths"].items():
        for method, operation in item.items():
            assert f"op-{operation['operationId']}" in page.ids, f"{method} {path}"
            assert f"{method.upper()}</span> <code>{path}</code>" in reference
    for tag in contract["tags"]:
        assert f"tag-{tag['name']}" in page.ids


def test_the_reference_explains_authentication_rate_limits_and_problems(reference, contract):
    from services.common.auth import SCOPES

    for section in ("overview", "authentication", "rate-limits", "problems", "schemas"):
        assert section in Page(reference).ids
    for scope in SCOPES:
        assert f"<code>{scope}</code>" in reference
    for header in ("RateLimit", "RateLimit-Policy", "Retry-After"):
        assert f"<code>{header}</code>" in reference
    assert "&quot;client&quot;;q=" in reference
    for problem in contract["x-problem-types"]:
        assert f"<code>{problem['type']}</code>" in reference
    assert "needs an API key with the scope <code>registry:write</code>" in reference
    assert "anonymous callers are served; a key is optional" in reference


def test_the_reference_shows_examples_and_marks_japanese(reference):
    assert "<details><summary>Example</summary><pre><code>{" in reference
    assert '<span lang="ja">団体</span>' in reference
    assert "ja" in Page(reference).langs


# --- through the gateway ---------------------------------------------------------------------


def test_the_gateway_serves_the_docs(api):
    for url in ("/docs", "/docs/reference", "/docs/openapi-3.0.json"):
        answer = api.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["content-security-policy"] == DOCS_CSP, url
    stylesheet = re.search(r'href="([^"]+\.css)"', api.get("/docs").text).group(1)
    assert api.get(stylesheet).status_code == 200
