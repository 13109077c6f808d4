"""The contract translated to OpenAPI 3.0, for the bundled Swagger UI.

The published contract is OpenAPI 3.1 (JSON Schema 2020-12). Swagger UI 4, the
one installed with ``swagger-ui-bundle``, renders only ``openapi: 3.0.n``
documents and refuses the rest, so ``/docs`` reads this translation. It keeps
everything Swagger UI shows: ``null`` in a type or an ``anyOf`` becomes
``nullable``, a list of ``examples`` its first ``example``, ``const`` a one-value
``enum``, numeric exclusive bounds the 3.0 boolean form, and a ``$ref`` with
siblings an ``allOf``. Keywords 3.0 does not know are dropped. The scopes of a
security requirement (3.0 allows them for OAuth only) move to the operation's
description.

``/openapi.json`` stays the contract; this is only a view of it.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["as_openapi_30"]

_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# The Schema Object keywords of OpenAPI 3.0.3 (plus ``x-`` extensions).
_SCHEMA_30 = {
    "$ref",
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
}


def as_openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of the OpenAPI 3.1 ``document`` that Swagger UI 4 can render."""
    out = copy.deepcopy(document)
    out["openapi"] = "3.0.3"
    for key in ("webhooks", "jsonSchemaDialect"):
        out.pop(key, None)
    info = out.setdefault("info", {})
    info.pop("summary", None)
    info.get("license", {}).pop("identifier", None)
    components = out.get("components", {})
    components.pop("pathItems", None)
    schemas = components.get("schemas", {})
    for name, schema in schemas.items():
        schemas[name] = _schema(schema)
    for parameter in [*components.get("parameters", {}).values()]:
        _parameter(parameter)
    for header in components.get("headers", {}).values():
        _parameter(header)
    for response in components.get("responses", {}).values():
        _response(response)
    for body in components.get("requestBodies", {}).values():
        _content(body)
    http_schemes = {
        name
        for name, scheme in components.get("securitySchemes", {}).items()
        if scheme.get("type") not in ("oauth2", "openIdConnect")
    }
    for item in out.get("paths", {}).values():
        for parameter in item.get("parameters", []):
            _parameter(parameter)
        for method, operation in item.items():
            if method in _METHODS:
                _operation(operation, http_schemes)
    return out


def _operation(operation: dict[str, Any], http_schemes: set[str]) -> None:
    for parameter in operation.get("parameters", []):
        _parameter(parameter)
    if "requestBody" in operation:
        _content(operation["requestBody"])
    for response in operation.get("responses", {}).values():
        _response(response)
    scopes = sorted(
        {
            scope
            for requirement in operation.get("security", [])
            for name, listed in requirement.items()
            if name in http_schemes
            for scope in listed
        }
    )
    for requirement in operation.get("security", []):
        for name in requirement:
            if name in http_schemes:
                requirement[name] = []
    if scopes:
        needed = ", ".join(f"`{scope}`" for scope in scopes)
        note = f"**Needs an API key with the scope {needed}.**"
        operation["description"] = f"{note}\n\n{operation.get('description', '')}".strip()


def _response(response: dict[str, Any]) -> None:
    for header in response.get("headers", {}).values():
        _parameter(header)
    _content(response)


def _parameter(parameter: dict[str, Any]) -> None:
    if "schema" in parameter:
        parameter["schema"] = _schema(parameter["schema"])
    _content(parameter)


def _content(holder: dict[str, Any]) -> None:
    for media in holder.get("content", {}).values():
        if "schema" in media:
            media["schema"] = _schema(media["schema"])


def _schema(schema: Any) -> Any:
    """One JSON Schema 2020-12 schema as an OpenAPI 3.0 Schema Object."""
    if schema is True:
        return {}
    if schema is False:
        return {"not": {}}
    if not isinstance(schema, dict):
        return schema
    s = dict(schema)
    if "$ref" in s and len(s) > 1:  # 3.0 ignores a reference's siblings
        s = {"allOf": [{"$ref": s.pop("$ref")}], **s}
    if "const" in s:
        s.setdefault("enum", [s["const"]])
    if isinstance(s.get("examples"), list) and s["examples"]:
        s.setdefault("example", s["examples"][0])
    _nullable_type(s)
    _nullable_branches(s)
    for bound, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(s.get(bound), int | float) and not isinstance(s[bound], bool):
            s[inclusive], s[bound] = s[bound], True
    if s.get("type") == "string" and "contentMediaType" in s:
        s.setdefault("format", "binary")
    if isinstance(s.get("prefixItems"), list) and "items" not in s:
        s["items"] = {"anyOf": s["prefixItems"]} if s["prefixItems"] else {}
    return _nested(s)


def _nullable_type(s: dict[str, Any]) -> None:
    kind = s.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        if len(kinds) < len(kind):
            s["nullable"] = True
        if len(kinds) == 1:
            s["type"] = kinds[0]
        else:
            del s["type"]
            if kinds:
                s.setdefault("anyOf", [{"type": k} for k in kinds])
    elif kind == "null":
        del s["type"]
        s["nullable"] = True


def _nullable_branches(s: dict[str, Any]) -> None:
    for keyword in ("anyOf", "oneOf"):
        branches = s.get(keyword)
        if not isinstance(branches, list):
            continue
        rest = [b for b in branches if b != {"type": "null"}]
        if len(rest) == len(branches):
            continue
        s["nullable"] = True
        if len(rest) > 1:
            s[keyword] = rest
            continue
        del s[keyword]
        if not rest:
            continue
        only = rest[0]
        if "$ref" in only:
            s.setdefault("allOf", []).append(only)
        else:
            for key, value in only.items():
                s.setdefault(key, value)


def _nested(s: dict[str, Any]) -> dict[str, Any]:
    if isinstance(s.get("properties"), dict):
        s["properties"] = {name: _schema(value) for name, value in s["properties"].items()}
    for keyword in ("allOf", "anyOf", "oneOf"):
        if isinstance(s.get(keyword), list):
            s[keyword] = [_schema(branch) for branch in s[keyword]]
    for keyword in ("items", "not"):
        if keyword in s:
            s[keyword] = _schema(s[keyword])
    if isinstance(s.get("additionalProperties"), dict):
        s["additionalProperties"] = _schema(s["additionalProperties"])
    return {k: v for k, v in s.items() if k in _SCHEMA_30 or k.startswith("x-")}
