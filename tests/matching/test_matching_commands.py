"""`kyodo matching rebuild` and `kyodo matching fit-weights`, as an operator runs them."""

from __future__ import annotations

import random
from typing import Any

import pytest
from conftest import organization_body, resource_body
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from test_issues_api import issue_body
from typer.testing import CliRunner

from gateway.main import create_app, embedded_services
from kyodo.cli import app
from services.common.ids import new_id
from services.common.timefmt import utcnow
from services.matching.models import FittedWeights, Match, ResourceDoc

KEY = {"Authorization": "Bearer cli-test-key-0123456789"}


@pytest.fixture
def platform(tmp_path, monkeypatch):
    """A migrated embedded platform in a temporary data directory, as the CLI sees it."""
    monkeypatch.setenv("KYODO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KYODO_ADMIN_KEY", "cli-test-key-0123456789")
    for service in ("REGISTRY", "EVENTS", "MATCHING"):
        monkeypatch.delenv(f"KYODO_{service}_DATABASE_URL", raising=False)
    from services.common.settings import get_settings

    get_settings.cache_clear()
    assert CliRunner().invoke(app, ["migrate"]).exit_code == 0
    yield
    get_settings.cache_clear()


def _client() -> TestClient:
    return TestClient(create_app(embedded_services()), base_url="http://kyodo.test")


def _seed(client: TestClient) -> tuple[str, str]:
    org = client.post("/v1/organizations", json=organization_body(), headers=KEY).json()
    partner = organization_body(name="桜ヶ丘食品株式会社", kind="company")
    partner_id = client.post("/v1/organizations", json=partner, headers=KEY).json()["id"]
    body = resource_body(type="goods", title="子供食堂への食品提供")
    resource = client.post(f"/v1/organizations/{partner_id}/resources", json=body, headers=KEY)
    issue = client.post("/v1/issues", json=issue_body(org["id"]), headers=KEY).json()
    return issue["id"], resource.json()["id"]


def test_rebuild_reads_the_registry_feed_again_and_ranks_the_same(platform):
    with _client() as client:
        issue, resource = _seed(client)
        before = client.get(f"/v1/issues/{issue}/candidates").json()["items"]
    assert [c["resource_id"] for c in before] == [resource]

    result = CliRunner().invoke(app, ["matching", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "3 registry changes applied" in result.output  # two organisations, one resource

    with _client() as client:
        after = client.get(f"/v1/issues/{issue}/candidates").json()["items"]
    engine = embedded_services()["matching"].state.engine
    assert [c["resource_id"] for c in after] == [resource]
    assert after[0]["score"] == pytest.approx(before[0]["score"])
    with Session(engine) as session:
        docs = session.exec(select(ResourceDoc)).all()
    assert [(d.id, d.deleted, d.version) for d in docs] == [(resource, False, 1)]


def _feedback(engine: Any, issue: str, resource: str, organization: str, rows: int) -> None:
    """Decided matches whose outcome depends on geography, not on text."""
    rng = random.Random(7)
    with Session(engine) as session:
        for i in range(rows):
            values = {
                "text": rng.random(),
                "fields": rng.random(),
                "type": 1.0,
                "geography": rng.random(),
                "availability": 0.7,
                "trust": rng.random() * 0.3,
            }
            accepted = values["geography"] > 0.5
            now = utcnow()
            session.add(
                Match(
                    id=new_id(),
                    issue_id=issue,
                    issue_organization_id=organization,
                    resource_id=resource,
                    organization_id=f"partner-{i % 40}",
                    status="agreed" if accepted else "declined",
                    factor_values=values,
                    agreed_at=now if accepted else None,
                    created_at=now,
                    updated_at=now,
                )
            )
        session.commit()


def test_fit_weights_without_enough_feedback_changes_nothing(platform):
    result = CliRunner().invoke(app, ["matching", "fit-weights"])
    assert result.exit_code == 0, result.output
    assert "Not fitted" in result.output
    with Session(embedded_services()["matching"].state.engine) as session:
        assert session.exec(select(FittedWeights)).all() == []


def test_fit_weights_learns_from_outcomes_and_rankings_use_them(platform):
    with _client() as client:
        issue, resource = _seed(client)
        issues = [
            client.post(
                "/v1/issues",
                json=issue_body(
                    client.get(f"/v1/issues/{issue}").json()["organization_id"], title=f"課題 {n}"
                ),
                headers=KEY,
            ).json()["id"]
            for n in range(12)
        ]
    engine = embedded_services()["matching"].state.engine
    for n, each in enumerate(issues):
        _feedback(engine, each, resource, "poster", 10 + n % 3)

    result = CliRunner().invoke(app, ["matching", "fit-weights"])
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        fitted = session.exec(select(FittedWeights)).one()
    assert fitted.applied, result.output
    assert "applied" in result.output
    assert fitted.after > fitted.before
    assert max(fitted.weights, key=fitted.weights.get) == "geography"

    with _client() as client:
        page = client.get(f"/v1/issues/{issue}/candidates").json()
    assert page["weights"]["geography"] == pytest.approx(fitted.weights["geography"], abs=1e-4)
