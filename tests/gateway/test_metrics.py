"""Edge metrics: route templates for bounded labels, the middleware, the exposition."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from hypothesis import example, given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from gateway.metrics import (
    UNMATCHED,
    GatewayMetrics,
    MetricsMiddleware,
    RouteTemplates,
    route_labels,
)
from gateway.routing import service_for

CONTRACT = Path(__file__).resolve().parents[2] / "openapi" / "kyodo.json"
TEMPLATES = [
    "/healthz",
    "/v1/events",
    "/v1/events.ics",
    "/v1/events/occurrences",
    "/v1/events/{event_id}",
    "/v1/events/{event_id}/calendar.ics",
    "/v1/matches/{match_id}/reviews/{side}",
    "/v1/organizations",
    "/v1/organizations/import",
    "/v1/organizations/{organization_id}",
    "/v1/organizations/{organization_id}/contacts",
    "/v1/volunteer-hours/organizations/{organization_id}",
    "/v1/files/{name}.json",
    "/v1/files/{name}",
    "/a/b/c",
    "/a/{x}/d",
]
ORG_ID = "0193abcd-0000-7000-8000-00000000beef"


@functools.cache
def contract_paths() -> list[str]:
    return list(json.loads(CONTRACT.read_text(encoding="utf-8"))["paths"])


# --- route templates -----------------------------------------------------------------


def _kind(segment: str) -> int:
    """2 literal, 1 parameter with literal text around it, 0 bare parameter."""
    if "{" not in segment:
        return 2
    return 0 if segment.startswith("{") and segment.endswith("}") else 1


def _fits(template_segment: str, part: str) -> bool:
    kind = _kind(template_segment)
    if kind == 2:
        return template_segment == part
    if kind == 0:
        return part != ""
    prefix = template_segment[: template_segment.index("{")]
    suffix = template_segment[template_segment.rindex("}") + 1 :]
    return (
        len(part) > len(prefix) + len(suffix) and part.startswith(prefix) and part.endswith(suffix)
    )


def reference_match(templates: list[str], path: str) -> str | None:
    """The slow, obvious rule: of the fitting templates, the most literal from the left."""
    parts = path.split("/")
    best = None
    for template in templates:
        segments = template.split("/")
        if len(segments) == len(parts) and all(map(_fits, segments, parts)):
            rank = tuple(map(_kind, segments))
            if best is None or rank > best[0]:
                best = (rank, template)
    return best[1] if best else None


@pytest.mark.parametrize(
    ("path", "template"),
    [
        (f"/v1/organizations/{ORG_ID}", "/v1/organizations/{organization_id}"),
        ("/v1/organizations/import", "/v1/organizations/import"),
        (f"/v1/organizations/{ORG_ID}/contacts", "/v1/organizations/{organization_id}/contacts"),
        ("/v1/events.ics", "/v1/events.ics"),
        ("/v1/events/occurrences", "/v1/events/occurrences"),
        ("/v1/events/e1/calendar.ics", "/v1/events/{event_id}/calendar.ics"),
        ("/v1/matches/m1/reviews/issuer", "/v1/matches/{match_id}/reviews/{side}"),
        (
            "/v1/volunteer-hours/organizations/o1",
            "/v1/volunteer-hours/organizations/{organization_id}",
        ),
        ("/v1/files/report.json", "/v1/files/{name}.json"),
        ("/v1/files/.json", "/v1/files/{name}"),
        ("/v1/files/report.csv", "/v1/files/{name}"),
        ("/a/b/c", "/a/b/c"),
        ("/a/b/d", "/a/{x}/d"),  # the literal "b" leads nowhere: back to the parameter
        ("/healthz", "/healthz"),
    ],
)
def test_a_concrete_path_maps_to_its_template(path, template):
    assert RouteTemplates(TEMPLATES).match(path) == template


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/",
        "//",
        "/v1/organizations/",
        "//v1/organizations",
        "/v1/organizations//contacts",
        f"/v1/organizations/{ORG_ID}/contacts/extra",
        "/v1/organizationsX",
        "/V1/organizations",
        "/v1/organizations/../../etc/passwd",
        "/v1/organizations/{organization_id}/x",
        "/healthz/",
        "/" + "a/" * 100_000,
    ],
)
def test_other_paths_match_nothing(path):
    assert RouteTemplates(TEMPLATES).match(path) is None


hostile_segment = st.one_of(
    st.sampled_from(["", ".", "..", "{", "}", "{x}", "%2F", "\x00", "v1", "import", "ics"]),
    st.sampled_from([s for t in TEMPLATES for s in t.split("/")]),
    st.text(max_size=12),
)


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(hostile_segment, max_size=8))
@example(parts=["", "v1", "files", "a.json.json"])
def test_hostile_paths_get_the_obvious_template_or_none(parts):
    path = "/".join(parts)
    assert RouteTemplates(TEMPLATES).match(path) == reference_match(TEMPLATES, path)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_instance_of_a_published_template_is_recognised(data):
    paths = contract_paths()
    template = data.draw(st.sampled_from(paths))
    value = st.text(st.characters(blacklist_characters="/"), min_size=1, max_size=40)
    path = "/".join(
        data.draw(value) if _kind(segment) == 0 else segment for segment in template.split("/")
    )
    found = RouteTemplates(paths).match(path)
    assert found is not None
    assert found == reference_match(paths, path)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_service_label_is_the_service_that_answers_the_path(data):
    paths = contract_paths()
    route_of = route_labels(RouteTemplates(paths), service_for)
    template = data.draw(st.sampled_from(paths))
    value = st.text(st.characters(blacklist_characters="/"), min_size=1, max_size=20)
    path = "/".join(
        data.draw(value) if _kind(segment) == 0 else segment for segment in template.split("/")
    )
    for _ in range(2):  # the second answer comes from the remembered template
        assert route_of("GET", path)[0] == (service_for(path) or "gateway")


def test_templates_come_from_the_contract():
    contract = json.loads(CONTRACT.read_text(encoding="utf-8"))
    templates = RouteTemplates.from_contract(contract)
    assert templates.match(f"/v1/organizations/{ORG_ID}") == "/v1/organizations/{organization_id}"


# --- the middleware and the exposition -------------------------------------------------


def instrumented(metrics: GatewayMetrics) -> TestClient:
    app = FastAPI()

    @app.get("/v1/organizations/{organization_id}")
    def organization(organization_id: str) -> dict[str, str]:
        return {"id": organization_id}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/events/{event_id}")
    def broken(event_id: str) -> None:
        raise RuntimeError("a bug")

    route_of = route_labels(RouteTemplates(app.openapi()["paths"]), service_for)
    return TestClient(MetricsMiddleware(app, metrics, route_of), raise_server_exceptions=False)


def requests_total(metrics: GatewayMetrics, **labels: str) -> float | None:
    return metrics.registry.get_sample_value("kyodo_gateway_requests_total", labels)


def test_requests_are_counted_by_service_route_method_and_status():
    metrics = GatewayMetrics()
    client = instrumented(metrics)
    for organization in ("o1", "o2", "o3"):
        client.get(f"/v1/organizations/{organization}")
    client.get("/healthz")
    client.delete("/healthz")
    labels = {"route": "/v1/organizations/{organization_id}", "method": "GET"}
    assert requests_total(metrics, service="registry", status="200", **labels) == 3
    assert requests_total(metrics, service="gateway", route="/healthz", method="GET", status="200")
    assert requests_total(
        metrics, service="gateway", route="/healthz", method="DELETE", status="405"
    )
    count = metrics.registry.get_sample_value(
        "kyodo_gateway_request_duration_seconds_count", {"service": "registry", **labels}
    )
    assert count == 3


def test_unknown_paths_and_methods_keep_labels_bounded():
    metrics = GatewayMetrics()
    client = instrumented(metrics)
    for i in range(50):
        client.get(f"/random/{i}")
    client.request("BREW", "/healthz")
    assert (
        requests_total(metrics, service="gateway", route=UNMATCHED, method="GET", status="404")
        == 50
    )
    assert requests_total(
        metrics, service="gateway", route="/healthz", method="OTHER", status="405"
    )
    exposition = metrics.render().decode()
    assert "/random/" not in exposition
    assert "BREW" not in exposition


def test_a_request_that_raises_counts_as_a_500():
    metrics = GatewayMetrics()
    assert instrumented(metrics).get("/v1/events/e1").status_code == 500
    assert (
        requests_total(
            metrics, service="events", route="/v1/events/{event_id}", method="GET", status="500"
        )
        == 1
    )


def test_upstream_errors_and_refusals_are_counted():
    metrics = GatewayMetrics()
    metrics.record_upstream_error("registry", "read_timeout")
    metrics.record_upstream_error("registry", "read_timeout")
    metrics.record_rate_limited("anonymous")
    get = metrics.registry.get_sample_value
    assert (
        get("kyodo_gateway_upstream_errors_total", {"service": "registry", "kind": "read_timeout"})
        == 2
    )
    assert get("kyodo_gateway_rate_limited_requests_total", {"policy": "anonymous"}) == 1


def test_the_exposition_is_prometheus_text_with_latency_buckets_from_5ms_to_10s():
    metrics = GatewayMetrics()
    instrumented(metrics).get("/healthz")
    response = metrics.response()
    assert response.media_type.startswith("text/plain; version=0.0.4")
    families = {f.name: f for f in text_string_to_metric_families(response.body.decode())}
    assert {"kyodo_gateway_requests", "kyodo_gateway_request_duration_seconds"} <= set(families)
    bounds = {
        s.labels["le"]
        for s in families["kyodo_gateway_request_duration_seconds"].samples
        if s.name.endswith("_bucket")
    }
    assert {"0.005", "10.0", "+Inf"} <= bounds


def test_two_metrics_objects_do_not_share_a_registry():
    first, second = GatewayMetrics(), GatewayMetrics()
    first.record_rate_limited("anonymous")
    assert (
        second.registry.get_sample_value(
            "kyodo_gateway_rate_limited_requests_total", {"policy": "anonymous"}
        )
        is None
    )
