"""The distributed platform in miniature: each service its own process, built by
:mod:`kyodo.standalone` from the environment, the proxy in front of them.

Events follows the registry over HTTP, so an event named after an organisation
created a moment ago through the proxy is accepted only if that hop works too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from gateway.proxy import HttpService
from migrations.runner import upgrade
from services.common.auth import ADMIN, Client
from services.common.db import create_db_engine
from services.common.timefmt import JST
from tests.gateway.processes import ServiceProcess, free_port, running
from tests.gateway.proxy_harness import SECRET, forwarding, settings

SERVICES = ("registry", "events", "matching")


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServiceProcess]]:
    data_dir = tmp_path_factory.mktemp("distributed")
    for name in SERVICES:
        engine = create_db_engine(f"sqlite:///{data_dir / name}.db")
        upgrade(engine, name)
        engine.dispose()
    registry_url = f"http://127.0.0.1:{free_port()}"
    env = {
        "KYODO_DATA_DIR": str(data_dir),
        "KYODO_INTERNAL_SECRET": SECRET,
        "KYODO_LOG_LEVEL": "WARNING",
        "KYODO_LOG_FORMAT": "console",
        "KYODO_EVENTS_REGISTRY_URL": registry_url,
        "KYODO_MATCHING_REGISTRY_URL": registry_url,
    }
    processes = {
        name: ServiceProcess(
            f"kyodo.standalone:{name}_app",
            env,
            data_dir,
            factory=True,
            port=int(registry_url.rsplit(":", 1)[1]) if name == "registry" else None,
        )
        for name in SERVICES
    }
    with running(*processes.values()):
        yield processes


def test_every_service_runs_on_its_own_and_answers_through_the_proxy(
    platform: dict[str, ServiceProcess],
) -> None:
    upstreams = [HttpService(n, p.url, settings(), SECRET) for n, p in platform.items()]

    async def scenario() -> tuple[list[Any], Any]:
        async with forwarding(*upstreams) as http:
            lists = [await http.get(f"/v1/{path}") for path in ("resources", "events", "issues")]
        ready = [await upstream.readiness() for upstream in upstreams]
        return lists, ready

    lists, ready = asyncio.run(scenario())
    assert [answer.status_code for answer in lists] == [200, 200, 200]
    assert [r["status"] for r in ready] == ["ok", "ok", "ok"]


def test_events_follows_the_registry_over_http(platform: dict[str, ServiceProcess]) -> None:
    upstreams = [HttpService(n, p.url, settings(), SECRET) for n, p in platform.items()]
    start = (datetime.now(JST) + timedelta(days=10)).replace(microsecond=0)

    async def scenario() -> Any:
        async with forwarding(*upstreams, clients={"admin": ADMIN}) as http:
            org = await http.post(
                "/v1/organizations",
                headers={"X-Test-As": "admin"},
                json={
                    "name": "分散こども食堂の会",
                    "name_kana": "ブンサンコドモショクドウノカイ",
                    "kind": "volunteer_group",
                    "municipality_code": "102997",
                    "fields": ["child_development"],
                },
            )
            assert org.status_code == 201, org.text
            org_id = org.json()["id"]
        organizer = Client("organizer", frozenset({"events:write"}), frozenset({org_id}))
        event: dict[str, Any] = {
            "title": "こども食堂ボランティア説明会",
            "kind": "seminar",
            "organizer_ids": [org_id],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "venue": {"name": "桜ヶ丘市民活動センター", "municipality_code": "102997"},
            "municipality_code": "102997",
            "fields": ["child_development"],
            "status": "published",
        }
        async with forwarding(*upstreams, client=organizer) as http:
            return await http.post("/v1/events", json=event)

    created = asyncio.run(scenario())
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/v1/events/{created.json()['id']}"
