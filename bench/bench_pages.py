"""Deep pages of ListJobs: page 1 against a page far down a big workspace, and a cursor walk.

Seeds `--jobs` queued jobs into one workspace (SQLite by default, or `--database-url`),
starts `worlds serve` pinned to CPU 0 and measures over gRPC, from CPU 1, the p50 latency of
page 1, of the page at 80 % of the workspace (`page=40,000` at 1M jobs and page_size 20),
and of the same depth reached with `page_token` (one cursor step), then prints the ratios.

    .venv/bin/python bench/bench_pages.py [--jobs 1000000] [--calls 50]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import KEY, VENV_BIN, free_port, pin, seed_jobs, start, stop, wait_for_port
from worlds.v1 import worlds_service_pb2 as pb
from worlds.v1 import worlds_service_pb2_grpc


async def p50(stub: worlds_service_pb2_grpc.WorldsServiceStub, request: pb.ListJobsRequest,
              calls: int) -> float:
    samples = []
    for _ in range(calls):
        begin = time.perf_counter()
        response = await stub.ListJobs(request, metadata=[("x-api-key", KEY)])
        samples.append(time.perf_counter() - begin)
        assert len(response.items) == request.page_size
    samples.sort()
    return samples[len(samples) // 2]


async def measure(target: str, jobs: int, calls: int) -> dict[str, float]:
    deep = max(1, int(jobs * 0.8) // 20)
    async with grpc.aio.insecure_channel(target) as channel:
        stub = worlds_service_pb2_grpc.WorldsServiceStub(channel)
        base = {"org": "local", "workspace": "deep", "page_size": 20}
        figures = {"page1": await p50(stub, pb.ListJobsRequest(**base, page=1), calls)}
        figures["deep"] = await p50(stub, pb.ListJobsRequest(**base, page=deep), calls)
        before = await stub.ListJobs(pb.ListJobsRequest(**base, page=deep - 1),
                                     metadata=[("x-api-key", KEY)])
        if "next_page_token" in before.DESCRIPTOR.fields_by_name and before.HasField("next_page_token"):
            figures["cursor"] = await p50(stub, pb.ListJobsRequest(
                **base, page_token=before.next_page_token), calls)
    figures["deep_page"] = deep
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--database-url", help="PostgreSQL URL to measure instead of SQLite")
    args = parser.parse_args()
    pin(1)
    with tempfile.TemporaryDirectory() as data_dir:
        database_url = args.database_url or f"sqlite:///{data_dir}/worlds.db"
        grpc_port, http_port = free_port(), free_port()
        env = {"WORLDS_BOOTSTRAP_API_KEY": KEY, "WORLDS_LOG_LEVEL": "WARNING"}
        serve_args = [str(VENV_BIN / "worlds"), "serve", "--data-dir", data_dir,
                      "--database-url", database_url, "--grpc-address", f"127.0.0.1:{grpc_port}",
                      "--http-address", f"127.0.0.1:{http_port}", "--no-worker"]
        server = start(serve_args, env)  # migrates and bootstraps
        wait_for_port(http_port)
        stop(server)
        started = time.perf_counter()
        seed_jobs(database_url, "deep", args.jobs)
        print(f"(seeded {args.jobs} jobs in {time.perf_counter() - started:.1f} s)")
        server = start(serve_args, env)
        try:
            wait_for_port(http_port)
            figures = asyncio.run(measure(f"127.0.0.1:{grpc_port}", args.jobs, args.calls))
        finally:
            stop(server)
    deep = int(figures["deep_page"])
    print(f"ListJobs page 1                 p50 {figures['page1'] * 1000:8.2f} ms")
    print(f"ListJobs page {deep:<7}           p50 {figures['deep'] * 1000:8.2f} ms")
    if "cursor" in figures:
        print(f"ListJobs page_token at page {deep:<7} p50 {figures['cursor'] * 1000:8.2f} ms")
    print()
    print("ratio                                 value   target")
    print(f"deep page / page 1                {figures['deep'] / figures['page1']:9.1f}   <= 10")
    if "cursor" in figures:
        print(f"cursor at that depth / page 1     {figures['cursor'] / figures['page1']:9.1f}")


if __name__ == "__main__":
    main()
