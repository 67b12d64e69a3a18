"""Queue: small jobs per second end to end, and create → running pickup latency.

Throughput: `worlds serve --no-worker` (the API) and two `worlds worker`
processes on one PostgreSQL; N small jobs (5 users, 2 hosts) are created over
gRPC as fast as one client can, and the clock stops when `ListJobs` reports all
of them completed. Each job is claimed, generated in a worker's child process,
stored with its manifest and completed: the whole path.

Pickup latency: one idle worker; jobs are created one at a time (each after the
previous one finished) and the latency is the job's `started_at - created_at`,
both stamped by the server (API and worker share the machine's clock). Measured
for a separate worker on PostgreSQL (woken by NOTIFY), a separate worker on
SQLite (which can only poll), and the in-process worker of `worlds serve` on
SQLite (woken in-process).

    .venv/bin/python bench/bench_queue.py [--jobs 500] [--samples 100]
        [--admin-url postgresql://postgres@127.0.0.1:5432/test]

Targets (issue 3): pickup p50 <= 100 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import KEY, VENV_BIN, free_port, stop, wait_for_port
from worlds.v1 import jobs_pb2, worlds_service_pb2_grpc
from worlds.v1 import worlds_service_pb2 as pb

WORLDS = str(VENV_BIN / "worlds")
METADATA = [("x-api-key", KEY)]
ENV = {"WORLDS_BOOTSTRAP_API_KEY": KEY, "WORLDS_LOG_LEVEL": "WARNING"}


def spawn(args: list[str], log: Path, **env: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(args, env={**os.environ, **ENV, **env}, stdout=out,
                                stderr=subprocess.STDOUT)


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from worlds.store.engine import normalize_url

    admin = normalize_url(admin_url)
    name = f"worlds_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@contextlib.contextmanager
def api_server(database_url: str, data_dir: str, log: Path, *, worker: bool
               ) -> Iterator[str]:
    grpc_port, http_port = free_port(), free_port()
    args = [WORLDS, "serve", "--data-dir", data_dir, "--database-url", database_url,
            "--grpc-address", f"127.0.0.1:{grpc_port}", "--http-address", f"127.0.0.1:{http_port}"]
    if not worker:
        args.append("--no-worker")
    server = spawn(args, log)
    try:
        wait_for_port(http_port)
        yield f"127.0.0.1:{grpc_port}"
    finally:
        stop(server)


@contextlib.contextmanager
def workers(database_url: str, data_dir: str, log: Path, count: int) -> Iterator[None]:
    procs = [spawn([WORLDS, "worker", "--database-url", database_url, "--data-dir", data_dir], log)
             for _ in range(count)]
    try:
        deadline = time.time() + 30
        while log.read_text().count("running (") < count:  # each worker announces itself
            if time.time() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError(f"workers did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield
    finally:
        for proc in procs:
            stop(proc)


async def throughput(target: str, jobs: int) -> tuple[float, float]:
    """(jobs/s from the first create to the last completion, seconds spent creating)."""
    async with grpc.aio.insecure_channel(target) as channel:
        stub = worlds_service_pb2_grpc.WorldsServiceStub(channel)
        request = pb.CreateManifestJobRequest(org="local", workspace="main", num_users=5,
                                              num_hosts=2, seed=1)
        done = pb.ListJobsRequest(org="local", workspace="main", page_size=1,
                                  status=jobs_pb2.JOB_STATUS_COMPLETED)
        began = time.perf_counter()
        pending: set[asyncio.Task[object]] = set()
        for _ in range(jobs):
            pending.add(asyncio.ensure_future(stub.CreateManifestJob(request, metadata=METADATA)))
            if len(pending) >= 16:
                _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        await asyncio.gather(*pending)
        created = time.perf_counter() - began
        while (await stub.ListJobs(done, metadata=METADATA)).total < jobs:
            await asyncio.sleep(0.02)
        return jobs / (time.perf_counter() - began), created


async def pickup_latency(target: str, samples: int) -> tuple[float, float]:
    """(p50, p99) of started_at - created_at, in seconds, for an idle worker."""
    async with grpc.aio.insecure_channel(target) as channel:
        stub = worlds_service_pb2_grpc.WorldsServiceStub(channel)
        request = pb.CreateManifestJobRequest(org="local", workspace="main", num_users=3,
                                              num_hosts=1, seed=2)
        latencies = []
        for i in range(samples + 3):
            job = (await stub.CreateManifestJob(request, metadata=METADATA)).job
            get = pb.GetJobRequest(org="local", workspace="main", job_id=job.id)
            while True:
                job = (await stub.GetJob(get, metadata=METADATA)).job
                if job.status in (jobs_pb2.JOB_STATUS_COMPLETED, jobs_pb2.JOB_STATUS_FAILED):
                    break
                await asyncio.sleep(0.005)
            if i >= 3:  # the first jobs warm up the generation process
                latencies.append((job.started_at.ToDatetime() - job.created_at.ToDatetime())
                                 .total_seconds())
            await asyncio.sleep(0.05)  # the worker is idle (waiting) again
        latencies.sort()
        return latencies[len(latencies) // 2], latencies[min(len(latencies) - 1,
                                                             int(len(latencies) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--admin-url", default=os.environ.get(
        "WORLDS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server where a scratch database may be created")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; logs in the temporary directory are discarded")

    with tempfile.TemporaryDirectory() as data_dir:
        log = Path(data_dir) / "bench.log"

        with postgres_database(args.admin_url) as url, \
                api_server(url, data_dir, log, worker=False) as target, \
                workers(url, data_dir, log, 2):
            rate, created = asyncio.run(throughput(target, args.jobs))
        print(f"PostgreSQL, 2 worker processes: {args.jobs} small jobs end to end   "
              f"{rate:7.1f} jobs/s   (creating them took {created:.2f} s)")

        rows = []
        with postgres_database(args.admin_url) as url, \
                api_server(url, data_dir, log, worker=False) as target, workers(url, data_dir, log, 1):
            rows.append(("PostgreSQL, separate worker (NOTIFY)",
                         *asyncio.run(pickup_latency(target, args.samples))))
        sqlite = f"sqlite:///{data_dir}/separate.db"
        with api_server(sqlite, data_dir, log, worker=False) as target, \
                workers(sqlite, data_dir, log, 1):
            rows.append(("SQLite, separate worker (polls every 1 s)",
                         *asyncio.run(pickup_latency(target, max(20, args.samples // 5)))))
        inproc = str(Path(data_dir) / "inproc")
        with api_server(f"sqlite:///{inproc}.db", inproc, log, worker=True) as target:
            rows.append(("SQLite, in-process worker (signalled)",
                         *asyncio.run(pickup_latency(target, args.samples))))
        print("create -> running, idle worker:")
        for name, p50, p99 in rows:
            print(f"  {name:44} p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms")
        pg_p50 = rows[0][1]
        print(f"target: PostgreSQL p50 <= 100 ms: {'met' if pg_p50 <= 0.1 else 'MISSED'}")


if __name__ == "__main__":
    main()
