"""The gateway's own settings (``KYODO_GATEWAY_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["GatewaySettings"]


class GatewaySettings(BaseSettings):
    """Routing, API clients, limits and the edge's safety settings."""

    model_config = SettingsConfigDict(env_prefix="KYODO_GATEWAY_", extra="ignore")

    database_url: str | None = None
    """SQLAlchemy URL of the gateway's database (API clients and keys); a SQLite
    file in ``KYODO_DATA_DIR`` when unset."""

    # --- the distributed mode: where each service listens (unset: in this process)
    registry_url: str | None = None
    events_url: str | None = None
    matching_url: str | None = None

    # --- forwarding
    connect_timeout_seconds: float = Field(2.0, gt=0, le=60)
    """Longest wait for a connection to an upstream (504 after it), and for a free one
    of the pool when all are in use (503 "the gateway is busy" after it)."""
    read_timeout_seconds: float = Field(15.0, gt=0, le=600)
    """Longest wait for an upstream's answer once the request is sent (504 after it)."""
    request_timeout_seconds: float = Field(30.0, gt=0, le=3600)
    """Longest one request may take until its answer starts, the caller's upload
    included: so long at most it holds a pooled connection. 408 when the caller was
    still sending its body then, else 504; keep it above connect + read timeouts."""
    body_timeout_seconds: float = Field(10.0, gt=0, le=600)
    """Longest wait for the next piece of a request body from the caller (408 after
    it, and its connection is closed; not counted against the service)."""
    retry_attempts: int = Field(1, ge=0, le=5)
    """Extra attempts for idempotent requests whose connection failed (within the deadline)."""
    breaker_failure_threshold: int = Field(5, ge=1, le=1000)
    """Consecutive upstream failures that open a service's circuit (503 at once)."""
    breaker_reset_seconds: float = Field(5.0, gt=0, le=3600)
    """How long an open circuit waits before letting one trial request through."""
    pool_size: int = Field(100, ge=1, le=10_000)
    """Keep-alive connections per upstream service."""
    keepalive_seconds: float = Field(4.0, gt=0, le=300)
    """How long an idle pooled connection is kept: shorter than the services' own
    keep-alive (uvicorn's is 5 s), so the gateway never reuses one they are closing."""

    # --- API clients, rate limits
    redis_url: str | None = None
    """Redis for rate limits shared by every gateway process; in-memory when unset."""
    redis_failure_mode: str = Field("memory", pattern="^(memory|refuse)$")
    """When Redis fails: ``memory`` limits in this process meanwhile, ``refuse`` answers 503."""
    anonymous_rate_limit_per_minute: int = Field(120, ge=1, le=1_000_000)
    """Requests per minute per IP address without a key (also counts failed keys)."""
    default_rate_limit_per_minute: int = Field(600, ge=1, le=1_000_000)
    """A new API client's limit when it names none."""
    admin_rate_limit_per_minute: int = Field(6000, ge=1, le=1_000_000)
    """The bootstrap administrator key's limit."""
    key_cache_seconds: float = Field(5.0, ge=0, le=300)
    """How long a gateway process trusts a looked-up key; revocation reaches other
    gateway processes within this time (at once in the process that revoked it)."""

    # --- browsers
    cors_origins: list[str] = Field(default_factory=list)
    """Origins allowed to call the API from a browser (JSON list); none when empty."""
