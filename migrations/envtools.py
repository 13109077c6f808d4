"""What every service's ``env.py`` does: migrate its own tables, batch mode on SQLite."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

__all__ = ["owned_by", "render_item", "run_migrations"]


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render the kit's column types as plain SQLAlchemy, so revisions stand alone."""
    if type_ == "type" and type(obj).__name__ == "AutoString":
        return f"sa.String(length={obj.length})" if obj.length else "sa.Text()"
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def owned_by(tables: set[str]) -> Any:
    """An alembic ``include_object`` hook: only these tables (and their indexes) count.

    Every service's models share SQLModel's metadata; each database holds its own.
    """

    def include_object(
        obj: Any, name: str | None, type_: str, _reflected: Any, _other: Any
    ) -> bool:
        if type_ == "table":
            return name in tables
        table = getattr(obj, "table", None)
        return table is None or table.name in tables

    return include_object


def run_migrations(context: Any, tables: set[str]) -> None:
    """Run online migrations for the tables a service owns."""

    config = context.config
    engine = config.attributes.get("engine") or sa.create_engine(
        config.get_main_option("sqlalchemy.url")
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            include_object=owned_by(tables),
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
