"""The registry's own settings (``KYODO_REGISTRY_*``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RegistrySettings"]


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYODO_REGISTRY_", extra="ignore")

    database_url: str | None = None
    """SQLAlchemy URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/kyodo_registry;
    a SQLite file in ``KYODO_DATA_DIR`` when unset."""
