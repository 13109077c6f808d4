"""The API reference as one server-rendered HTML page: no JavaScript, no asset needed.

Everything comes from the merged contract: the overview, authentication and
scopes, rate limits, the problem types, then every operation grouped by tag
(method, path, summary, who may call it, parameters, request body and responses
with their examples) and the schemas they use. Long examples fold into
``<details>``, which needs no script. Japanese text is marked ``lang="ja"`` so
screen readers pronounce it as Japanese inside the English page.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

__all__ = ["render_reference"]

_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
_JAPANESE = re.compile(
    r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff9f]"
    r"(?:[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff9f ]*"
    r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff9f])?"
)
_BOLD = re.compile(r"\*\*(.+?)\*\*")


# --- text ---------------------------------------------------------------------------


def _japanese(html: str) -> str:
    return _JAPANESE.sub(lambda m: f'<span lang="ja">{m.group(0)}</span>', html)


def inline(text: str) -> str:
    """Escaped text with the Markdown the contract uses inline: `code` and **bold**."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show it as it is
        parts = [str(text)]
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            lang = ' lang="ja"' if _JAPANESE.search(part) else ""
            out.append(f"<code{lang}>{escape(part)}</code>")
        else:
            out.append(_japanese(_BOLD.sub(r"<strong>\1</strong>", escape(part))))
    return "".join(out)


def markdown(text: str | None) -> str:
    """Paragraphs and ``- `` lists of the contract's descriptions, as HTML."""
    html: list[str] = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        paragraph: list[str] = []
        items: list[list[str]] = []
        for line in block.splitlines():
            stripped = line.strip()
            if stripped.startswith(("- ", "* ")):
                items.append([stripped[2:]])
            elif items:
                items[-1].append(stripped)
            elif stripped:
                paragraph.append(stripped)
        if paragraph:
            html.append(f"<p>{inline(' '.join(paragraph))}</p>")
        if items:
            lis = "".join(f"<li>{inline(' '.join(item))}</li>" for item in items)
            html.append(f"<ul>{lis}</ul>")
    return "\n".join(html)


def _anchor(kind: str, name: str) -> str:
    return f"{kind}-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


def _json(value: Any) -> str:
    return escape(json.dumps(value, ensure_ascii=False, indent=2))


def _example_block(label: str, value: Any) -> str:
    return (
        f"<details><summary>{escape(label)}</summary>"
        f"<pre><code>{_json(value)}</code></pre></details>"
    )


# --- the document ---------------------------------------------------------------------


class _Contract:
    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document
        self.components = document.get("components", {})
        self.problem_titles = {p["type"]: p for p in document.get("x-problem-types", [])}

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 20:
            target: Any = self.doc
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            node, seen = target, seen + 1
        return node

    def type_of(self, schema: Any) -> str:
        """A short, linked description of a schema's type."""
        if not isinstance(schema, dict) or not schema:
            return "any"
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return f'<a href="#{_anchor("schema", name)}">{escape(name)}</a>'
        for keyword, joiner in (("anyOf", " or "), ("oneOf", " or "), ("allOf", " and ")):
            if keyword in schema:
                return joiner.join(self.type_of(branch) for branch in schema[keyword])
        if "const" in schema:
            return f"<code>{escape(json.dumps(schema['const'], ensure_ascii=False))}</code>"
        if "enum" in schema:
            values = ", ".join(
                f"<code>{escape(json.dumps(v, ensure_ascii=False))}</code>" for v in schema["enum"]
            )
            return f"one of {values}"
        kind = schema.get("type", "any")
        if isinstance(kind, list):
            return " or ".join(escape(k) for k in kind)
        if kind == "array":
            return f"array of {self.type_of(schema.get('items', {}))}"
        if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
            return f"object of {self.type_of(schema['additionalProperties'])}"
        text = escape(kind)
        if "format" in schema:
            text += f" ({escape(schema['format'])})"
        return text

    def example_of(self, media: dict[str, Any]) -> list[tuple[str, Any]]:
        if "example" in media:
            return [("Example", media["example"])]
        if media.get("examples"):
            return [
                (f"Example: {example.get('summary') or name}", self.resolve(example).get("value"))
                for name, example in media["examples"].items()
            ]
        schema = self.resolve(media.get("schema", {}))
        if isinstance(schema, dict) and schema.get("examples"):
            return [("Example", schema["examples"][0])]
        return []


