"""Servers and load for the HTTP benchmarks: uvicorn processes and wrk runs.

Every server is one uvicorn process with the same options (uvloop, httptools,
no access log), so a ratio between two of them measures the apps, not the
server. wrk's summary is parsed into a :class:`WrkResult`; an answer other
than 2xx/3xx fails the run, since a refused or failed request is cheap and
would flatter the figures.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

__all__ = [
    "ROOT",
    "UVICORN_OPTIONS",
    "Server",
    "WrkError",
    "WrkResult",
    "free_port",
    "launch",
    "machine",
    "machine_line",
    "require_wrk",
    "start",
    "wrk",
]

ROOT = Path(__file__).resolve().parents[1]
UVICORN_OPTIONS = (
    "--loop", "uvloop", "--http", "httptools", "--log-level", "warning", "--no-access-log",
)  # fmt: skip


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One uvicorn process serving ``target`` at ``url``."""

    target: str
    process: subprocess.Popen[bytes]
    url: str
    env: dict[str, str]
    ready_path: str = "/v1/organizations"
    log: Path | None = None
    """Where the process's output goes (the terminal when None)."""

    def log_lines(self) -> list[str]:
        """What the process has written to its log so far."""
        if self.log is None or not self.log.exists():
            return []
        return self.log.read_text(errors="replace").splitlines()

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until this process listens and its ``ready_path`` answers 200; fail if
        the process dies or time runs out."""
        path = self.ready_path
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = "\n".join(self.log_lines()[-20:])
                raise RuntimeError(f"{self.target} exited with {self.process.returncode}\n{tail}")
            try:
                # On a shared machine another process may have taken the port meanwhile:
                # only an answer from a socket this process owns counts.
                if _listens(self.process.pid, self.port) and (
                    httpx.get(self.url + path, timeout=2).status_code == 200
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.target} did not answer {path} within {timeout:.0f} s")

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system, every thread) the process has used so far; None
        where /proc cannot tell. Unlike throughput, it barely moves with the load
        other processes put on a shared machine."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, from field 3 on
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Terminate the process (kill it if it lingers)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds the listening TCP socket on ``port`` (Linux's /proc;
    True where /proc cannot tell)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            return True
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return True
    for descriptor in descriptors:
        try:
            if os.readlink(f"/proc/{pid}/fd/{descriptor}") in inodes:
                return True
        except OSError:
            continue
    return False


def launch(
    target: str,
    env: Mapping[str, str],
    *,
    factory: bool = True,
    ready_path: str = "/v1/organizations",
    log: Path | None = None,
) -> Server:
    """Start uvicorn on ``target`` (``module:attribute``) on a free port, its output to
    ``log`` if given; does not wait (:meth:`Server.wait_ready` does, until ``ready_path``
    answers)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--port", str(port), *UVICORN_OPTIONS]
    if factory:
        command.append("--factory")
    if log is None:
        process = subprocess.Popen(command, cwd=ROOT, env=dict(env))
    else:
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=dict(env), stdout=output, stderr=subprocess.STDOUT
            )
    url = f"http://127.0.0.1:{port}"
    return Server(target, process, url, dict(env), ready_path, log)


def start(
    target: str,
    env: Mapping[str, str],
    *,
    factory: bool = True,
    ready_path: str = "/v1/organizations",
) -> Server:
    """Start uvicorn on ``target`` and wait until ``ready_path`` answers."""
    server = launch(target, env, factory=factory, ready_path=ready_path)
    server.wait_ready()
    return server


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: throughput, latency percentiles and what went wrong."""

    rps: float
    p50_ms: float | None
    p99_ms: float | None
    requests: int
    non_2xx: int
    socket_errors: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class WrkError(RuntimeError):
    """wrk saw answers other than 2xx/3xx, or no answers at all."""


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _percentile_ms(output: str, percent: int) -> float | None:
    match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE)
    return float(match.group(1)) * _UNITS_MS[match.group(2)] if match else None


def parse_wrk(output: str) -> WrkResult:
    """The figures of wrk's summary (percentiles only with ``--latency``)."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    requests = re.search(r"(\d+) requests in", output)
    if rps is None or requests is None:
        raise WrkError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = {}
    if socket_errors is not None:
        kinds = ("connect", "read", "write", "timeout")
        errors = dict(zip(kinds, map(int, socket_errors.groups()), strict=True))
    return WrkResult(
        rps=float(rps.group(1)),
        p50_ms=_percentile_ms(output, 50),
        p99_ms=_percentile_ms(output, 99),
        requests=int(requests.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=errors,
    )


def wrk(
    url: str,
    *,
    seconds: float,
    connections: int,
    script: Path | None = None,
    headers: Sequence[str] = (),
    threads: int = 1,
) -> WrkResult:
    """Load ``url`` for ``seconds``; raises :class:`WrkError` on any non-2xx/3xx answer."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    result = parse_wrk(output)
    if result.non_2xx or result.requests == 0:
        raise WrkError(f"{url}: {result.non_2xx} answers not 2xx/3xx\n{output}")
    return result


def require_wrk() -> None:
    """Exit with the way to install wrk when it is missing."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")


def machine() -> dict[str, Any]:
    """What the figures were measured on (they mean little without it)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "server": "uvicorn " + " ".join(UVICORN_OPTIONS[:4]) + ", 1 worker",
        "wrk": wrk_version[1] if len(wrk_version) > 1 else "unknown",
    }


def machine_line(described: Mapping[str, Any]) -> str:
    """The machine in one line, for a report's heading."""
    return f"{described['cpu']}, {described['cpus']} CPUs, Python {described['python']}"
