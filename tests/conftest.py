"""The platform under test, on SQLite and on PostgreSQL.

Every test that uses ``api`` runs once per backend. Each backend gets a fresh
database for the test session (PostgreSQL: created and dropped here), migrated
by alembic, and is emptied before each test.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

warnings.filterwarnings("ignore", message=".*httpx2.*")
from fastapi.testclient import TestClient  # noqa: E402

from gateway.config import GatewaySettings  # noqa: E402
from gateway.main import create_app, embedded_services, gateway_engine  # noqa: E402
from migrations.runner import upgrade  # noqa: E402
from services.common.settings import KyodoSettings  # noqa: E402
from services.common.timefmt import JST  # noqa: E402
from services.matching.ranking import Ranking  # noqa: E402

# Tests empty the databases between cases; a background follower of the
# registry feed could write back a stale position meanwhile. Requests still
# catch up with the feed on demand, which is what the tests exercise.
os.environ.setdefault("KYODO_EVENTS_SYNC_INTERVAL_SECONDS", "0")
os.environ.setdefault("KYODO_MATCHING_SYNC_INTERVAL_SECONDS", "0")
# Tests start many apps in one process; frozen heaps would never be collected.
os.environ.setdefault("KYODO_FREEZE_HEAP_AFTER_STARTUP", "false")
# Tests make many requests a minute from one address; the limits have tests of their own
# (which give their settings explicitly).
for _limit in ("ANONYMOUS", "ADMIN", "DEFAULT"):
    os.environ.setdefault(f"KYODO_GATEWAY_{_limit}_RATE_LIMIT_PER_MINUTE", "1000000")

ADMIN_KEY = "kyodo-test-admin-key"
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
PG_ADMIN_URL = os.environ.get(
    "KYODO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SERVICE_TABLES = {
    "registry": ["resource", "organization", "outbox", "idempotency_key"],
    "events": [
        "signup",
        "shift",
        "opportunity",
        "event",
        "organization_ref",
        "feed_position",
        "points_rule",
        "outbox",
        "idempotency_key",
    ],
    "matching": [
        "case_study",
        "match",
        "issue",
        "resource_doc",
        "organization_doc",
        "feed_position",
        "fitted_weights",
        "outbox",
        "idempotency_key",
    ],
}
GATEWAY_TABLES = ["api_key", "api_client", "idempotency_key"]


def _postgres_available() -> bool:
    try:
        with sa.create_engine(PG_ADMIN_URL).connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[Callable[[str], str]]:
    """A factory of fresh PostgreSQL databases, all dropped at the end of the session."""
    if not _postgres_available():
        if os.environ.get("KYODO_TEST_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required but unreachable at {PG_ADMIN_URL}")
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def make(service: str) -> str:
        name = f"kyodo_test_{service}_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return str(sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(False))

    yield make
    with admin.connect() as connection:
        for name in created:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def services(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[dict[str, FastAPI]]:
    """Every service app, migrated, on the chosen backend."""
    data_dir = tmp_path_factory.mktemp(f"kyodo-{backend}")
    if backend == "postgres":
        make = request.getfixturevalue("postgres_databases")
        urls = {service: make(service) for service in SERVICE_TABLES}
    else:
        urls = {service: f"sqlite:///{data_dir / service}.db" for service in SERVICE_TABLES}
    settings = KyodoSettings(data_dir=Path(data_dir), admin_key=ADMIN_KEY, log_level="WARNING")
    apps = embedded_services(settings, urls)
    for name, app in apps.items():
        upgrade(app.state.engine, name)
    yield apps
    for app in apps.values():
        app.state.engine.dispose()


@pytest.fixture(scope="session")
def gateway_settings(
    backend: str, services: dict[str, FastAPI], request: pytest.FixtureRequest
) -> Iterator[GatewaySettings]:
    """The gateway's settings for tests: its own migrated database (limits from the
    environment set above: out of the way)."""
    settings = services["registry"].state.settings
    if backend == "postgres":
        url = request.getfixturevalue("postgres_databases")("gateway")
    else:
        url = f"sqlite:///{settings.data_dir / 'gateway.db'}"
    gateway = GatewaySettings(database_url=url)
    engine = gateway_engine(settings, gateway)
    upgrade(engine, "gateway")
    engine.dispose()
    yield gateway


def _empty_engine(engine: sa.Engine, tables: list[str]) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(sa.text(f"DELETE FROM {table}"))
            if sa.inspect(connection).has_table("sqlite_sequence"):
                connection.execute(sa.text("DELETE FROM sqlite_sequence"))


def forget_rankings(services: dict[str, FastAPI]) -> None:
    """After emptying the databases under the running apps: matching's in-memory indexes
    follow the database incrementally, and a database emptied behind their back is not a
    change they can see."""
    services["matching"].state.ranking = Ranking()


def _empty(app: Any, tables: list[str]) -> None:
    _empty_engine(app.state.engine, tables)


@pytest.fixture
def api(services: dict[str, FastAPI], gateway_settings: GatewaySettings) -> Iterator[TestClient]:
    """A client of the embedded gateway over emptied databases."""
    for name, app in services.items():
        _empty(app, SERVICE_TABLES[name])
    forget_rankings(services)
    gateway = create_app(services, gateway=gateway_settings)
    _empty(gateway, GATEWAY_TABLES)
    with TestClient(gateway, base_url="http://kyodo.test") as client:
        yield client


@pytest.fixture
def registry_engine(services: dict[str, FastAPI]) -> sa.Engine:
    engine: sa.Engine = services["registry"].state.engine
    return engine


def organization_body(**overrides: Any) -> dict[str, Any]:
    """A valid organisation body; tests override what they are about."""
    body: dict[str, Any] = {
        "name": "特定非営利活動法人 さくらがおかフードバンク",
        "name_kana": "サクラガオカフードバンク",
        "kind": "npo_corporation",
        "municipality_code": "102997",
        "address": "群馬県桜ヶ丘市本町二丁目3番5号",
        "fields": ["health_welfare", "child_development"],
        "description": "子ども食堂への食品提供とフードドライブを行っています。",
    }
    body.update(overrides)
    return body


def resource_body(**overrides: Any) -> dict[str, Any]:
    """A valid resource body."""
    body: dict[str, Any] = {
        "type": "venue",
        "title": "公民館の調理室",
        "description": "こども食堂や料理教室に使える調理室です。",
        "fields": ["child_development"],
        "municipality_codes": ["102997"],
    }
    body.update(overrides)
    return body


@pytest.fixture
def make_org(api: TestClient) -> Callable[..., dict[str, Any]]:
    """Create an organisation through the API and return it."""

    def make(**overrides: Any) -> dict[str, Any]:
        response = api.post("/v1/organizations", json=organization_body(**overrides), headers=AUTH)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


@pytest.fixture
def make_resource(api: TestClient) -> Callable[..., dict[str, Any]]:
    """Create a resource of an organisation through the API and return it."""

    def make(organization_id: str, **overrides: Any) -> dict[str, Any]:
        response = api.post(
            f"/v1/organizations/{organization_id}/resources",
            json=resource_body(**overrides),
            headers=AUTH,
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


# --- events ---------------------------------------------------------------------


def jst(days: float = 0, hour: int = 10, minute: int = 0) -> str:
    """A time ``days`` from today at ``hour`` (Japan time), RFC 3339."""
    base = datetime.now(JST).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return (base + timedelta(days=days)).isoformat()


@pytest.fixture
def organizer(make_org) -> dict[str, Any]:
    return make_org(name="桜ヶ丘こども食堂の会", kind="volunteer_group")


@pytest.fixture
def make_event(api, organizer) -> Callable[..., dict[str, Any]]:
    def make(**overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "title": "こども食堂ボランティア説明会",
            "description": "子ども食堂の運営に関心のある方へ。",
            "kind": "seminar",
            "organizer_ids": [organizer["id"]],
            "starts_at": jst(10, 10),
            "ends_at": jst(10, 12),
            "venue": {"name": "桜ヶ丘市民活動センター", "municipality_code": "102997"},
            "municipality_code": "102997",
            "fields": ["child_development"],
            "fee_jpy": 0,
            "status": "published",
        }
        body.update(overrides)
        response = api.post("/v1/events", json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


@pytest.fixture
def make_opportunity(api, organizer) -> Callable[..., dict[str, Any]]:
    def make(**overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "organization_id": organizer["id"],
            "title": "こども食堂の調理補助",
            "municipality_code": "102997",
            "fields": ["child_development"],
        }
        body.update(overrides)
        response = api.post("/v1/opportunities", json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


@pytest.fixture
def make_shift(api, make_opportunity) -> Callable[..., dict[str, Any]]:
    def make(opportunity: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        opportunity = opportunity or make_opportunity()
        body: dict[str, Any] = {"starts_at": jst(7, 9), "ends_at": jst(7, 13), "capacity": 2}
        body.update(overrides)
        response = api.post(
            f"/v1/opportunities/{opportunity['id']}/shifts", json=body, headers=AUTH
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


# --- API clients bound to organisations ------------------------------------------

WRITE_SCOPES = ("registry:write", "events:write", "matching:write")


@pytest.fixture
def make_key(api: TestClient) -> Callable[..., dict[str, str]]:
    """An API key of a new client bound to organisations, with scopes, made through
    ``POST /v1/admin/clients``: ``make_key(org_id, ..., scopes=(...))`` returns the
    request headers that carry it."""

    def make(*organization_ids: str, scopes: tuple[str, ...] = WRITE_SCOPES) -> dict[str, str]:
        body = {
            "name": "テスト用クライアント",
            "organization_ids": list(organization_ids),
            "scopes": list(scopes),
        }
        response = api.post("/v1/admin/clients", json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['key']}"}

    return make


@pytest.fixture
def own_redis() -> Iterator[Any]:
    """A redis-server of the test's own on a free port, which the test may stop and start
    (never the shared one)."""
    import shutil

    from tests.gateway.processes import RedisServer

    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server binary on this machine")
    server = RedisServer()
    server.start()
    yield server
    server.stop()
