"""Watchers: delivery latency to N concurrent watchers, memory per watcher, and a small
job's create → `completed` as a watcher sees it.

Fan-out: one `worlds serve --no-worker` on PostgreSQL; this process opens N WatchJob
streams to it (one gRPC channel, grpc.aio) on one running job, then commits progress
changes to that job straight into the database, as a worker process would: the API
process hears of each commit by NOTIFY and fans it out. Latency is from the commit
returning in this process to each watcher receiving the event (same clock). Memory per
watcher is the API process's RSS growth divided by N. The client shares the machine's
two cores with the server, so the tail includes the client's own time to read N events.

Creates under watchers: REST creates one at a time, first alone, then with N SSE watchers
of the workspace open (each create an event fanned out to all of them).

End to end: `worlds serve` on SQLite with its in-process worker; a small job is
created, a WatchJob stream follows it, and the clock stops at the `completed` event.

    .venv/bin/python bench/bench_watch.py [--watchers 1000] [--changes 30] [--jobs 30]

Targets: 1,000 watchers p99 <= 100 ms; a create's p50 with 1,000 watchers <= 2x without;
create -> completed p50 <= 500 ms on SQLite.
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

from bench.bench_api import KEY, free_port, stop, wait_for_port
from bench.bench_queue import METADATA, WORLDS, postgres_database, spawn
from bench.loadgen import HttpConnection
from worlds.core.lease import Lease, LeasePolicy
from worlds.store import queue as queue_store
from worlds.store.dialect import dialect_for
from worlds.store.engine import Database, create_db_engine
from worlds.v1 import jobs_pb2, worlds_service_pb2_grpc
from worlds.v1 import worlds_service_pb2 as pb


@contextlib.contextmanager
def serve(database_url: str, data_dir: str, log: Path, *, worker: bool
          ) -> Iterator[tuple[str, int, int]]:
    """`worlds serve`; yields (gRPC target, pid, REST port)."""
    grpc_port, http_port = free_port(), free_port()
    args = [WORLDS, "serve", "--data-dir", data_dir, "--database-url", database_url,
            "--grpc-address", f"127.0.0.1:{grpc_port}", "--http-address", f"127.0.0.1:{http_port}"]
    server = spawn(args + ([] if worker else ["--no-worker"]), log,
                   WORLDS_WATCH_BUFFER="1024")
    try:
        wait_for_port(http_port)
        yield f"127.0.0.1:{grpc_port}", server.pid, http_port
    finally:
        stop(server)


WORKSPACE = "/api/v1/org/local/ws/main/worlds"


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


async def sse_watcher(port: int, opened: asyncio.Event, count: list[int], total: int) -> None:
    """A workspace watch over SSE whose events are read and dropped (a cheap client, so
    what is measured is the server's fan-out, not this process's parsing)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"GET {WORKSPACE}/jobs:watch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"X-API-Key: {KEY}\r\nAccept: text/event-stream\r\n\r\n").encode())
    try:
        await reader.readuntil(b"\r\n\r\n")
        count[0] += 1
        if count[0] == total:
            opened.set()
        while await reader.read(65536):
            pass
    finally:
        writer.close()


async def create_p50(port: int, creates: int) -> float:
    """p50 seconds of REST creates sent one at a time."""
    conn = HttpConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json", "X-API-Key": KEY}
    took = []
    for i in range(creates + 5):
        began = time.perf_counter()
        status, body = await conn.request("POST", f"{WORKSPACE}/manifests", headers, b"{}")
        assert status == 202, body
        if i >= 5:
            took.append(time.perf_counter() - began)
        await asyncio.sleep(0.02)
    conn.close()
    return percentile(took, 0.5)


async def creates_under_watchers(port: int, watchers: int, creates: int) -> tuple[float, float]:
    """(create p50 with no watcher, with `watchers` SSE watchers of the workspace), each
    create an event fanned out to every watcher."""
    quiet = await create_p50(port, creates)
    opened, count = asyncio.Event(), [0]
    tasks = [asyncio.create_task(sse_watcher(port, opened, count, watchers))
             for _ in range(watchers)]
    await asyncio.wait_for(opened.wait(), 120)
    await asyncio.sleep(1.0)
    busy = await create_p50(port, creates)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return quiet, busy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--creates", type=int, default=100)
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
                    serve(url, data_dir, log, worker=False) as (target, pid, _):
                p50, p99, per_watcher, n = asyncio.run(fan_out(target, pid, url, count, args.changes))
            print(f"  {count:5d} watchers: commit -> received p50 {p50 * 1000:7.1f} ms   "
                  f"p99 {p99 * 1000:7.1f} ms   ({n} deliveries)   "
                  f"server memory per watcher {per_watcher / 1024:6.1f} KiB")
        with postgres_database(args.admin_url) as url, \
                serve(url, data_dir, log, worker=False) as (_, _, http_port):
            quiet, busy = asyncio.run(creates_under_watchers(http_port, max(args.watchers),
                                                             args.creates))
        print(f"REST create one at a time (PostgreSQL, no worker): p50 {quiet * 1000:7.1f} ms "
              f"alone, {busy * 1000:7.1f} ms with {max(args.watchers)} SSE watchers of the "
              f"workspace: {busy / quiet:.2f}x (target <= 2x)")
        inproc = str(Path(data_dir) / "inproc")
        with serve(f"sqlite:///{inproc}.db", inproc, log, worker=True) as (target, _, _):
            p50, p99 = asyncio.run(create_to_completed(target, args.jobs))
        print(f"small job, create -> 'completed' seen by a watcher (SQLite, in-process worker): "
              f"p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
