"""The schema comes from migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import SERVICE_TABLES
from sqlmodel import SQLModel

from migrations.envtools import owned_by


def test_migrated_schema_matches_the_models(services):
    for name, app in services.items():
        with app.state.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_object": owned_by(set(SERVICE_TABLES[name]))},
            )
            differences = compare_metadata(context, SQLModel.metadata)
        assert differences == [], f"{name}: models and migrations differ: {differences}"


def test_migrations_upgrade_a_fresh_database_and_report_head(tmp_path):
    from migrations.runner import is_at_head, upgrade
    from services.common.db import create_db_engine

    engine = create_db_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert not is_at_head(engine, "registry")
    upgrade(engine, "registry")
    assert is_at_head(engine, "registry")
    upgrade(engine, "registry")  # idempotent
    assert is_at_head(engine, "registry")


def test_each_history_goes_down_and_up_again(services):
    from alembic import command

    from migrations.runner import alembic_config, is_at_head

    for name, app in services.items():
        engine = app.state.engine
        config = alembic_config(name, engine)
        command.downgrade(config, "base")
        assert not is_at_head(engine, name)
        command.upgrade(config, "head")
        assert is_at_head(engine, name)
