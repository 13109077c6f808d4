"""The matching service's own settings (``KYODO_MATCHING_*``)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.matching.engine.types import FACTORS

__all__ = ["DEFAULT_WEIGHTS", "MatchingSettings"]

# Measured with `kyodo eval matching`: partners must be local, so geography weighs as
# much as text (a far-away look-alike with the same words must not come first).
DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 0.3,
    "fields": 0.1,
    "type": 0.2,
    "geography": 0.3,
    "availability": 0.05,
    "trust": 0.05,
}


class MatchingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYODO_MATCHING_", extra="ignore")

    database_url: str | None = None
    """SQLAlchemy URL; a SQLite file in ``KYODO_DATA_DIR`` when unset."""
    registry_url: str = "http://127.0.0.1:8000"
    """Where the registry's change feed is read (the embedded platform uses it in-process)."""
    sync_interval_seconds: float = 2.0
    """How often the read model follows the registry's feed in the background
    (0: only on demand, before each ranking)."""
    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    """Factor weights of a score, as JSON (``{"text": 0.35, ...}``); fitted weights that
    proved better on held-out outcomes override them."""

    @field_validator("weights")
    @classmethod
    def _known_factors(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = set(weights) - set(FACTORS)
        if unknown or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError(f"weights name the factors {FACTORS}, non-negative, not all zero")
        return {name: float(weights.get(name, 0.0)) for name in FACTORS}
