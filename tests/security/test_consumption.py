"""Unrestricted resource consumption (OWASP API4): every list caps its page size.

Every list operation of the merged contract that takes a ``limit`` documents
its maximum; asking for one more, a negative or a non-number is a 422 problem,
and the maximum itself is served. (Body size and rate limits: tests/gateway.)
"""

from __future__ import annotations

from typing import Any

from conftest import AUTH
from hostile import published_contract

CONTRACT = published_contract()


def _capped_lists() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path, item in CONTRACT["paths"].items():
        get = item.get("get")
        if not get or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            if parameter["name"] == "limit" and parameter["in"] == "query":
                found.append((path, parameter["schema"]))
    return found


CAPPED = _capped_lists()


def test_every_list_documents_a_maximum_page_size():
    assert len(CAPPED) >= 10
    for path, schema in CAPPED:
        assert isinstance(schema.get("maximum"), int), path
        assert schema["maximum"] <= 500, path


def test_pages_over_the_cap_are_refused(api):
    for path, schema in CAPPED:
        for wrong in (schema["maximum"] + 1, 10**12, -1, 0, "many"):
            answer = api.get(path, params={"limit": wrong}, headers=AUTH)
            assert answer.status_code == 422, (path, wrong, answer.status_code)
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert any(e["field"] == "query.limit" for e in answer.json()["errors"]), path
        served = api.get(path, params={"limit": schema["maximum"]}, headers=AUTH)
        assert served.status_code in (200, 422), path  # 422 only where other filters are required
        if served.status_code == 422:
            assert all(e["field"] != "query.limit" for e in served.json()["errors"]), path
