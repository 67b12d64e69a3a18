"""Graph pages over REST: the largest pages the contract allows, one client at a time.

Starts `worlds serve` (SQLite, in-process worker) pinned to CPU 0, generates one world
(`--preset`, default large), then from CPU 1 measures the p50 of `graph/nodes?limit=5000`,
`graph/edges?limit=20000` and the principal details of the world's largest group.

    .venv/bin/python bench/bench_graph_pages.py [--preset large] [--calls 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import KEY, VENV_BIN, free_port, pin, start, stop, wait_for_port
from bench.loadgen import HttpConnection

BASE = "/api/v1/org/local/ws/main/worlds"


async def measure(port: int, preset: str, calls: int) -> dict[str, float]:
    conn = HttpConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json", "X-API-Key": KEY}
    status, body = await conn.request("POST", f"{BASE}/manifests", headers,
                                      json.dumps({"preset": preset, "seed": 7}).encode())
    assert status == 202, body
    job_id = json.loads(body)["id"]
    while True:
        status, body = await conn.request("GET", f"{BASE}/jobs/{job_id}", headers)
        job = json.loads(body)
        if job["status"] == "completed":
            break
        assert job["status"] in ("queued", "running"), job
        await asyncio.sleep(0.5)
    manifest = f"{BASE}/manifests/{job['resource_id']}"
    # The group with the most edges: Domain Users of the first domain.
    status, body = await conn.request("GET", f"{manifest}/graph/nodes?limit=5000", headers)
    users = next(n["data"]["id"] for n in json.loads(body)["nodes"]
                 if n["data"]["label"].lower().startswith("domain users"))
    figures = {}
    for name, path in (("nodes 5,000", f"{manifest}/graph/nodes?limit=5000"),
                       ("edges 20,000", f"{manifest}/graph/edges?limit=20000"),
                       ("Domain Users details", f"{manifest}/principals/{users}/details")):
        samples = []
        for _ in range(calls):
            begin = time.perf_counter()
            status, body = await conn.request("GET", path, headers)
            samples.append(time.perf_counter() - begin)
            assert status == 200, body[:200]
        samples.sort()
        figures[name] = samples[len(samples) // 2]
        figures[name + " bytes"] = len(body)
    conn.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="large")
    parser.add_argument("--calls", type=int, default=30)
    args = parser.parse_args()
    pin(1)
    with tempfile.TemporaryDirectory() as data_dir:
        grpc_port, http_port = free_port(), free_port()
        server = start([str(VENV_BIN / "worlds"), "serve", "--data-dir", data_dir,
                        "--grpc-address", f"127.0.0.1:{grpc_port}",
                        "--http-address", f"127.0.0.1:{http_port}"],
                       {"WORLDS_BOOTSTRAP_API_KEY": KEY, "WORLDS_LOG_LEVEL": "WARNING"})
        try:
            wait_for_port(http_port, timeout=120)
            figures = asyncio.run(measure(http_port, args.preset, args.calls))
        finally:
            stop(server)
    targets = {"nodes 5,000": "<= 30 ms", "edges 20,000": "<= 60 ms", "Domain Users details": ""}
    for name, target in targets.items():
        print(f"{name:22} p50 {figures[name] * 1000:8.1f} ms  {figures[name + ' bytes'] / 1e6:6.2f} MB"
              f"   {target}")


if __name__ == "__main__":
    main()
