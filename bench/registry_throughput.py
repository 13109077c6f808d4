"""Registry create and list throughput through the embedded gateway, as ratios.

Three servers run side by side in one run, each a single uvicorn process:
the embedded platform (gateway + registry, SQLite), the registry app on its
own, and a bare FastAPI app returning the same JSON payloads. wrk loads each
in turn; the figures that matter are the ratios, measured minutes apart on
the same (shared, noisy) machine.

    .venv/bin/python bench/registry_throughput.py [--seconds 10] [--connections 32] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.servers import Server, machine, machine_line, require_wrk, start, wrk  # noqa: E402

ADMIN_KEY = "bench-admin-key-0123456789"
ORG = {
    "name": "ベンチマーク用 桜ヶ丘まちづくり協議会",
    "name_kana": "ベンチマークヨウ サクラガオカマチヅクリキョウギカイ",
    "kind": "neighbourhood_association",
    "municipality_code": "102997",
    "address": "群馬県桜ヶ丘市本町二丁目3番5号",
    "fields": ["community_development", "disaster_relief"],
    "description": "防災訓練と子ども食堂の運営を地域ぐるみで行っています。",
}
POST_LUA = """
wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="3-second runs")
    args = parser.parse_args()
    seconds = 3 if args.quick else args.seconds
    require_wrk()

    work = Path(tempfile.mkdtemp(prefix="kyodo-bench-"))
    env = {**os.environ, "KYODO_DATA_DIR": str(work), "KYODO_ADMIN_KEY": ADMIN_KEY,
           "KYODO_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}  # fmt: skip
    # Throughput, not the edge's limits: wrk must never be refused (429).
    for caller in ("ANONYMOUS", "ADMIN"):
        env[f"KYODO_GATEWAY_{caller}_RATE_LIMIT_PER_MINUTE"] = "1000000"
    subprocess.run([sys.executable, "-m", "kyodo.cli", "migrate"], env=env, cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    servers: dict[str, Server] = {}
    try:
        servers["gateway"] = start("gateway.main:create_embedded_app", env)
        gateway_url = servers["gateway"].url
        headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
        created = {}
        for i in range(50):
            body = {**ORG, "name": f"{ORG['name']} {i}"}
            created = httpx.post(
                gateway_url + "/v1/organizations", json=body, headers=headers
            ).json()
        listing = httpx.get(gateway_url + "/v1/organizations", params={"limit": 20}).json()
        payloads = work / "payloads.json"
        payloads.write_text(json.dumps({"list": listing, "created": created}, ensure_ascii=False))
        env["KYODO_BENCH_PAYLOADS"] = str(payloads)
        servers["registry"] = start("services.registry.main:create_app", env)
        servers["bare"] = start("bench.bare_app:app", env, factory=False)
        lua = work / "post.lua"
        lua.write_text(POST_LUA % (json.dumps(ORG, ensure_ascii=False), ADMIN_KEY))
        list_size = len(json.dumps(listing, ensure_ascii=False).encode())
        results = {}
        load = {"seconds": seconds, "connections": args.connections}
        for name, server in servers.items():
            results[name] = {
                "list": wrk(server.url + "/v1/organizations?limit=20", **load).rps,
                "create": wrk(server.url + "/v1/organizations", script=lua, **load).rps,
            }
    finally:
        for server in servers.values():
            server.stop()
    report(results, seconds, args.connections, list_size)
    shutil.rmtree(work, ignore_errors=True)


def report(results: dict[str, dict[str, float]], seconds: int, connections: int, size: int) -> None:
    described = machine()
    print(f"\nRegistry throughput ({machine_line(described)}; wrk 1 thread, {connections} "
          f"connections, {seconds}s each; list page {size} bytes, 20 organisations)\n")  # fmt: skip
    columns = ["operation", "bare req/s", "registry req/s", "gateway req/s"]
    print("| " + " | ".join([*columns, "gateway/bare", "gateway/registry"]) + " |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for op in ("list", "create"):
        bare, direct, gw = (results[k][op] for k in ("bare", "registry", "gateway"))
        ratios = f"{gw / bare:.2f}× | {gw / direct:.2f}×"
        print(f"| {op} | {bare:,.0f} | {direct:,.0f} | {gw:,.0f} | {ratios} |")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "registry_throughput.json").write_text(json.dumps(
        {"machine": described, "seconds": seconds, "connections": connections,
         "results": results},
        indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
