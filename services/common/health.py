"""``/healthz`` (the process is alive) and ``/readyz`` (database reachable, schema current)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from migrations.runner import is_at_head

__all__ = ["Health", "Readiness", "check_readiness", "health_router"]


class Health(BaseModel):
    """Liveness: the process answers."""

    status: str = "ok"


class Readiness(BaseModel):
    """Readiness: each check and the overall verdict."""

    status: str
    checks: dict[str, str]


def check_readiness(request: Request) -> Readiness:
    """Database reachable and migrated to the newest revision."""
    app = request.app
    checks: dict[str, str] = {}
    try:
        with app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
        checks["migrations"] = (
            "ok" if is_at_head(app.state.engine, app.state.service) else "pending"
        )
    except Exception as exc:  # any driver error means "not ready", never a 500
        checks["database"] = f"unreachable: {type(exc).__name__}"
    status = "ok" if all(v == "ok" for v in checks.values()) and len(checks) == 2 else "unavailable"
    return Readiness(status=status, checks=checks)


def health_router() -> APIRouter:
    """The probes, kept out of the published contract of the service."""
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    def healthz() -> Health:
        return Health()

    @router.get("/readyz")
    def readyz(request: Request) -> JSONResponse:
        readiness = check_readiness(request)
        code = 200 if readiness.status == "ok" else 503
        return JSONResponse(readiness.model_dump(), status_code=code)

    return router
