"""Real service processes for the gateway's tests: uvicorn on free ports.

A :class:`ServiceProcess` starts ``uvicorn <target>`` on 127.0.0.1, waits
until ``/healthz`` answers (generously: the test machines are small and
busy), and stops it again; it can be started again on the same port. Its
output goes to a log file that is shown when it fails to start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import redis

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0

__all__ = ["ROOT", "RedisServer", "ServiceProcess", "free_port", "running"]


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServiceProcess:
    """``uvicorn target`` in its own process, on one port for its whole life."""

    def __init__(
        self,
        target: str,
        env: dict[str, str],
        log_dir: Path,
        *,
        factory: bool = False,
        port: int | None = None,
    ) -> None:
        self.target = target
        self.env = {**os.environ, **env}
        self.factory = factory
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{target.replace(':', '.')}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        """Start the process and wait until it answers ``/healthz``."""
        self.launch()
        return self.wait_until_healthy()

    def launch(self) -> None:
        """Start the process (see :meth:`wait_until_healthy`)."""
        command = [sys.executable, "-m", "uvicorn", self.target, "--host", "127.0.0.1",
                   "--port", str(self.port), "--log-level", "warning",
                   "--no-access-log", "--timeout-graceful-shutdown", "2"]  # fmt: skip
        if self.factory:
            command.append("--factory")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_until_healthy(self) -> ServiceProcess:
        """Wait until the launched process answers ``/healthz`` (stop it if it never does)."""
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.target} did not start:\n{self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """Kill the process at once (no graceful shutdown: open connections just drop)."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    def stop(self) -> None:
        """Terminate the process (kill it if it lingers) and wait for it."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def running(*processes: ServiceProcess) -> Iterator[ServiceProcess]:
    """``processes`` started side by side for the duration of the block (the first
    one given to it), stopped after it."""
    try:
        for process in processes:
            process.launch()
        for process in processes:
            process.wait_until_healthy()
        yield processes[0]
    finally:
        for process in processes:
            process.stop()


class RedisServer:
    """A redis-server of the test's own, which the test may stop and start."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def stored_keys(self) -> list[bytes]:
        return redis.Redis(port=self.port).keys("*")
