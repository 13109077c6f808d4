"""What the gateway costs: requests per second and p99 through it versus the service alone.

One run measures, side by side, each a single uvicorn process (same options):

- **direct**: the registry app on its own (``services.registry.main:create_app``),
  called anonymously (a public read needs no key);
- **embedded**: the whole platform in one process (``gateway.main:create_embedded_app``),
  the registry mounted behind the edge, rate limits in memory;
- **distributed**: the gateway alone, forwarding over HTTP to the *same* registry
  process as direct (events and matching run as processes of their own, following
  it), rate limits in Redis;
- **bare**: a bare FastAPI app answering the same JSON (the ceiling, for context).

Every database is PostgreSQL (``kyodo_bench_overhead_<pid>_<service>``, dropped at
the end). The read is ``GET /v1/organizations?limit=5`` (about 4 KB) of a few
dozen seeded organisations, sent through the gateways with the key of a real API
client, so authentication, the key cache and the client's rate limit are on the
path (the limit is high enough that wrk is never refused; any non-2xx answer
fails the run). Logs are at WARNING everywhere, so no access line is written.

Runs are interleaved (direct, embedded, distributed, bare, then the next round in
rotated order) and the medians compared, so noise on a shared machine hits every
side alike. Besides wrk's figures, each run counts the CPU time the processes on
the path spent per request, which other load on the machine barely moves.
Targets (the issue): ≥ 0.9× of direct throughput embedded, ≥ 0.5× distributed.

    .venv/bin/python bench/gateway_overhead.py [--mode embedded|distributed|both]
        [--seconds 10] [--rounds 3] [--connections 32] [--no-bare] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
import redis  # noqa: E402

from bench.servers import (  # noqa: E402
    Server,
    WrkResult,
    launch,
    machine,
    machine_line,
    require_wrk,
    wrk,
)

ADMIN_KEY = "bench-admin-key-0123456789"
INTERNAL_SECRET = "bench-internal-secret-0123456789"
READ = "/v1/organizations?limit=5"
HEALTH = "/healthz"
EMBEDDED = "gateway.main:create_embedded_app"
SEEDED = 36
TARGETS = {"embedded": 0.9, "distributed": 0.5}
"""Throughput as a share of direct that each mode must reach (the issue's targets)."""
LABELS = {
    "direct": "registry alone (direct)",
    "embedded": "embedded gateway",
    "distributed": "distributed gateway",
    "bare": "bare FastAPI (ceiling)",
}
SERVICES = ("registry", "events", "matching", "gateway")
_KINDS = ("neighbourhood_association", "volunteer_group", "intermediary")
_FIELDS = ("community_development", "disaster_relief", "child_development", "environment")


@dataclass
class Target:
    """A server under load and how to call it."""

    name: str
    server: Server
    headers: list[str] = field(default_factory=list)
    processes: dict[str, Server] = field(default_factory=dict)
    """The processes that do the work of a request, whose CPU time is counted."""
    runs: list[WrkResult] = field(default_factory=list)
    cpu_us: list[dict[str, float]] = field(default_factory=list)
    """Per run: CPU microseconds per request of each process."""

    def load(self, seconds: int, connections: int) -> WrkResult:
        """One wrk run, with the CPU time its processes spent on it."""
        before = {name: p.cpu_seconds() for name, p in self.processes.items()}
        run = wrk(
            self.server.url + READ, seconds=seconds, connections=connections, headers=self.headers
        )
        used: dict[str, float] = {}
        for name, process in self.processes.items():
            start, end = before[name], process.cpu_seconds()
            if start is not None and end is not None:
                used[name] = (end - start) / run.requests * 1e6
        self.cpu_us.append(used)
        return run

    def median(self, attribute: str) -> float:
        values = [getattr(run, attribute) for run in self.runs]
        return float(statistics.median(v for v in values if v is not None))

    def median_cpu_us(self) -> dict[str, float]:
        names = self.cpu_us[0] if self.cpu_us else {}
        return {name: statistics.median(run[name] for run in self.cpu_us) for name in names}


# --- the platform's surroundings


@contextmanager
def postgres_databases(base_url: str) -> Iterator[dict[str, str]]:
    """A fresh database per service (service -> SQLAlchemy URL), dropped afterwards."""
    names = {service: f"kyodo_bench_overhead_{os.getpid()}_{service}" for service in SERVICES}
    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            _, rest = base_url.split("://", 1)
            yield {s: f"postgresql+psycopg://{rest}/{name}" for s, name in names.items()}
        finally:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def platform_env(work: Path, urls: dict[str, str]) -> dict[str, str]:
    """The environment of every server: the caller's, minus any KYODO_* of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYODO_")}
    env.update(
        PYTHONPATH=str(ROOT),
        KYODO_DATA_DIR=str(work),
        KYODO_ADMIN_KEY=ADMIN_KEY,
        KYODO_INTERNAL_SECRET=INTERNAL_SECRET,
        KYODO_LOG_LEVEL="WARNING",
    )
    for service, url in urls.items():
        env[f"KYODO_{service.upper()}_DATABASE_URL"] = url
    return env


def distributed_factory() -> str | None:
    """The distributed gateway's uvicorn factory, once it exists in the tree."""
    import importlib

    try:
        main = importlib.import_module("gateway.main")
        if hasattr(main, "create_distributed_app"):
            return "gateway.main:create_distributed_app"
        importlib.import_module("gateway.proxy")
        standalone = importlib.import_module("kyodo.standalone")
    except ImportError:
        return None
    return "kyodo.standalone:gateway_app" if hasattr(standalone, "gateway_app") else None


def edge_layers(factory: str, env: dict[str, str]) -> list[str]:
    """The classes a request passes through in the app ``factory`` makes, outermost
    first (built, not started: no database or service is asked)."""
    module, attribute = factory.split(":")
    code = (
        f"import importlib, json; app = getattr(importlib.import_module({module!r}), "
        f"{attribute!r})(); names = []\n"
        "while app is not None:\n"
        "    names.append(type(app).__name__); app = getattr(app, 'app', None)\n"
        "print(json.dumps(names))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    return list(json.loads(done.stdout.splitlines()[-1])) if done.returncode == 0 else []


# --- data and the API client


def seed(registry_url: str) -> None:
    """A few dozen organisations, made through the registry with the admin key."""
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    with httpx.Client(base_url=registry_url, headers=headers, timeout=30) as client:
        for i in range(SEEDED):
            answer = client.post(
                "/v1/organizations",
                json={
                    "name": f"ベンチマーク桜ヶ丘まちづくり協議会 第{i + 1}支部",
                    "name_kana": "ベンチマークサクラガオカマチヅクリキョウギカイ",
                    "kind": _KINDS[i % len(_KINDS)],
                    "municipality_code": "102997",
                    "address": f"群馬県桜ヶ丘市本町二丁目{i + 1}番5号",
                    "fields": [_FIELDS[i % len(_FIELDS)], _FIELDS[(i + 1) % len(_FIELDS)]],
                    "description": "防災訓練と子ども食堂の運営を地域ぐるみで行っています。",
                },
            )
            answer.raise_for_status()


def create_api_client(gateway_url: str) -> dict[str, Any]:
    """A real API client (not the admin key) whose limit wrk cannot reach."""
    answer = httpx.post(
        gateway_url + "/v1/admin/clients",
        json={
            "name": "gateway overhead benchmark",
            "organization_ids": [],
            "scopes": ["public:read"],
            "rate_limit_per_minute": 1_000_000,
        },
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    )
    answer.raise_for_status()
    created: dict[str, Any] = answer.json()
    return created


def observe(target: Target, client_id: str | None) -> dict[str, Any]:
    """What one request shows: size, and which parts of the edge it passed."""
    headers = dict(h.split(": ", 1) for h in target.headers)
    answer = httpx.get(target.server.url + READ, headers=headers)
    if answer.status_code != 200:
        raise RuntimeError(f"{target.name}: GET {READ} answered {answer.status_code}")
    seen: dict[str, Any] = {"bytes": len(answer.content), "items": len(answer.json()["items"])}
    if target.name in ("embedded", "distributed"):
        me = httpx.get(target.server.url + "/v1/me", headers=headers)
        metrics = httpx.get(
            target.server.url + "/metrics", headers={"Authorization": f"Bearer {ADMIN_KEY}"}
        )
        seen.update(
            authenticated=me.status_code == 200 and me.json().get("client_id") == client_id,
            request_id="x-request-id" in answer.headers,
            rate_limit="ratelimit" in answer.headers,
            traceparent="traceparent" in answer.headers,
            metrics=metrics.status_code == 200,
        )
    return seen


def forget_buckets(redis_url: str, client_id: str) -> None:
    """Delete this run's rate-limit buckets (only those naming its client)."""
    connection = redis.Redis.from_url(redis_url)
    try:
        for key in connection.scan_iter(match=f"*{client_id}*"):
            connection.delete(key)
    except redis.RedisError:
        pass
    finally:
        connection.close()


# --- the servers


def start_targets(
    env: dict[str, str],
    modes: list[str],
    factory: str | None,
    args: argparse.Namespace,
    servers: list[Server],
) -> tuple[list[Target], str]:
    """Start every server (appended to ``servers`` at once, for the caller to stop),
    seed the data, make the API client; the targets and the client's id."""
    registry = launch("services.registry.main:create_app", env, log=_log(env, "registry"))
    servers.append(registry)
    gateways: dict[str, Server] = {}
    if "embedded" in modes:
        gateways["embedded"] = launch(EMBEDDED, env, ready_path=HEALTH, log=_log(env, "embedded"))
        servers.append(gateways["embedded"])
    registry.wait_ready()  # before the services that follow its feed start
    if "distributed" in modes and factory is not None:
        gateways["distributed"] = launch_distributed(env, registry, factory, args, servers)
    seed(registry.url)
    targets = [Target("direct", registry)]
    if args.bare:
        payloads = Path(env["KYODO_DATA_DIR"]) / "payloads.json"
        payloads.write_text(json.dumps({"list": httpx.get(registry.url + READ).json()}))
        bare_env = {**env, "KYODO_BENCH_PAYLOADS": str(payloads)}
        servers.append(launch("bench.bare_app:app", bare_env, factory=False, log=_log(env, "bare")))
        targets.append(Target("bare", servers[-1]))
    for server in servers:
        server.wait_ready()
    created = create_api_client(next(iter(gateways.values())).url)
    key = [f"Authorization: Bearer {created['key']}"]
    for target in targets:
        target.processes = {target.name: target.server}
    for name, server in gateways.items():
        on_path = {"gateway": server} | ({"registry": registry} if name == "distributed" else {})
        targets.insert(len(targets) - args.bare, Target(name, server, key, on_path))
    return targets, str(created["id"])


def _log(env: dict[str, str], name: str) -> Path:
    return Path(env["KYODO_DATA_DIR"]) / f"{name}.log"


def complaints(servers: list[Server]) -> dict[str, list[str]]:
    """The warnings and errors each server logged (by log name), e.g. the Redis limiter
    giving up (``rate_limit_backend_down``: it then limits in memory for a while)."""
    found = {}
    for server in servers:
        lines = [
            line
            for line in server.log_lines()
            if '"level": "warning"' in line or '"level": "error"' in line or "Traceback" in line
        ]
        if lines and server.log is not None:
            found[server.log.stem] = lines
    return found


def launch_distributed(
    env: dict[str, str],
    registry: Server,
    factory: str,
    args: argparse.Namespace,
    servers: list[Server],
) -> Server:
    """The distributed topology around ``registry``: events and matching following it
    over HTTP, and the gateway forwarding to all three with its limits in Redis."""
    followers = {
        **env,
        "KYODO_EVENTS_REGISTRY_URL": registry.url,
        "KYODO_MATCHING_REGISTRY_URL": registry.url,
    }
    events = launch(
        "kyodo.standalone:events_app", followers, ready_path=HEALTH, log=_log(env, "events")
    )
    matching = launch(
        "kyodo.standalone:matching_app", followers, ready_path=HEALTH, log=_log(env, "matching")
    )
    urls = {"registry": registry.url, "events": events.url, "matching": matching.url}
    gateway = launch(
        factory,
        distributed_env(env, urls, args.redis_url),
        ready_path=HEALTH,
        log=_log(env, "distributed"),
    )
    servers.extend((events, matching, gateway))
    return gateway


def distributed_env(env: dict[str, str], urls: dict[str, str], redis_url: str) -> dict[str, str]:
    """The distributed gateway's environment: where each service listens (a closed
    port for any not given), its limits in Redis."""
    forwarding = {
        f"KYODO_GATEWAY_{name.upper()}_URL": urls.get(name, "http://127.0.0.1:9")
        for name in ("registry", "events", "matching")
    }
    return {**env, **forwarding, "KYODO_GATEWAY_REDIS_URL": redis_url}


def measure(targets: list[Target], args: argparse.Namespace) -> None:
    """Warm every target up, then rounds of one run each, the order rotated per round."""
    for target in targets:
        target.load(args.warmup, args.connections)
        target.cpu_us.clear()
    for round_ in range(args.rounds):
        shift = round_ % len(targets)
        for target in targets[shift:] + targets[:shift]:
            run = target.load(args.seconds, args.connections)
            target.runs.append(run)
            if sys.stderr.isatty():
                print(
                    f"round {round_ + 1}/{args.rounds}  {target.name:<12} {run.rps:8,.0f} req/s"
                    f"  p99 {run.p99_ms} ms  CPU µs/req {sum(target.cpu_us[-1].values()):,.0f}",
                    file=sys.stderr,
                )


# --- the report


def summarise(targets: list[Target]) -> dict[str, Any]:
    """Medians per target and each one's ratios to direct."""
    medians: dict[str, dict[str, Any]] = {
        t.name: {
            "rps": t.median("rps"),
            "p50_ms": t.median("p50_ms"),
            "p99_ms": t.median("p99_ms"),
            "cpu_us_per_request": t.median_cpu_us(),
            "runs": [
                run.as_dict() | {"cpu_us_per_request": cpu}
                for run, cpu in zip(t.runs, t.cpu_us, strict=True)
            ],
        }
        for t in targets
    }
    direct = medians["direct"]
    direct_cpu = sum(direct["cpu_us_per_request"].values())
    ratios = {}
    for name, figures in medians.items():
        rps = figures["rps"] / direct["rps"]
        cpu = sum(figures["cpu_us_per_request"].values())
        ratios[name] = {
            "rps": round(rps, 3),
            "p99": round(figures["p99_ms"] / direct["p99_ms"], 3),
            "cpu": round(cpu / direct_cpu, 3) if cpu and direct_cpu else None,
            "target_rps": TARGETS.get(name),
            "met": rps >= TARGETS[name] if name in TARGETS else None,
        }
    return {"medians": medians, "ratios": ratios}


def _cpu_cell(cpu: dict[str, float]) -> str:
    total = f"{sum(cpu.values()):,.0f}"
    return f"{total} (gateway {cpu['gateway']:,.0f})" if len(cpu) > 1 else total


def report(summary: dict[str, Any], context: dict[str, Any]) -> None:
    """The markdown table on stdout, everything as JSON in bench/results."""
    settings = context["settings"]
    print(
        f"\nGateway overhead ({machine_line(context['machine'])}; wrk 1 thread, "
        f"{settings['connections']} connections, {settings['rounds']} × {settings['seconds']} s "
        f"per path, medians; GET {READ}, {context['observed']['direct']['bytes']} bytes; "
        "PostgreSQL)\n"
    )
    print(
        "| path | req/s | p50 ms | p99 ms | CPU µs/req | req/s vs direct | p99 vs direct "
        "| CPU vs direct | target (req/s) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, figures in summary["medians"].items():
        ratio = summary["ratios"][name]
        goal = ""
        if ratio["target_rps"] is not None:
            goal = f"≥ {ratio['target_rps']}× {'met' if ratio['met'] else '**missed**'}"
        cpu_ratio = f"{ratio['cpu']:.2f}×" if ratio["cpu"] else "–"
        print(
            f"| {LABELS[name]} | {figures['rps']:,.0f} | {figures['p50_ms']:.2f} "
            f"| {figures['p99_ms']:.2f} | {_cpu_cell(figures['cpu_us_per_request'])} "
            f"| {ratio['rps']:.2f}× | {ratio['p99']:.2f}× | {cpu_ratio} | {goal} |"
        )
    print(
        "\nCPU µs/req: user + system time of the processes on the path (gateway and registry "
        "when distributed) per answered request; PostgreSQL's and wrk's not counted."
    )
    for mode, layers in context["edge"].items():
        seen = context["observed"][mode]
        parts = ", ".join(
            k
            for k in ("authenticated", "request_id", "rate_limit", "traceparent", "metrics")
            if seen.get(k)
        )
        missing = ", ".join(k for k in ("rate_limit", "metrics") if not seen.get(k))
        print(
            f"\n{mode}: {' → '.join(layers) or '(layers unknown)'}\n  seen on the answer: "
            f"{parts}" + (f"; NOT on the path: {missing}" if missing else "")
        )
    for note in context["notes"]:
        print(f"\nNote: {note}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "gateway_overhead.json").write_text(
        json.dumps({**context, **summary}, indent=2, ensure_ascii=False)
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("embedded", "distributed", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per path")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--no-bare", dest="bare", action="store_false", help="skip the bare FastAPI ceiling"
    )
    parser.add_argument("--quick", action="store_true", help="1 round of 3 s (under a minute)")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432",
        help="server where the kyodo_bench_overhead_* databases are made",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/13",
        help="Redis of the distributed gateway's rate limits",
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.warmup = 3, 1, 1
    return args


def run(args: argparse.Namespace, modes: list[str], factory: str | None) -> dict[str, Any]:
    """Set the platform up, measure every path, tear it all down; what was found."""
    work = Path(tempfile.mkdtemp(prefix="kyodo-bench-overhead-"))
    servers: list[Server] = []
    client_id = None
    try:
        with postgres_databases(args.postgres) as urls, ThreadPoolExecutor() as pool:
            env = platform_env(work, urls)
            # The edge's layers are listed from apps built aside while the databases migrate.
            apps = {"embedded": (EMBEDDED, env)}
            if factory is not None:
                apps["distributed"] = (factory, distributed_env(env, {}, args.redis_url))
            building = {mode: pool.submit(edge_layers, *apps[mode]) for mode in modes}
            migrate = [sys.executable, "-m", "kyodo.cli", "migrate"]
            subprocess.run(migrate, env=env, cwd=ROOT, check=True, capture_output=True)
            try:
                targets, client_id = start_targets(env, modes, factory, args, servers)
                observed = {t.name: observe(t, client_id) for t in targets}
                layers = {mode: future.result() for mode, future in building.items()}
                measure(targets, args)
            finally:
                for server in reversed(servers):
                    server.stop()
            logged = complaints(servers)
    finally:
        if client_id is not None and "distributed" in modes:
            forget_buckets(args.redis_url, client_id)
        shutil.rmtree(work, ignore_errors=True)
    return {"targets": targets, "observed": observed, "edge": layers, "logged": logged}


def notes_on(logged: dict[str, list[str]]) -> list[str]:
    """What the servers' logs say about the figures."""
    notes = []
    fallbacks = sum("rate_limit_backend_down" in line for line in logged.get("distributed", []))
    if fallbacks:
        notes.append(
            f"the distributed gateway's Redis limiter timed out {fallbacks} time(s) and limited "
            "in memory meanwhile (2 s each): those requests did not pay for Redis"
        )
    for name, lines in logged.items():
        notes.append(f"{name} logged {len(lines)} warning(s)/error(s), e.g. {lines[0][:200]}")
    return notes


def main() -> None:
    args = parse_args()
    require_wrk()
    factory = distributed_factory() if args.mode != "embedded" else None
    if args.mode == "distributed" and factory is None:
        sys.exit(
            "The distributed gateway is not in the tree yet "
            "(gateway.main:create_distributed_app or kyodo.standalone:gateway_app)."
        )
    notes = []
    modes = [m for m in ("embedded", "distributed") if args.mode in (m, "both")]
    if "distributed" in modes and factory is None:
        modes.remove("distributed")
        notes.append("the distributed gateway is not in the tree yet: embedded mode only")
    described = machine()
    found = run(args, modes, factory)
    described["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    settings = {
        "seconds": args.seconds,
        "rounds": args.rounds,
        "warmup_seconds": args.warmup,
        "connections": args.connections,
        "read": READ,
        "seeded_organizations": SEEDED,
        "database": "PostgreSQL, one database per service",
        "distributed_factory": factory,
        "distributed_rate_limits": args.redis_url if "distributed" in modes else None,
    }
    context = {
        "machine": described,
        "settings": settings,
        "edge": found["edge"],
        "observed": found["observed"],
        "logged": found["logged"],
        "notes": notes + notes_on(found["logged"]),
    }
    report(summarise(found["targets"]), context)


if __name__ == "__main__":
    main()
