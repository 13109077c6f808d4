"""The baseline: a bare FastAPI app answering with the same payloads as the registry.

Run by bench/registry_throughput.py, which writes the payloads to the file named
by ``KYODO_BENCH_PAYLOADS`` before starting it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

payloads = json.loads(Path(os.environ["KYODO_BENCH_PAYLOADS"]).read_text(encoding="utf-8"))
app = FastAPI()


@app.get("/v1/organizations")
def list_organizations() -> dict[str, Any]:
    return dict(payloads["list"])


@app.post("/v1/organizations", status_code=201)
async def create_organization(request: Request) -> JSONResponse:
    await request.json()
    return JSONResponse(payloads["created"], status_code=201)
