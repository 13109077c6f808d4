"""docker-compose.yml stays a truthful description of the platform (no engine runs here)."""

from __future__ import annotations

from pathlib import Path

import yaml

from migrations.runner import SERVICES

ROOT = Path(__file__).resolve().parents[1]


def test_compose_gives_every_service_database_and_migrates_first():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["x-kyodo-env"]
    for service in SERVICES:
        assert f"KYODO_{service.upper()}_DATABASE_URL" in environment, service
    gateway = compose["services"]["gateway"]
    assert gateway["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert compose["services"]["migrate"]["command"] == ["kyodo", "migrate"]
    init = (ROOT / "deploy" / "postgres-init.sql").read_text()
    for service in SERVICES:
        database = environment[f"KYODO_{service.upper()}_DATABASE_URL"].rsplit("/", 1)[-1]
        created = database == compose["services"]["postgres"]["environment"]["POSTGRES_DB"]
        assert created or f"CREATE DATABASE {database};" in init, database
