"""Settings shared by every service, read from ``KYODO_*`` environment variables.

Nothing else in the code base reads ``os.environ``: services declare their own
settings classes (``KYODO_REGISTRY_*`` …) for what only they need.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["KyodoSettings", "get_settings", "service_database_url"]


class KyodoSettings(BaseSettings):
    """Platform-wide settings (``KYODO_*``)."""

    model_config = SettingsConfigDict(env_prefix="KYODO_", extra="ignore")

    data_dir: Path = Field(Path(".kyodo"), description="Where embedded SQLite files live.")
    admin_key: SecretStr | None = Field(
        None,
        min_length=20,
        description="Bootstrap administrator key, sent as `Authorization: Bearer <key>` "
        "(at least 20 characters: it opens everything).",
    )
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest JSON request body.")
    max_import_bytes: int = Field(10_485_760, ge=1024, description="Largest CSV import body.")
    idempotency_ttl_seconds: int = Field(86_400, ge=60)
    freeze_heap_after_startup: bool = Field(
        True,
        description="Move what start-up built out of the garbage collector's reach "
        "(gc.freeze): shorter pauses. Off in tests, which start many apps in one process.",
    )

    internal_secret: SecretStr | None = Field(
        None,
        description="Shared by the gateway and the services: signs the gateway's word on "
        "who is calling (distributed mode). Generated in the data directory when unset.",
    )

    def admin_key_value(self) -> str:
        """The admin key, generated and kept in the data directory when unset."""
        return self._kept_secret(self.admin_key, "admin-key", "kyodo_admin_")

    def internal_secret_value(self) -> str:
        """The internal secret, generated and kept in the data directory when unset."""
        return self._kept_secret(self.internal_secret, "internal-secret", "")

    def _kept_secret(self, configured: SecretStr | None, file_name: str, prefix: str) -> str:
        if configured is not None:
            return configured.get_secret_value()
        secret_file = self.data_dir / file_name
        if secret_file.exists():
            return secret_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        value = prefix + secrets.token_urlsafe(24)
        secret_file.write_text(value + "\n")
        secret_file.chmod(0o600)
        return value


def service_database_url(settings: KyodoSettings, service: str, configured: str | None) -> str:
    """The service's database URL: the configured one, else a SQLite file in the data dir."""
    if configured:
        return configured
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(settings.data_dir / f'{service}.db').resolve()}"


@lru_cache
def get_settings() -> KyodoSettings:
    """Settings from the environment, read once per process."""
    return KyodoSettings()
