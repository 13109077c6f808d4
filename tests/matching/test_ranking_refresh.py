"""The in-memory indexes follow the read model without ever skipping a change."""

from __future__ import annotations

import anyio
import httpx
import pytest
import sqlalchemy as sa
from conftest import AUTH
from sqlmodel import Session
from test_issues_api import post_issue

from services.matching.readmodel import sync_registry


def _apply_feed_now(services) -> int:
    async def follow() -> int:
        transport = httpx.ASGITransport(app=services["registry"])
        async with httpx.AsyncClient(base_url="http://registry", transport=transport) as client:
            return await sync_registry(services["matching"].state.engine, client)

    return anyio.run(follow)


@pytest.mark.parametrize(
    "when",
    ["max(organization_doc.seq)", "FROM organization_doc", "FROM resource_doc"],
    ids=["reading-positions", "reading-organisations", "reading-resources"],
)
def test_a_feed_page_applied_during_a_refresh_is_never_skipped(
    api, services, make_org, make_resource, when
):
    poster = make_org(name="こども食堂ネット", kind="volunteer_group")
    partner = make_org(name="本町自治会", kind="neighbourhood_association")
    offer = make_resource(partner["id"], type="goods", title="米の提供")
    issue = post_issue(api, poster["id"])
    assert api.get(f"/v1/issues/{issue['id']}/candidates").json()["items"]
    api.delete(f"/v1/organizations/{partner['id']}", headers={**AUTH, "If-Match": "*"})

    engine = services["matching"].state.engine
    ranking = services["matching"].state.ranking
    applied: list[int] = []
    started: list[bool] = []

    def concurrent_page(conn, cursor, statement, params, context, executemany):
        # Another request applies the next feed page while this refresh is under way.
        if not started and when.lower() in statement.lower():
            started.append(True)  # the page's own statements must not fire this again
            applied.append(_apply_feed_now(services))

    sa.event.listen(engine, "before_cursor_execute", concurrent_page)
    try:
        with Session(engine) as session:
            ranking.refresh(session)
    finally:
        sa.event.remove(engine, "before_cursor_execute", concurrent_page)
    assert applied and applied[0] >= 2  # the organisation and its resource, deleted

    with Session(engine) as session:
        ranking.refresh(session)
    assert offer["id"] not in ranking.resources
    assert api.get(f"/v1/issues/{issue['id']}/candidates").json()["items"] == []
