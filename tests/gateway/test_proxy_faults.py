"""The proxy when a service fails: stopped, slow, refusing; with real processes.

Assertions are on behaviour (status, problem type, what reached the service,
what the proxy reported); times only where the contract is "within the
timeout" or "at once".
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.proxy import HttpService, UpstreamInterrupted
from tests.gateway.processes import ROOT, ServiceProcess, free_port, running
from tests.gateway.proxy_harness import SECRET, Recorder, forwarding, settings

PROBLEM = "urn:kyodo:problem:"


def proxy(url: str, recorder: Recorder, **overrides: Any) -> HttpService:
    return HttpService("upstream", url, settings(**overrides), SECRET, on_upstream_error=recorder)


def assert_problem(answer: httpx.Response, status: int, slug: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == PROBLEM + slug
    assert problem["status"] == status
    assert problem["instance"] == answer.request.url.path
    assert problem["request_id"] == answer.headers["x-request-id"]


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[ServiceProcess]:
    process = ServiceProcess("tests.gateway.upstream_app:app", {}, tmp_path)
    with running(process):
        yield process


async def until_half_open(service: HttpService) -> None:
    while service.breaker.state == "open":
        await asyncio.sleep(0.05)


def test_a_stopped_service_trips_the_breaker_and_recovers_when_it_is_back(
    upstream: ServiceProcess,
) -> None:
    recorder = Recorder()
    service = proxy(upstream.url, recorder, breaker_failure_threshold=3, breaker_reset_seconds=1.0)

    async def scenario() -> None:
        async with forwarding(service) as http:
            assert (await http.get("/echo")).status_code == 200
            await asyncio.to_thread(upstream.stop)

            # Refused: 502 at once (well within the connect timeout), three times.
            for _ in range(3):
                started = time.monotonic()
                assert_problem(await http.get("/echo"), 502, "bad-gateway")
                assert time.monotonic() - started < service.settings.connect_timeout_seconds
            assert service.breaker.state == "open"
            assert recorder.errors == ["refused"] * 6  # each GET was tried twice
            readiness = await service.readiness()
            assert readiness["status"] == "unavailable" and "refused" in readiness["error"]

            # Open: 503 with Retry-After at once; the service is not even tried.
            recorder.errors.clear()
            paused = await http.get("/echo")
            assert_problem(paused, 503, "service-unavailable")
            assert paused.headers["retry-after"] == "1"
            assert recorder.errors == ["open_circuit"]

            # Half-open while the service is still down: the one trial fails, open again.
            await until_half_open(service)
            recorder.errors.clear()
            assert_problem(await http.get("/echo"), 502, "bad-gateway")
            assert_problem(await http.get("/echo"), 503, "service-unavailable")
            assert recorder.errors == ["refused", "refused", "open_circuit"]

            # Back on the same port: the next trial goes through and closes the circuit.
            await asyncio.to_thread(upstream.start)
            await until_half_open(service)
            assert (await http.get("/echo")).status_code == 200
            assert service.breaker.state == "closed"
            assert (await http.get("/echo")).status_code == 200

    asyncio.run(scenario())


def test_a_write_to_a_stopped_service_fails_at_once_without_a_retry(
    upstream: ServiceProcess,
) -> None:
    recorder = Recorder()
    service = proxy(upstream.url, recorder, retry_attempts=3)

    async def scenario() -> httpx.Response:
        async with forwarding(service) as http:
            upstream.stop()
            return await http.post("/echo", json={"n": 1})

    assert_problem(asyncio.run(scenario()), 502, "bad-gateway")
    assert recorder.errors == ["refused"]


def test_a_slow_service_answers_504_within_the_read_timeout(upstream: ServiceProcess) -> None:
    recorder = Recorder()
    service = proxy(upstream.url, recorder, read_timeout_seconds=0.5)

    async def scenario() -> tuple[httpx.Response, float]:
        async with forwarding(service) as http:
            started = time.monotonic()
            answer = await http.get("/slow?seconds=30")
            return answer, time.monotonic() - started

    answer, took = asyncio.run(scenario())
    assert_problem(answer, 504, "gateway-timeout")
    assert took < 5.0  # the read timeout, not the service's 30 s
    assert recorder.errors == ["read_timeout"]  # a timeout is not retried
    assert service.breaker.state == "closed"  # one failure is below the threshold


def test_an_answer_that_breaks_off_drops_the_callers_connection(upstream: ServiceProcess) -> None:
    # At the ASGI level: the head was relayed, so no problem can replace it; the proxy
    # raises, and the server drops the connection (a truncated body is never taken as whole).
    recorder = Recorder()
    service = proxy(upstream.url, recorder)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and len(sent) == 2:
            await asyncio.to_thread(upstream.kill)

    scope = {
        "type": "http", "method": "GET", "path": "/stream", "raw_path": b"/stream",
        "query_string": b"size=2000000&pause=0.2", "headers": [(b"host", b"gw")],
        "scheme": "http", "client": ("127.0.0.1", 5000),
    }  # fmt: skip

    async def scenario() -> None:
        async with service.lifespan():
            await service(scope, receive, send)

    with pytest.raises(UpstreamInterrupted):
        asyncio.run(scenario())
    assert sent[0]["status"] == 200
    assert all(message.get("more_body") for message in sent[1:])  # never claimed complete
    assert recorder.errors == ["interrupted"]


class LateListener:
    """The test upstream on a port that refuses connections until :meth:`listen`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "tests.gateway.late_listener", str(self.port)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None and self.process.stdin is not None
        assert self.process.stdout.readline().strip() == "bound"

    def listen(self) -> None:
        """Start listening (and wait until it does)."""
        assert self.process.stdout is not None and self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "listening"

    def seen(self) -> int:
        """Requests the upstream has answered (waits until it serves)."""
        deadline = time.monotonic() + 30
        while True:
            try:
                return int(httpx.get(self.url + "/count", timeout=2).json()["seen"])
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def late_listener() -> Iterator[LateListener]:
    listener = LateListener()
    try:
        yield listener
    finally:
        listener.stop()


def test_a_get_is_tried_again_when_its_connection_was_refused(
    late_listener: LateListener,
) -> None:
    recorder = Recorder(then=lambda kind: late_listener.listen())
    service = proxy(late_listener.url, recorder, retry_attempts=1)

    async def scenario() -> httpx.Response:
        async with forwarding(service) as http:
            return await http.get("/echo?attempt=1")

    answer = asyncio.run(scenario())
    assert answer.status_code == 200, answer.text
    assert answer.json()["query_string"] == "attempt=1"
    assert recorder.errors == ["refused"]  # the first attempt; the second one answered
    assert late_listener.seen() == 1


def test_a_post_is_never_tried_again(late_listener: LateListener) -> None:
    recorder = Recorder(then=lambda kind: late_listener.listen())
    service = proxy(late_listener.url, recorder, retry_attempts=3)

    async def scenario() -> httpx.Response:
        async with forwarding(service) as http:
            return await http.post("/echo", json={"once": True})

    assert_problem(asyncio.run(scenario()), 502, "bad-gateway")
    assert recorder.errors == ["refused"]
    assert late_listener.seen() == 0  # listening by now, and it never saw the POST
