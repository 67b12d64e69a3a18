"""Inspection reads on an enterprise world, through REST, against their targets.

Starts `worlds serve` (its own process, pinned to CPU 0 when there are two; SQLite in a
temporary directory, with its in-process worker), generates an enterprise manifest
through the API (POST .../manifests, preset enterprise: ~60,000 nodes and ~230,000 edges)
and waits for it, warms each route once (the first read of a manifest builds its graph
in memory; that time is printed too), then sends each request `--calls` times, one at a
time on one keep-alive connection, and prints p50 / p99 against the targets:

    principal search (a user's sam)           p50 <= 10 ms
    subgraph, depth 2 around a user           p50 <= 50 ms
    overview (default bounds)                 p50 <= 200 ms

    .venv/bin/python bench/bench_inspection.py [--calls 50] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import KEY, VENV_BIN, free_port, start, stop, wait_for_port
from bench.loadgen import HttpConnection

TARGETS_MS = {"search": 10.0, "subgraph": 50.0, "overview": 200.0}


async def timed(conn: HttpConnection, path: str, calls: int) -> tuple[float, float, int]:
    """p50 and p99 in ms, and the size of the last body."""
    headers = {"X-API-Key": KEY}
    samples = []
    size = 0
    for _ in range(calls):
        started = time.perf_counter()
        status, body = await conn.request("GET", path, headers, b"")
        samples.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body[:200]!r}")
        size = len(body)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))], size


async def run(port: int, calls: int, seed: int) -> None:
    base = "/api/v1/org/local/ws/main/worlds"
    conn = HttpConnection("127.0.0.1", port)
    headers = {"X-API-Key": KEY, "Content-Type": "application/json"}
    started = time.perf_counter()
    status, body = await conn.request("POST", base + "/manifests", headers,
                                      json.dumps({"preset": "enterprise", "seed": seed}).encode())
    assert status == 202, body
    job_id = json.loads(body)["id"]
    while True:
        status, body = await conn.request("GET", f"{base}/jobs/{job_id}", headers, b"")
        job = json.loads(body)
        if job["status"] in ("completed", "failed", "cancelled"):
            break
        await asyncio.sleep(0.5)
    assert job["status"] == "completed", job
    manifest_id = job["resource_id"]
    print(f"enterprise manifest generated and published in {time.perf_counter() - started:.1f} s")
    root = f"{base}/manifests/{manifest_id}"
    _, body = await conn.request("GET", root, headers, b"")
    stats = json.loads(body)["stats"]
    print(f"  {stats['total_hosts']:,} hosts, {stats['total_principals']:,} principals, "
          f"{stats['total_edges']:,} edges")
    _, body = await conn.request("GET", root + "/principals/search?principal_type=user&page=250",
                                 headers, b"")
    user = json.loads(body)["items"][0]
    paths = {
        "search": f"{root}/principals/search?query={user['sam']}",
        "subgraph": f"{root}/graph/subgraph?center={user['principal_id']}&depth=2",
        "overview": f"{root}/graph/overview",
    }
    for name, path in paths.items():
        first = time.perf_counter()
        await timed(conn, path, 1)
        print(f"first {name} read (builds what the manifest's reads share): "
              f"{(time.perf_counter() - first) * 1000:.0f} ms")
    print()
    print(f"{'read':<10} {'p50 ms':>8} {'p99 ms':>8} {'target':>10} {'body':>10}  verdict")
    for name, path in paths.items():
        p50, p99, size = await timed(conn, path, calls)
        target = TARGETS_MS[name]
        verdict = "met" if p50 <= target else "NOT met"
        print(f"{name:<10} {p50:>8.2f} {p99:>8.2f} {'<= ' + format(target, 'g'):>10} "
              f"{size / 1024:>8.0f} KiB  {verdict}")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        http_port, grpc_port = free_port(), free_port()
        server = start([str(VENV_BIN / "worlds"), "serve", "--data-dir", data,
                        "--grpc-address", f"127.0.0.1:{grpc_port}",
                        "--http-address", f"127.0.0.1:{http_port}"],
                       env={"WORLDS_BOOTSTRAP_API_KEY": KEY, "WORLDS_LOG_LEVEL": "WARNING"})
        try:
            wait_for_port(http_port, timeout=60)
            asyncio.run(run(http_port, args.calls, args.seed))
        finally:
            stop(server)


if __name__ == "__main__":
    main()
