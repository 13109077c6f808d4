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
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ADMIN_KEY = "bench-admin-key"
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(target: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--factory", "--port", str(port),
               "--log-level", "warning", "--no-access-log"]  # fmt: skip
    if target.startswith("bench.bare_app"):
        command.remove("--factory")
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(url + "/v1/organizations", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{target} did not start")


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> float:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    if script:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{out}")
    assert match, out
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="3-second runs")
    args = parser.parse_args()
    seconds = 3 if args.quick else args.seconds
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="kyodo-bench-"))
    env = {**os.environ, "KYODO_DATA_DIR": str(work), "KYODO_ADMIN_KEY": ADMIN_KEY,
           "KYODO_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}  # fmt: skip
    subprocess.run([sys.executable, "-m", "kyodo.cli", "migrate"], env=env, cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    servers = {}
    try:
        servers["gateway"] = start("gateway.main:create_embedded_app", env)
        gateway_url = servers["gateway"][1]
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
        servers["bare"] = start("bench.bare_app:app", env)
        lua = work / "post.lua"
        lua.write_text(POST_LUA % (json.dumps(ORG, ensure_ascii=False), ADMIN_KEY))
        list_size = len(json.dumps(listing, ensure_ascii=False).encode())
        results = {}
        for name, (_, url) in servers.items():
            results[name] = {
                "list": wrk(url + "/v1/organizations?limit=20", seconds, args.connections),
                "create": wrk(url + "/v1/organizations", seconds, args.connections, lua),
            }
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait()
    report(results, seconds, args.connections, list_size)
    shutil.rmtree(work, ignore_errors=True)


def report(results: dict[str, dict[str, float]], seconds: int, connections: int, size: int) -> None:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\nRegistry throughput ({machine}; wrk 1 thread, {connections} connections, "
          f"{seconds}s each; list page {size} bytes, 20 organisations)\n")  # fmt: skip
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
        {"machine": machine, "seconds": seconds, "connections": connections, "results": results},
        indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
