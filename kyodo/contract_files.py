"""The checked-in contract: ``openapi/kyodo.json`` and one file per service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gateway.contract import dump

__all__ = ["contract_documents", "write_or_check"]


def contract_documents() -> dict[str, dict[str, Any]]:
    """File name -> document, generated from the code."""
    from gateway.main import embedded_services, merged_contract
    from services.common.settings import get_settings

    services = embedded_services()
    documents = {f"{name}.json": app.openapi() for name, app in services.items()}
    documents["kyodo.json"] = merged_contract(services, get_settings())
    return documents


def write_or_check(documents: dict[str, dict[str, Any]], folder: Path, *, check: bool) -> list[str]:
    """Write the documents, or with ``check`` return the names of the stale files."""
    stale = []
    for name, document in documents.items():
        path = folder / name
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        if current != json.loads(json.dumps(document)):
            stale.append(name)
            if not check:
                dump(document, path)
    return stale
