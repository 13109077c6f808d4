"""Run a service's alembic history against its database, SQLite or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

__all__ = ["SERVICES", "alembic_config", "is_at_head", "upgrade"]

SERVICES = ("registry", "events", "matching", "gateway")
_HERE = Path(__file__).resolve().parent


def alembic_config(service: str, engine: Engine | None = None) -> Config:
    """An alembic config for ``service``, bound to ``engine`` when given."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    config = Config()
    config.set_main_option("script_location", str(_HERE / service))
    if engine is not None:
        # The engine itself is handed over; its URL (and password) never goes
        # through alembic's config, whose interpolation would choke on "%".
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, service: str, revision: str = "head") -> None:
    """Apply the service's migrations up to ``revision``."""
    command.upgrade(alembic_config(service, engine), revision)


def is_at_head(engine: Engine, service: str) -> bool:
    """Whether the database carries the newest revision of the service's history."""
    script = ScriptDirectory.from_config(alembic_config(service))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(script.get_heads())
