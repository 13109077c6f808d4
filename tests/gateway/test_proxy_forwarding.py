"""The gateway's HTTP forwarding, against real service processes.

Each request goes through a minimal edge (request id, optional trace context,
the authenticated caller in the scope) into :class:`gateway.proxy.HttpService`,
which talks over HTTP to a uvicorn process: the registry on SQLite, or a small
upstream that reports what it received.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from gateway.breaker import CircuitBreaker
from gateway.proxy import HttpService, distributed_upstreams
from gateway.tracing import TRACEPARENT_SCOPE_KEY
from migrations.runner import upgrade
from services.common.assertion import verify_assertion
from services.common.auth import ADMIN, Client
from services.common.db import create_db_engine
from tests.gateway.processes import ServiceProcess, running
from tests.gateway.proxy_harness import SECRET, Recorder, forwarding, settings
from tests.gateway.upstream_app import GZIPPED_TEXT, pattern

ADMIN_KEY = "proxy-test-admin-key"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    logs = tmp_path_factory.mktemp("upstream")
    with running(ServiceProcess("tests.gateway.upstream_app:app", {}, logs)) as process:
        yield process


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    data_dir = tmp_path_factory.mktemp("registry")
    engine = create_db_engine(f"sqlite:///{data_dir / 'registry.db'}")
    upgrade(engine, "registry")
    engine.dispose()
    env = {
        "KYODO_DATA_DIR": str(data_dir),
        "KYODO_ADMIN_KEY": ADMIN_KEY,
        "KYODO_INTERNAL_SECRET": SECRET,
        "KYODO_LOG_LEVEL": "WARNING",
        "KYODO_LOG_FORMAT": "console",
    }
    process = ServiceProcess("kyodo.standalone:registry_app", env, data_dir, factory=True)
    with running(process):
        yield process


def proxy(process: ServiceProcess, name: str = "upstream", **overrides: Any) -> HttpService:
    return HttpService(name, process.url, settings(**overrides), SECRET)


def header_values(echo: dict[str, Any], name: str) -> list[str]:
    return [value for key, value in echo["headers"] if key == name]


def org_body(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "name_kana": "サクラガオカ",
        "kind": "npo_corporation",
        "municipality_code": "102997",
        "address": "群馬県桜ヶ丘市本町二丁目3番5号",
        "fields": ["health_welfare"],
        "description": "ゲートウェイ越しに登録された団体です。",
    }


# --- the registry behind the proxy


def test_org_bound_client_writes_through_the_proxy_with_the_gateways_assertion(
    registry: ServiceProcess,
) -> None:
    async def scenario() -> None:
        member_of: dict[str, Client] = {}
        async with forwarding(proxy(registry, "registry"), clients={"admin": ADMIN}) as http:
            created = await http.post(
                "/v1/organizations",
                json=org_body("協働フードバンク"),
                headers={"X-Test-As": "admin"},
            )
            assert created.status_code == 201, created.text
            org_id = created.json()["id"]
            assert created.headers["location"] == f"/v1/organizations/{org_id}"
            member_of["mine"] = Client(
                "client-a", frozenset({"registry:write"}), frozenset({org_id})
            )
            member_of["other"] = Client("client-b", frozenset({"registry:write"}), frozenset({"x"}))
        resource = {
            "type": "venue",
            "title": "公民館の調理室",
            "description": "こども食堂に使える調理室です。",
            "fields": ["child_development"],
            "municipality_codes": ["102997"],
        }
        async with forwarding(proxy(registry, "registry"), clients=member_of) as http:
            path = f"/v1/organizations/{org_id}/resources"
            mine = await http.post(path, json=resource, headers={"X-Test-As": "mine"})
            other = await http.post(path, json=resource, headers={"X-Test-As": "other"})
        assert mine.status_code == 201, mine.text
        assert mine.json()["organization_id"] == org_id
        assert other.status_code == 403, other.text

    asyncio.run(scenario())


def test_the_callers_key_never_reaches_the_service(registry: ServiceProcess) -> None:
    # Without a caller in the scope the proxy sends no assertion, and it drops the
    # Authorization header: even the bootstrap admin key does not get through.
    forged = "e30.AAAA"  # a made-up assertion is dropped too, not passed on
    with_admin_key = {"Authorization": f"Bearer {ADMIN_KEY}", "Kyodo-Client-Assertion": forged}

    async def scenario() -> None:
        async with forwarding(proxy(registry, "registry")) as http:
            answer = await http.post(
                "/v1/organizations", json=org_body("鍵なし"), headers=with_admin_key
            )
        assert answer.status_code == 401, answer.text

    asyncio.run(scenario())


def test_lists_keep_their_query_and_a_link_that_points_at_the_gateway(
    registry: ServiceProcess,
) -> None:
    async def scenario() -> None:
        async with forwarding(proxy(registry, "registry"), client=ADMIN) as http:
            for name in ("リンク団体一", "リンク団体二"):
                made = await http.post("/v1/organizations", json=org_body(name))
                assert made.status_code == 201, made.text
            first = await http.get("/v1/organizations?limit=1&kind=npo_corporation")
            assert first.status_code == 200, first.text
            link = first.headers["link"]
            target = link[link.index("<") + 1 : link.index(">")]
            assert target.startswith("/v1/organizations?")  # relative: resolves at the gateway
            assert "kind=npo_corporation" in target and "limit=1" in target
            second = await http.get(target)
        assert second.status_code == 200, second.text
        assert second.json()["items"][0]["id"] != first.json()["items"][0]["id"]

    asyncio.run(scenario())


def test_request_id_reaches_the_service_and_comes_back(registry: ServiceProcess) -> None:
    async def scenario() -> None:
        async with forwarding(proxy(registry, "registry")) as http:
            missing = "/v1/organizations/01900000-0000-7000-8000-000000000000"
            answer = await http.get(missing, headers={"X-Request-ID": "trace-me-42"})
        assert answer.status_code == 404, answer.text
        assert answer.headers["x-request-id"] == "trace-me-42"
        assert answer.json()["request_id"] == "trace-me-42"  # the service saw it

    asyncio.run(scenario())


# --- what crosses the proxy, byte for byte


def test_method_path_query_headers_and_body_arrive_intact(upstream: ServiceProcess) -> None:
    scopes: list[dict[str, Any]] = []
    body = '{"name": "協働"}'.encode()
    target = "/echo/a%2Fb/%E5%8D%94?q=%E5%8D%94%E5%83%8D&x=1&x=2&empty=&plus=a+b&semi=%3B"

    async def scenario() -> None:
        async with forwarding(proxy(upstream), scopes=scopes) as http:
            return await http.request(
                "PATCH",
                target,
                content=body,
                headers={"Content-Type": "application/json", "X-Custom": "kept", "Accept": "*/*"},
            )

    answer = asyncio.run(scenario())
    assert answer.status_code == 200
    echo = answer.json()
    assert echo["method"] == "PATCH"
    assert echo["raw_path"] == scopes[0]["raw_path"].decode()
    assert echo["query_string"] == scopes[0]["query_string"].decode()
    assert "%2F" in echo["raw_path"] and "plus=a+b" in echo["query_string"]
    assert echo["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert header_values(echo, "x-custom") == ["kept"]
    assert header_values(echo, "content-type") == ["application/json"]
    assert header_values(echo, "host") == ["gateway.test"]  # the caller's, not the service's
    assert header_values(echo, "x-forwarded-host") == ["gateway.test"]
    assert header_values(echo, "x-forwarded-proto") == ["http"]
    assert header_values(echo, "x-forwarded-for") == ["127.0.0.1"]


def test_hop_by_hop_and_credential_headers_stay_behind(upstream: ServiceProcess) -> None:
    caller = Client("client-c", frozenset({"registry:write"}), frozenset({"org-1"}))
    sent = {
        "Connection": "keep-alive, X-Private",
        "X-Private": "secret",
        "Keep-Alive": "timeout=5",
        "TE": "trailers",
        "Trailer": "X-Sum",
        "Upgrade": "h2c",
        "Proxy-Authorization": "Basic eDp5",
        "Authorization": "Bearer kyodo_live_key",
        "Kyodo-Client-Assertion": "forged.assertion",
        "X-Forwarded-For": "203.0.113.9",
        "Expect": "100-continue",
        "X-Kept": "yes",
    }

    async def scenario() -> dict[str, Any]:
        async with forwarding(proxy(upstream), client=caller) as http:
            answer = await http.post("/echo", content=b"x", headers=sent)
            return dict(answer.json())

    echo = asyncio.run(scenario())
    names = {name for name, _ in echo["headers"]}
    for gone in ("connection", "x-private", "keep-alive", "te", "trailer", "upgrade",
                 "proxy-authorization", "authorization", "expect"):  # fmt: skip
        assert gone not in names, gone
    assert header_values(echo, "x-kept") == ["yes"]
    # The forwarded chain keeps what came before and adds the caller's address.
    assert header_values(echo, "x-forwarded-for") == ["203.0.113.9, 127.0.0.1"]
    (assertion,) = header_values(echo, "kyodo-client-assertion")
    assert verify_assertion(assertion, SECRET, audience="upstream") == caller


def test_the_services_hop_by_hop_headers_stay_behind_and_cookies_stay_apart(
    upstream: ServiceProcess,
) -> None:
    async def scenario() -> Any:
        async with forwarding(proxy(upstream)) as http:
            return await http.get("/hop")

    answer = asyncio.run(scenario())
    assert answer.status_code == 200
    for gone in ("connection", "x-private", "keep-alive", "proxy-authenticate", "upgrade",
                 "trailer"):  # fmt: skip
        assert gone not in answer.headers, gone
    assert answer.headers["x-kept"] == "yes"
    assert answer.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]


def test_a_streamed_request_body_is_forwarded_as_it_arrives(upstream: ServiceProcess) -> None:
    chunks = [bytes([i]) * 65_536 for i in range(40)]  # 2.5 MiB in 40 pieces

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    async def scenario() -> dict[str, Any]:
        async with forwarding(proxy(upstream)) as http:
            answer = await http.put("/echo", content=body())
            return dict(answer.json())

    echo = asyncio.run(scenario())
    assert echo["body_length"] == 40 * 65_536
    assert echo["body_sha256"] == hashlib.sha256(b"".join(chunks)).hexdigest()
    assert echo["body_messages"] > 1  # it did not arrive in one piece


def test_a_large_response_streams_back_intact(upstream: ServiceProcess) -> None:
    size = 8_000_000

    async def scenario() -> bytes:
        async with forwarding(proxy(upstream)) as http:
            answer = await http.get(f"/stream?size={size}")
            assert answer.status_code == 200
            return answer.content

    assert asyncio.run(scenario()) == pattern(size)


def test_the_response_is_relayed_before_the_service_has_finished(upstream: ServiceProcess) -> None:
    # Straight at the ASGI level: the first piece goes out while the service still writes.
    service = proxy(upstream)
    events: list[tuple[str, float]] = []

    async def scenario() -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                events.append(("body", loop.time()))

        loop = asyncio.get_running_loop()
        scope = {
            "type": "http", "method": "GET", "path": "/stream", "raw_path": b"/stream",
            "query_string": b"size=327680&pause=0.3", "headers": [(b"host", b"gw")],
            "scheme": "http", "client": ("127.0.0.1", 5000),
        }  # fmt: skip
        async with service.lifespan():
            await service(scope, receive, send)

    asyncio.run(scenario())
    assert len(events) >= 5  # five 64 KiB pieces, 0.3 s apart, each relayed on arrival
    assert events[-1][1] - events[0][1] > 0.6


def test_bodies_pass_encoded_as_the_service_sent_them(upstream: ServiceProcess) -> None:
    async def scenario() -> tuple[Any, bytes]:
        async with forwarding(proxy(upstream)) as http, http.stream("GET", "/gzip") as answer:
            raw = b"".join([chunk async for chunk in answer.aiter_raw()])
            return answer, raw

    answer, raw = asyncio.run(scenario())
    assert answer.headers["content-encoding"] == "gzip"
    assert int(answer.headers["content-length"]) == len(raw)
    assert gzip.decompress(raw).decode() == GZIPPED_TEXT


def test_head_answers_the_heads_of_get_without_a_body(upstream: ServiceProcess) -> None:
    async def scenario() -> tuple[Any, Any]:
        async with forwarding(proxy(upstream)) as http:
            return await http.get("/echo"), await http.head("/echo")

    got, head = asyncio.run(scenario())
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


def test_redirects_are_relayed_not_followed(upstream: ServiceProcess) -> None:
    async def scenario() -> Any:
        async with forwarding(proxy(upstream)) as http:
            return await http.get("/redirect")

    answer = asyncio.run(scenario())
    assert answer.status_code == 307
    assert answer.headers["location"] == "/echo"


def test_the_services_own_errors_are_relayed_and_do_not_trip_the_breaker(
    upstream: ServiceProcess,
) -> None:
    service = proxy(upstream, breaker_failure_threshold=2)
    recorder = Recorder()
    service.on_upstream_error = recorder

    async def scenario() -> list[int]:
        async with forwarding(service) as http:
            return [(await http.get("/status/503")).status_code for _ in range(4)]

    assert asyncio.run(scenario()) == [503] * 4
    assert service.breaker.state == "closed"
    assert recorder.errors == []


# --- trace context


def test_a_valid_traceparent_keeps_its_trace_under_a_new_span(upstream: ServiceProcess) -> None:
    async def scenario() -> Any:
        async with forwarding(proxy(upstream)) as http:
            return await http.get(
                "/echo", headers={"traceparent": TRACEPARENT, "tracestate": "vendor=1"}
            )

    answer = asyncio.run(scenario())
    (forwarded,) = header_values(answer.json(), "traceparent")
    assert forwarded.startswith(f"00-{TRACE_ID}-") and forwarded.endswith("-01")
    assert forwarded != TRACEPARENT
    assert header_values(answer.json(), "tracestate") == ["vendor=1"]
    assert answer.headers.get_list("traceparent") == [forwarded]


@pytest.mark.parametrize(
    "incoming",
    [None, "garbage", f"ff-{TRACE_ID}-00f067aa0ba902b7-01", f"00-{'0' * 32}-00f067aa0ba902b7-01"],
)
def test_a_missing_or_invalid_traceparent_starts_a_new_trace(
    upstream: ServiceProcess, incoming: str | None
) -> None:
    headers = {"tracestate": "vendor=1"}
    if incoming is not None:
        headers["traceparent"] = incoming

    async def scenario() -> Any:
        async with forwarding(proxy(upstream)) as http:
            return await http.get("/echo", headers=headers)

    answer = asyncio.run(scenario())
    (forwarded,) = header_values(answer.json(), "traceparent")
    version, trace_id, span_id, flags = forwarded.split("-")
    assert (version, flags) == ("00", "01")
    assert len(trace_id) == 32 and trace_id != TRACE_ID and trace_id != "0" * 32
    assert len(span_id) == 16
    assert header_values(answer.json(), "tracestate") == []  # it belonged to the old trace
    assert answer.headers["traceparent"] == forwarded


def test_the_edges_trace_context_is_forwarded_as_it_is(upstream: ServiceProcess) -> None:
    scopes: list[dict[str, Any]] = []

    async def scenario() -> Any:
        async with forwarding(proxy(upstream), trace=True, scopes=scopes) as http:
            return await http.get("/echo", headers={"traceparent": TRACEPARENT})

    answer = asyncio.run(scenario())
    chosen = scopes[0][TRACEPARENT_SCOPE_KEY].decode()
    assert chosen.startswith(f"00-{TRACE_ID}-") and chosen != TRACEPARENT
    assert header_values(answer.json(), "traceparent") == [chosen]
    assert answer.headers.get_list("traceparent") == [chosen]


# --- assembly


def test_distributed_upstreams_are_the_services_with_a_url() -> None:
    gateway = settings(registry_url="http://127.0.0.1:9001/", matching_url="http://m:9003")
    upstreams = distributed_upstreams(gateway, SECRET)
    assert sorted(upstreams) == ["matching", "registry"]
    registry = upstreams["registry"]
    assert isinstance(registry, HttpService)
    assert registry.name == "registry" and registry.base_url == "http://127.0.0.1:9001"
    assert isinstance(registry.breaker, CircuitBreaker)


def test_readiness_is_the_services_answer(upstream: ServiceProcess) -> None:
    async def scenario() -> dict[str, Any]:
        service = proxy(upstream)
        async with service.lifespan():
            return await service.readiness()

    assert asyncio.run(scenario()) == {"status": "ok"}
