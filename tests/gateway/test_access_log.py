"""Access logs at the edge: one line per request, the client named, no secrets."""

from __future__ import annotations

import json
import logging

import structlog
from conftest import AUTH
from fastapi.testclient import TestClient

from gateway.main import create_app, embedded_services


def test_one_line_per_request_naming_the_client_and_no_secret(
    api, services, gateway_settings, make_org, make_key, capsys
):
    org = make_org()
    key = make_key(org["id"])
    previous = structlog.get_config()
    settings = services["registry"].state.settings.model_copy(
        update={"log_level": "INFO", "log_format": "json"}
    )
    urls = {
        name: app.state.engine.url.render_as_string(hide_password=False)
        for name, app in services.items()
    }
    # Logging is configured once per process (WARNING in tests): lower it while the
    # apps under test bind their loggers.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    try:
        logged = embedded_services(settings, urls)
        capsys.readouterr()
        with TestClient(create_app(logged, settings, gateway_settings)) as client:
            client.get(f"/v1/organizations/{org['id']}?q=secret-query", headers=key)
            client.get("/v1/me", headers={"Authorization": "Bearer kyodo_wrong"})
            client.get("/v1/organizations", headers=AUTH)
        text = capsys.readouterr().err
    finally:
        structlog.configure(**previous)
        for app in logged.values():
            app.state.engine.dispose()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) == 3  # the embedded service's line, not the edge's as well
    first, refused, admin = requests
    assert first["service"] == "registry"
    assert first["route"] == "/v1/organizations/{organization_id}"
    assert first["client"] not in (None, "anonymous") and first["status"] == 200
    assert refused["service"] == "gateway" and refused["status"] == 401
    assert admin["client"] == "admin"
    assert "secret-query" not in text
    assert key["Authorization"].split()[1] not in text and "kyodo_wrong" not in text
    assert AUTH["Authorization"].split()[1] not in text
