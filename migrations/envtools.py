"""What every service's ``env.py`` does: migrate its own tables, batch mode on SQLite."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

__all__ = ["run_migrations"]


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render the kit's column types as plain SQLAlchemy, so revisions stand alone."""
    if type_ == "type" and type(obj).__name__ == "AutoString":
        return f"sa.String(length={obj.length})" if obj.length else "sa.Text()"
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(context: Any, tables: set[str]) -> None:
    """Run online migrations for the tables a service owns."""

    def include_name(name: str | None, type_: str, _parents: Any) -> bool:
        return type_ != "table" or name in tables

    config = context.config
    engine = config.attributes.get("engine") or sa.create_engine(
        config.get_main_option("sqlalchemy.url")
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            include_name=include_name,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
