"""Watchers: delivery latency to N concurrent watchers, memory per watcher, and a small
job's create → `completed` as a watcher sees it.

Fan-out: one `worlds serve --no-worker` on PostgreSQL; this process opens N WatchJob
streams to it (one gRPC channel, grpc.aio) on one running job, then commits progress
changes to that job straight into the database, as a worker process would: the API
process hears of each commit by NOTIFY and fans it out. Latency is from the commit
returning in this process to each watcher receiving the event (same clock). Memory per
watcher is the API process's RSS growth divided by N. The client shares the machine's
two cores with the server, so the tail includes the client's own time to read N events.

End to end: `worlds serve` on SQLite with its in-process worker; a small job is
created, a WatchJob stream follows it, and the clock stops at the `completed` event.

    .venv/bin/python bench/bench_watch.py [--watchers 1000] [--changes 30] [--jobs 30]

Targets (issue 4): 1,000 watchers p99 <= 200 ms; create -> completed p50 <= 500 ms on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import free_port, stop, wait_for_port
from bench.bench_queue import METADATA, WORLDS, postgres_database, spawn
from worlds.core.lease import Lease, LeasePolicy
from worlds.store import queue as queue_store
from worlds.store.dialect import dialect_for
from worlds.store.engine import Database, create_db_engine
from worlds.v1 import jobs_pb2, worlds_service_pb2_grpc
from worlds.v1 import worlds_service_pb2 as pb


@contextlib.contextmanager
def serve(database_url: str, data_dir: str, log: Path, *, worker: bool
          ) -> Iterator[tuple[str, int]]:
    """`worlds serve`; yields (gRPC target, pid)."""
    grpc_port, http_port = free_port(), free_port()
    args = [WORLDS, "serve", "--data-dir", data_dir, "--database-url", database_url,
            "--grpc-address", f"127.0.0.1:{grpc_port}", "--http-address", f"127.0.0.1:{http_port}"]
    server = spawn(args + ([] if worker else ["--no-worker"]), log,
                   WORLDS_WATCH_BUFFER="1024")
    try:
        wait_for_port(http_port)
        yield f"127.0.0.1:{grpc_port}", server.pid
    finally:
        stop(server)


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def fan_out(target: str, pid: int, database_url: str, watchers: int,
                  changes: int) -> tuple[float, float, float, int]:
    """(p50 s, p99 s, bytes per watcher, events received) for `watchers` streams."""
    db = Database(create_db_engine(database_url, pool_size=2))
    dialect = dialect_for(db.engine)
    async with grpc.aio.insecure_channel(target) as channel:
        stub = worlds_service_pb2_grpc.WorldsServiceStub(channel)
        job = (await stub.CreateManifestJob(pb.CreateManifestJobRequest(
            org="local", workspace="main", preset=jobs_pb2.PRESET_SMALL), metadata=METADATA)).job
        now = time.time()
        from datetime import UTC, datetime

        def claim(conn: object) -> object:
            at = datetime.fromtimestamp(now, UTC)
            return queue_store.claim(dialect, conn, "bench", at,  # type: ignore[arg-type]
                                     LeasePolicy(3600).expiry(at), ("manifest_generation",))
        row = await db.write(claim)
        lease = Lease(row.id, row.attempt, "bench")  # type: ignore[attr-defined]

        baseline = rss_bytes(pid)
        received: dict[float, list[float]] = {}
        ready = asyncio.Event()
        opened = 0

        async def watcher() -> None:
            nonlocal opened
            call = stub.WatchJob(pb.WatchJobRequest(org="local", workspace="main", job_id=job.id),
                                 metadata=METADATA)
            async for response in call:
                event = response.event
                if event.type == jobs_pb2.JOB_EVENT_TYPE_SNAPSHOT:
                    opened += 1
                    if opened == watchers:
                        ready.set()
                    continue
                if event.type == jobs_pb2.JOB_EVENT_TYPE_CHANGED:
                    received.setdefault(event.job.progress, []).append(time.perf_counter())

        tasks = [asyncio.create_task(watcher()) for _ in range(watchers)]
        await asyncio.wait_for(ready.wait(), 120)
        await asyncio.sleep(1.0)
        per_watcher = (rss_bytes(pid) - baseline) / watchers

        committed: dict[float, float] = {}
        for i in range(1, changes + 1):
            progress = round(i / (changes + 1), 6)
            await db.write(lambda conn, p=progress: queue_store.report_progress(
                dialect, conn, lease, p, datetime.now(UTC)))
            committed[progress] = time.perf_counter()
            await asyncio.sleep(0.25)
        await asyncio.sleep(1.0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    db.close()
    latencies = [at - committed[p] for p, times in received.items() if p in committed for at in times]
    return (percentile(latencies, 0.5), percentile(latencies, 0.99), per_watcher, len(latencies))


async def create_to_completed(target: str, jobs: int) -> tuple[float, float]:
    """(p50, p99) seconds from sending CreateManifestJob to receiving `completed`."""
    async with grpc.aio.insecure_channel(target) as channel:
        stub = worlds_service_pb2_grpc.WorldsServiceStub(channel)
        request = pb.CreateManifestJobRequest(org="local", workspace="main",
                                              preset=jobs_pb2.PRESET_SMALL, seed=3)
        took = []
        for i in range(jobs + 3):
            began = time.perf_counter()
            job = (await stub.CreateManifestJob(request, metadata=METADATA)).job
            async for response in stub.WatchJob(pb.WatchJobRequest(
                    org="local", workspace="main", job_id=job.id), metadata=METADATA):
                if response.event.job.status == jobs_pb2.JOB_STATUS_COMPLETED:
                    break
            if i >= 3:  # the first jobs warm up the generation process
                took.append(time.perf_counter() - began)
            await asyncio.sleep(0.05)
        return percentile(took, 0.5), percentile(took, 0.99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--admin-url", default=os.environ.get(
        "WORLDS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as data_dir:
        log = Path(data_dir) / "bench.log"
        print("one job changing state, N WatchJob streams on one API process (PostgreSQL, "
              "changes committed by another process):")
        for count in args.watchers:
            with postgres_database(args.admin_url) as url, \
                    serve(url, data_dir, log, worker=False) as (target, pid):
                p50, p99, per_watcher, n = asyncio.run(fan_out(target, pid, url, count, args.changes))
            print(f"  {count:5d} watchers: commit -> received p50 {p50 * 1000:7.1f} ms   "
                  f"p99 {p99 * 1000:7.1f} ms   ({n} deliveries)   "
                  f"server memory per watcher {per_watcher / 1024:6.1f} KiB")
        inproc = str(Path(data_dir) / "inproc")
        with serve(f"sqlite:///{inproc}.db", inproc, log, worker=True) as (target, _):
            p50, p99 = asyncio.run(create_to_completed(target, args.jobs))
        print(f"small job, create -> 'completed' seen by a watcher (SQLite, in-process worker): "
              f"p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
