"""The kyodo command as a user runs it: migrate, demo load, serve, openapi."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kyodo.cli import app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def kyodo_env(tmp_path, monkeypatch):
    monkeypatch.setenv("KYODO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KYODO_ADMIN_KEY", "cli-test-key-0123456789")
    monkeypatch.delenv("KYODO_REGISTRY_DATABASE_URL", raising=False)
    from services.common.settings import get_settings

    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def test_demo_load_is_idempotent(kyodo_env):
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "load", "--count", "12"])
    assert first.exit_code == 0, first.output
    assert "12 organisations" in first.output
    second = runner.invoke(app, ["demo", "load", "--count", "12"])
    assert second.exit_code == 0, second.output
    assert "0 organisations and 0 resources created" in second.output
    assert (kyodo_env / "registry.db").exists()


def test_migrate_reports_each_service(kyodo_env):
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "registry: migrated" in result.output


def test_openapi_check_passes_on_the_checked_in_contract(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["openapi", "--check"])
    assert result.exit_code == 0, result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_runs_the_embedded_platform(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "KYODO_DATA_DIR": str(tmp_path),
        "KYODO_ADMIN_KEY": "serve-key-0123456789abcdef",
    }
    env.pop("KYODO_REGISTRY_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "kyodo.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("kyodo serve did not become ready")
        created = httpx.post(
            base + "/v1/organizations",
            json={"name": "起動確認の会", "kind": "volunteer_group", "municipality_code": "102997"},
            headers={"Authorization": "Bearer serve-key-0123456789abcdef"},
        )
        assert created.status_code == 201
        listed = httpx.get(base + "/v1/organizations").json()["items"]
        assert [o["name"] for o in listed] == ["起動確認の会"]
        assert httpx.get(base + "/openapi.json").json()["info"]["title"] == "Kyodo API"
    finally:
        process.terminate()
        process.wait(timeout=10)
