"""The proxy when the *caller* misbehaves: hangs up, stalls, trickles its body.

The gateway is served by uvicorn on a real port (:func:`serving`) and the
service is a real process; misbehaving callers are raw sockets that send what
the test says, when it says. What a caller does must never count against the
service: its breaker stays as it was, and the next caller is served.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.breaker import CircuitBreaker
from gateway.proxy import HttpService
from services.common.bodylimit import BodyLimitMiddleware
from tests.gateway.processes import ServiceProcess, running
from tests.gateway.proxy_harness import SECRET, Recorder, serving, settings

PROBLEM = "urn:kyodo:problem:"


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[ServiceProcess]:
    process = ServiceProcess("tests.gateway.upstream_app:app", {}, tmp_path)
    with running(process):
        yield process


def proxy(url: str, recorder: Recorder, **overrides: Any) -> HttpService:
    return HttpService("upstream", url, settings(**overrides), SECRET, on_upstream_error=recorder)


def assert_problem(answer: httpx.Response, status: int, slug: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == PROBLEM + slug


def trial_under_way(breaker: CircuitBreaker) -> bool:
    """Whether a half-open trial request holds the breaker's one slot."""
    return breaker._trial


class RawCaller:
    """An HTTP/1.1 caller on a raw socket: it sends what the test says, when it says."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def post(cls, port: int, length: int, first: bytes) -> RawCaller:
        """``POST /echo`` announcing ``length`` body bytes, of which only ``first`` is sent."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = (
            f"POST /echo HTTP/1.1\r\nHost: gateway.test\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n"
        )
        writer.write(head.encode() + first)
        await writer.drain()
        return cls(reader, writer)

    async def trickle(self, every: float) -> None:
        """One more body byte every ``every`` seconds, until the gateway hangs up."""
        try:
            while True:
                await asyncio.sleep(every)
                self.writer.write(b" ")
                await self.writer.drain()
        except OSError:
            pass

    async def answer(self, within: float) -> tuple[int, dict[str, str], Any]:
        """The status, headers and JSON body of the answer, which must come ``within``."""

        async def read() -> tuple[int, dict[str, str], Any]:
            head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            status_line, *lines = head.strip().split("\r\n")
            headers = {}
            for line in lines:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
            body = await self.reader.readexactly(int(headers["content-length"]))
            return int(status_line.split()[1]), headers, json.loads(body)

        return await asyncio.wait_for(read(), within)

    async def closed_by_the_gateway(self) -> bool:
        """Whether the gateway closed the connection (a reset, if bytes were still coming)."""
        try:
            return await asyncio.wait_for(self.reader.read(), 5) == b""
        except ConnectionResetError:
            return True

    async def hang_up(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


async def until_half_open(service: HttpService) -> None:
    while service.breaker.state == "open":
        await asyncio.sleep(0.05)


async def upstream_has_seen(upstream: ServiceProcess, count: int) -> None:
    """Wait until the service has received ``count`` forwarded requests."""
    async with httpx.AsyncClient(base_url=upstream.url) as direct:
        for _ in range(200):
            if (await direct.get("/count")).json()["seen"] >= count:
                return
            await asyncio.sleep(0.025)
    raise AssertionError(f"the service never saw {count} requests")


# --- hanging up


@pytest.mark.parametrize("sent", [b"", b'{"half": '], ids=["before-the-body", "mid-body"])
def test_a_half_open_trial_whose_caller_hangs_up_gives_its_slot_to_the_next_request(
    upstream: ServiceProcess, sent: bytes
) -> None:
    recorder = Recorder()
    service = proxy(
        upstream.url, recorder, breaker_failure_threshold=1, breaker_reset_seconds=1.0,
        retry_attempts=0,
    )  # fmt: skip

    async def scenario() -> None:
        async with (
            serving(service) as port,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
        ):
            await asyncio.to_thread(upstream.stop)
            assert_problem(await http.get("/echo"), 502, "bad-gateway")
            assert service.breaker.state == "open"
            await asyncio.to_thread(upstream.start)  # the service is back

            # The half-open trial is a POST whose caller hangs up before its body is whole.
            await until_half_open(service)
            caller = await RawCaller.post(port, 1000, sent)
            for _ in range(200):
                if trial_under_way(service.breaker):
                    break
                await asyncio.sleep(0.025)
            assert trial_under_way(service.breaker)
            assert_problem(await http.get("/echo"), 503, "service-unavailable")  # meanwhile
            await caller.hang_up()

            # The next request is the trial now: the service answers, the circuit closes.
            loop = asyncio.get_running_loop()
            give_up = loop.time() + 5.0
            while (answer := await http.get("/echo")).status_code != 200:
                assert_problem(answer, 503, "service-unavailable")
                assert loop.time() < give_up, "the breaker still refuses after the caller left"
                await asyncio.sleep(0.1)
            assert service.breaker.state == "closed"
            assert (await http.get("/echo")).status_code == 200

    asyncio.run(scenario())
    assert recorder.errors == ["refused", "open_circuit"]


# --- stalling and trickling


@pytest.mark.parametrize("sent", [b"", b'{"half": '], ids=["before-the-body", "mid-body"])
def test_a_caller_that_stalls_its_body_gets_408_and_the_service_is_not_blamed(
    upstream: ServiceProcess, sent: bytes
) -> None:
    recorder = Recorder()
    service = proxy(
        upstream.url, recorder, body_timeout_seconds=0.5, request_timeout_seconds=20.0,
        breaker_failure_threshold=1,  # any failure counted would open the circuit
    )  # fmt: skip

    async def scenario() -> None:
        async with (
            serving(service) as port,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
        ):
            caller = await RawCaller.post(port, 1000, sent)
            status, headers, problem = await caller.answer(within=10.0)
            assert status == 408, problem
            assert headers["content-type"] == "application/problem+json"
            assert problem["type"] == PROBLEM + "request-timeout"
            assert problem["status"] == 408 and problem["instance"] == "/echo"
            assert await caller.closed_by_the_gateway()
            await caller.hang_up()
            assert (await http.get("/echo")).status_code == 200

    asyncio.run(scenario())
    assert service.breaker.state == "closed"
    assert recorder.errors == []


def test_slow_uploaders_cannot_hold_the_pool_or_open_a_healthy_services_circuit(
    upstream: ServiceProcess,
) -> None:
    # Two callers trickle their bodies (each piece in time, the whole far too slowly)
    # through a pool of two connections. Meanwhile other requests are told the gateway
    # is busy, not that the service failed; at the deadline the uploaders get 408,
    # the pool is free again, and the circuit never opened.
    recorder = Recorder()
    service = proxy(
        upstream.url, recorder, pool_size=2, connect_timeout_seconds=0.5,
        read_timeout_seconds=1.0, request_timeout_seconds=3.0, body_timeout_seconds=1.0,
        breaker_failure_threshold=2, retry_attempts=0,
    )  # fmt: skip

    async def scenario() -> None:
        async with (
            serving(service) as port,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
        ):
            uploaders = [await RawCaller.post(port, 10_000, b"{") for _ in range(2)]
            trickling = [asyncio.create_task(u.trickle(every=0.2)) for u in uploaders]
            await upstream_has_seen(upstream, 2)  # both hold a connection to the service

            for _ in range(3):
                busy = await http.get("/echo")
                assert_problem(busy, 503, "service-unavailable")
                assert "busy" in busy.json()["detail"]
                assert busy.headers["retry-after"] == "1"
            assert service.breaker.state == "closed"

            for uploader in uploaders:
                status, _, problem = await uploader.answer(within=10.0)
                assert status == 408, problem
                assert problem["type"] == PROBLEM + "request-timeout"
                assert await uploader.closed_by_the_gateway()
            for task in trickling:
                task.cancel()
            for uploader in uploaders:
                await uploader.hang_up()

            answers = await asyncio.gather(*(http.get("/echo") for _ in range(4)))
            assert [answer.status_code for answer in answers] == [200] * 4

    asyncio.run(scenario())
    assert service.breaker.state == "closed"
    assert recorder.errors == ["busy"] * 3


# --- a body the edge refuses on the way


def test_a_streamed_body_over_the_limit_is_refused_413_and_the_service_is_not_blamed(
    upstream: ServiceProcess,
) -> None:
    # The edge's body limit raises from ``receive`` while the proxy streams the body
    # to the service: the caller's fault, answered by the edge, never a 502.
    recorder = Recorder()
    service = proxy(upstream.url, recorder, breaker_failure_threshold=1)
    app = BodyLimitMiddleware(service, limit_for=lambda path: 100_000)

    async def body() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 65_536

    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        async with (
            service.lifespan(),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
            ) as http,
        ):
            return await http.put("/echo", content=body()), await http.get("/echo")

    refused, after = asyncio.run(scenario())
    assert_problem(refused, 413, "payload-too-large")
    assert after.status_code == 200
    assert service.breaker.state == "closed"
    assert recorder.errors == []
