"""Concurrent requests: retries and races never create twice."""

from __future__ import annotations

import asyncio

import httpx
from conftest import AUTH, organization_body

from gateway.main import create_app


async def _fire(services, requests):
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://kyodo.test") as client:
        return await asyncio.gather(*(client.post(url, **kw) for url, kw in requests))


def test_concurrent_retries_with_one_idempotency_key_create_once(api, services):
    headers = {**AUTH, "Idempotency-Key": "retry-storm"}
    body = organization_body()
    answers = asyncio.run(
        _fire(services, [("/v1/organizations", {"json": body, "headers": headers})] * 12)
    )
    statuses = sorted(r.status_code for r in answers)
    assert set(statuses) <= {201, 409}, statuses
    created_ids = {r.json()["id"] for r in answers if r.status_code == 201}
    assert len(created_ids) == 1
    assert len(api.get("/v1/organizations").json()["items"]) == 1


def test_concurrent_registrations_of_one_corporate_number_admit_one(api, services):
    requests = [
        (
            "/v1/organizations",
            {
                "json": organization_body(
                    name=f"株式会社 競争{i}", kind="company", corporate_number="6070001000004"
                ),
                "headers": AUTH,
            },
        )
        for i in range(10)
    ]
    answers = asyncio.run(_fire(services, requests))
    statuses = [r.status_code for r in answers]
    assert statuses.count(201) == 1, statuses
    assert set(statuses) == {201, 409}
    listed = api.get("/v1/organizations", params={"corporate_number": "6070001000004"}).json()
    assert len(listed["items"]) == 1
    feed = api.get("/v1/registry/changes").json()["items"]
    assert len(feed) == 1


def test_concurrent_updates_with_the_same_etag_let_one_win(api, services, make_org):
    org = make_org()
    url = f"/v1/organizations/{org['id']}"

    async def patch_all():
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kyodo.test") as client:
            return await asyncio.gather(
                *(
                    client.patch(
                        url, json={"name": f"名前{i}"}, headers={**AUTH, "If-Match": '"1"'}
                    )
                    for i in range(8)
                )
            )

    statuses = sorted(r.status_code for r in asyncio.run(patch_all()))
    assert statuses.count(200) == 1, statuses
    assert set(statuses) == {200, 412}
    assert api.get(url).json()["version"] == 2


def test_delete_racing_updates_never_deadlocks_or_revives_a_tombstone(
    api, services, make_org, make_resource
):
    org = make_org()
    resources = [make_resource(org["id"], title=f"資源{i}") for i in range(4)]
    star = {**AUTH, "If-Match": "*"}

    async def race():
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kyodo.test") as client:
            calls = [client.delete(f"/v1/organizations/{org['id']}", headers=star)]
            calls += [
                client.patch(f"/v1/resources/{r['id']}", json={"status": "paused"}, headers=star)
                for r in resources
            ]
            calls.append(
                client.patch(f"/v1/organizations/{org['id']}", json={"name": "改"}, headers=star)
            )
            return await asyncio.gather(*calls)

    answers = asyncio.run(race())
    assert all(r.status_code in {200, 204, 410} for r in answers), [r.text for r in answers]
    changes = api.get("/v1/registry/changes", params={"limit": 200}).json()["items"]
    for entity_id in [org["id"], *(r["id"] for r in resources)]:
        actions = [c["action"] for c in changes if c["id"] == entity_id]
        assert actions[-1] == "deleted", (entity_id, actions)
        assert actions.count("deleted") == 1