def render_reference(document: dict[str, Any], *, stylesheet: str, links: dict[str, str]) -> str:
    """The whole reference page of ``document`` (an OpenAPI 3.1 contract).

    ``stylesheet`` is the URL of the page's style sheet (the page reads well
    without it); ``links`` names related pages (label -> URL) for the header.
    """
    contract = _Contract(document)
    info = document.get("info", {})
    title = f"{info.get('title', 'API')} {info.get('version', '')}".strip()
    groups = _operations_by_tag(document)
    related = " · ".join(
        f'<a href="{escape(url)}">{escape(label)}</a>' for label, url in links.items()
    )
    body = [
        f"<header><h1>{escape(title)} reference</h1><p>{related}</p></header>",
        _contents(groups),
        '<main id="main">',
        f'<section id="overview" aria-labelledby="overview-h"><h2 id="overview-h">Overview</h2>'
        f"{markdown(info.get('description'))}</section>",
        _authentication(contract),
        _rate_limits(contract),
        _problem_types(document),
        *(_tag_section(contract, tag, operations) for tag, operations in groups),
        _schemas(contract),
        "</main>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} reference</title>\n"
        f'<link rel="stylesheet" href="{escape(stylesheet)}">\n</head>\n<body>\n'
        '<a class="skip" href="#main">Skip to the reference</a>\n'
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


Operation = tuple[str, str, dict[str, Any]]


def _operations_by_tag(document: dict[str, Any]) -> list[tuple[dict[str, Any], list[Operation]]]:
    declared = {tag["name"]: tag for tag in document.get("tags", [])}
    groups: dict[str, list[Operation]] = {}
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                operation = item[method]
                tag = (operation.get("tags") or ["default"])[0]
                groups.setdefault(tag, []).append((method, path, operation))
    order = [*declared, *sorted(set(groups) - set(declared))]
    return [(declared.get(name, {"name": name}), groups[name]) for name in order if name in groups]


def _contents(groups: list[tuple[dict[str, Any], list[Operation]]]) -> str:
    tags = []
    for tag, operations in groups:
        ops = "".join(
            f'<li><a href="#{_anchor("op", op.get("operationId") or method + path)}">'
            f"{method.upper()} {escape(path)}</a></li>"
            for method, path, op in operations
        )
        tags.append(
            f'<li><a href="#{_anchor("tag", tag["name"])}">{escape(tag["name"])}</a>'
            f"<ol>{ops}</ol></li>"
        )
    return (
        '<nav aria-labelledby="contents-h"><h2 id="contents-h">Contents</h2><ol>'
        '<li><a href="#overview">Overview</a></li>'
        '<li><a href="#authentication">Authentication and scopes</a></li>'
        '<li><a href="#rate-limits">Rate limits</a></li>'
        '<li><a href="#problems">Problem types</a></li>'
        f"<li>Operations<ol>{''.join(tags)}</ol></li>"
        '<li><a href="#schemas">Schemas</a></li></ol></nav>'
    )


def _authentication(contract: _Contract) -> str:
    schemes = contract.components.get("securitySchemes", {})
    parts = [
        f"<h3>{escape(name)} <small>({escape(scheme.get('scheme') or scheme.get('type', ''))})"
        f"</small></h3>{markdown(scheme.get('description'))}"
        for name, scheme in schemes.items()
    ]
    return (
        '<section id="authentication" aria-labelledby="authentication-h">'
        '<h2 id="authentication-h">Authentication and scopes</h2>'
        + ("".join(parts) or "<p>No operation needs credentials.</p>")
        + "</section>"
    )


def _rate_limits(contract: _Contract) -> str:
    headers = contract.components.get("headers", {})
    rows = "".join(
        f'<dt id="{_anchor("header", name)}"><code>{escape(name)}</code></dt>'
        f"<dd>{markdown(header.get('description'))}"
        + (
            f"<p>Example: <code>{escape(str(header['example']))}</code></p>"
            if "example" in header
            else ""
        )
        + "</dd>"
        for name, header in headers.items()
    )
    refused = contract.components.get("responses", {}).get("RateLimited", {})
    return (
        '<section id="rate-limits" aria-labelledby="rate-limits-h">'
        '<h2 id="rate-limits-h">Rate limits</h2>'
        "<p>Every request counts against a quota: its API client's, or for callers "
        "without a key their IP address's. Answers carry the quota and what is left; "
        "a caller over its quota is answered <code>429</code>.</p>"
        f"{markdown(refused.get('description'))}<dl>{rows}</dl></section>"
    )


def _problem_types(document: dict[str, Any]) -> str:
    rows = "".join(
        f'<tr id="{_anchor("problem", p["type"].rsplit(":", 1)[-1])}"><td>{p["status"]}</td>'
        f"<td><code>{escape(p['type'])}</code></td><td>{escape(p.get('title', ''))}</td>"
        f"<td>{inline(p.get('description', ''))}</td></tr>"
        for p in document.get("x-problem-types", [])
    )
    return (
        '<section id="problems" aria-labelledby="problems-h">'
        '<h2 id="problems-h">Problem types</h2>'
        "<p>Errors are RFC 9457 <code>application/problem+json</code> objects with a stable "
        "<code>type</code> (switch on it, not on the text), a <code>title</code>, a human "
        "<code>detail</code>, the <code>request_id</code> to quote, and for invalid fields "
        "<code>errors</code>, one per field.</p>"
        "<table><caption>Every problem type the platform answers</caption><thead><tr>"
        '<th scope="col">Status</th><th scope="col">Type</th><th scope="col">Title</th>'
        f'<th scope="col">Meaning</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )


def _tag_section(contract: _Contract, tag: dict[str, Any], operations: list[Operation]) -> str:
    anchor = _anchor("tag", tag["name"])
    articles = "".join(_operation(contract, method, path, op) for method, path, op in operations)
    return (
        f'<section id="{anchor}" aria-labelledby="{anchor}-h">'
        f'<h2 id="{anchor}-h">{escape(tag["name"])}</h2>{markdown(tag.get("description"))}'
        f"{articles}</section>"
    )


def _operation(contract: _Contract, method: str, path: str, op: dict[str, Any]) -> str:
    anchor = _anchor("op", op.get("operationId") or method + path)
    parts = [
        f'<article id="{anchor}" aria-labelledby="{anchor}-h">'
        f'<h3 id="{anchor}-h"><span class="method">{method.upper()}</span> '
        f"<code>{escape(path)}</code></h3>",
        f'<p class="summary">{inline(op.get("summary", ""))}</p>',
    ]
    if op.get("deprecated"):
        parts.append("<p><strong>Deprecated.</strong></p>")
    parts.append(markdown(op.get("description")))
    parts.append(f'<p class="access">{_access(op)}</p>')
    parts.append(_parameters(contract, op.get("parameters", [])))
    if "requestBody" in op:
        parts.append(_request_body(contract, contract.resolve(op["requestBody"])))
    parts.append(_responses(contract, op.get("responses", {})))
    parts.append("</article>")
    return "".join(parts)


def _access(op: dict[str, Any]) -> str:
    security = op.get("security")
    if not security:
        return "<strong>Access:</strong> open; no key is read."
    scopes = sorted({s for requirement in security for v in requirement.values() for s in v})
    needed = ", ".join(f"<code>{escape(s)}</code>" for s in scopes)
    if {} in security:
        return "<strong>Access:</strong> anonymous callers are served; a key is optional."
    if scopes:
        return f"<strong>Access:</strong> needs an API key with the scope {needed}."
    return "<strong>Access:</strong> needs an API key."


def _parameters(contract: _Contract, parameters: list[dict[str, Any]]) -> str:
    if not parameters:
        return ""
    rows = []
    for parameter in map(contract.resolve, parameters):
        required = "yes" if parameter.get("required") else "no"
        rows.append(
            f'<tr><th scope="row"><code>{escape(parameter["name"])}</code></th>'
            f"<td>{escape(parameter['in'])}</td>"
            f"<td>{contract.type_of(parameter.get('schema', {}))}</td><td>{required}</td>"
            f"<td>{markdown(parameter.get('description'))}</td></tr>"
        )
    return (
        '<h4>Parameters</h4><table><thead><tr><th scope="col">Name</th>'
        '<th scope="col">In</th><th scope="col">Type</th><th scope="col">Required</th>'
        f'<th scope="col">Description</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _media(contract: _Contract, content: dict[str, Any]) -> str:
    out = []
    for media_type, media in content.items():
        out.append(
            f"<p><code>{escape(media_type)}</code>: {contract.type_of(media.get('schema', {}))}</p>"
        )
        out.extend(_example_block(label, value) for label, value in contract.example_of(media))
    return "".join(out)


def _request_body(contract: _Contract, body: dict[str, Any]) -> str:
    required = " (required)" if body.get("required") else ""
    return (
        f"<h4>Request body{required}</h4>{markdown(body.get('description'))}"
        f"{_media(contract, body.get('content', {}))}"
    )


def _responses(contract: _Contract, responses: dict[str, Any]) -> str:
    items = []
    for status, response in sorted(responses.items()):
        if isinstance(response, dict) and "$ref" in response:
            items.append(_shared_problem(contract, status, contract.resolve(response)))
            continue
        headers = response.get("headers", {})
        header_list = (
            "<p>Headers: " + ", ".join(_header_link(n, h) for n, h in headers.items()) + "</p>"
            if headers
            else ""
        )
        items.append(
            f"<dt><code>{escape(status)}</code></dt><dd>{markdown(response.get('description'))}"
            f"{header_list}{_media(contract, response.get('content', {}))}</dd>"
        )
    return f"<h4>Responses</h4><dl>{''.join(items)}</dl>"


def _header_link(name: str, header: dict[str, Any]) -> str:
    if "$ref" in header:
        target = header["$ref"].rsplit("/", 1)[-1]
        return f'<a href="#{_anchor("header", target)}"><code>{escape(name)}</code></a>'
    return f"<code>{escape(name)}</code>"


def _shared_problem(contract: _Contract, status: str, response: dict[str, Any]) -> str:
    """A shared problem response: its title and links to its types in the table."""
    media = response.get("content", {}).get("application/problem+json", {})
    types = [str(value.get("type", "")) for _label, value in contract.example_of(media)]
    title = contract.problem_titles.get(types[0], {}).get("title", "") if types else ""
    links = ", ".join(
        f'<a href="#{_anchor("problem", kind.rsplit(":", 1)[-1])}">'
        f"<code>{escape(kind.rsplit(':', 1)[-1])}</code></a>"
        for kind in types
    )
    return f"<dt><code>{escape(status)}</code></dt><dd>{escape(title or 'Problem')}: {links}</dd>"


def _schemas(contract: _Contract) -> str:
    parts = []
    for name, schema in sorted(contract.components.get("schemas", {}).items()):
        anchor = _anchor("schema", name)
        parts.append(
            f'<section id="{anchor}" aria-labelledby="{anchor}-h">'
            f'<h3 id="{anchor}-h">{escape(name)}</h3>{markdown(schema.get("description"))}'
            f"{_properties(contract, schema)}"
        )
        if schema.get("examples"):
            parts.append(_example_block("Example", schema["examples"][0]))
        parts.append("</section>")
    return (
        '<section id="schemas" aria-labelledby="schemas-h"><h2 id="schemas-h">Schemas</h2>'
        + "".join(parts)
        + "</section>"
    )


def _properties(contract: _Contract, schema: dict[str, Any]) -> str:
    properties = schema.get("properties")
    if not properties:
        return f"<p>Type: {contract.type_of(schema)}</p>"
    required = set(schema.get("required", []))
    rows = "".join(
        f'<tr><th scope="row"><code>{escape(name)}</code></th>'
        f"<td>{contract.type_of(value)}</td><td>{'yes' if name in required else 'no'}</td>"
        f"<td>{markdown(value.get('description') if isinstance(value, dict) else '')}</td></tr>"
        for name, value in properties.items()
    )
    return (
        '<table><thead><tr><th scope="col">Field</th><th scope="col">Type</th>'
        '<th scope="col">Required</th><th scope="col">Description</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
