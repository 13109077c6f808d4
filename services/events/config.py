"""The events service's own settings (``KYODO_EVENTS_*``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["EventsSettings"]


class EventsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYODO_EVENTS_", extra="ignore")

    database_url: str | None = None
    """SQLAlchemy URL; a SQLite file in ``KYODO_DATA_DIR`` when unset."""
    registry_url: str = "http://127.0.0.1:8000"
    """Where the registry's change feed is read (the embedded platform uses it in-process)."""
    sync_interval_seconds: float = 2.0
    """How often the organisation read model follows the registry's feed in the background
    (0: only on demand, when a write names organisations)."""
