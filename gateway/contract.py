"""The one published contract: the services' OpenAPI documents merged.

Operation ids and schema names must not collide; a schema two services define
identically (``Problem``) is kept once. Any other collision is an error, so it
is caught when the contract is generated, not by a client.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

__all__ = ["ContractConflict", "dump", "merge"]


class ContractConflict(ValueError):
    """Two services define the same path, operation id or (different) schema."""


def merge(base: dict[str, Any], documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Merge ``documents`` (service name -> OpenAPI) into a copy of ``base``."""
    merged = copy.deepcopy(base)
    paths = merged.setdefault("paths", {})
    schemas = merged.setdefault("components", {}).setdefault("schemas", {})
    tags = merged.setdefault("tags", [])
    operation_ids = {
        op.get("operationId")
        for item in paths.values()
        for op in item.values()
        if isinstance(op, dict)
    }
    for service, document in documents.items():
        for path, item in document.get("paths", {}).items():
            if path in paths:
                raise ContractConflict(f"{service}: path {path} is already published")
            for operation in item.values():
                op_id = operation.get("operationId")
                if op_id in operation_ids:
                    raise ContractConflict(f"{service}: operation id {op_id} collides")
                operation_ids.add(op_id)
                operation["x-service"] = service
            paths[path] = item
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                raise ContractConflict(f"{service}: schema {name} differs from another service's")
            schemas[name] = schema
        for scheme, value in document.get("components", {}).get("securitySchemes", {}).items():
            merged["components"].setdefault("securitySchemes", {})[scheme] = value
        known = {tag["name"] for tag in tags}
        tags.extend(tag for tag in document.get("tags", []) if tag["name"] not in known)
        if "x-problem-types" in document:
            merged["x-problem-types"] = document["x-problem-types"]
    return merged


def dump(document: dict[str, Any], path: Path) -> None:
    """Write a contract file the same way every time (stable diffs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
