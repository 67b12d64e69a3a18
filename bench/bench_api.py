"""API throughput and list latency, measured side by side in one run.

Prints requests/s for: an empty grpc.aio unary handler (the baseline),
CreateManifestJob over gRPC, POST .../manifests over REST (through the gateway
of `worlds serve`), REST create and list latency with one client at a time, and
ListJobs page-1 latency in a workspace of 1,000 and of
100,000 jobs; then the ratios the targets are stated in.

The server under test runs in its own process pinned to CPU 0, the load
generator in this process pinned to CPU 1 (when the machine has two CPUs).

    .venv/bin/python bench/bench_api.py [--seconds 10] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import HttpConnection, closed_loop
from worlds.v1 import worlds_service_pb2 as pb
from worlds.v1 import worlds_service_pb2_grpc

KEY = "wk_bench-key"
ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

EMPTY_SERVER = """
import asyncio, grpc
async def main(port):
    async def empty(request, context):
        return b""
    handler = grpc.method_handlers_generic_handler("bench.Empty", {
        "Call": grpc.unary_unary_rpc_method_handler(empty)})
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()
import sys; asyncio.run(main(int(sys.argv[1])))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and os.cpu_count() and os.cpu_count() > 1:  # type: ignore[operator]
        os.sched_setaffinity(0, {cpu})


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env={**os.environ, **(env or {})}, preexec_fn=lambda: pin(0),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


# -- the measurements -----------------------------------------------------------------


async def grpc_rate(target: str, method: str, request: object, response_type: object,
                    metadata: list[tuple[str, str]], concurrency: int, seconds: float) -> float:
    async with grpc.aio.insecure_channel(target) as channel:
        call = channel.unary_unary(
            method, request_serializer=lambda m: m if isinstance(m, bytes) else m.SerializeToString(),
            response_deserializer=lambda b: b)

        async def once() -> bool:
            try:
                await call(request, metadata=metadata)
                return True
            except grpc.aio.AioRpcError:
                return False

        result = await closed_loop(once, concurrency=concurrency, seconds=seconds)
    if result.errors:
        print(f"  ({result.errors} errors)")
    return result.rate


async def rest_rate(port: int, path: str, body: bytes, concurrency: int, seconds: float,
                    timeout: float | None = None) -> float:
    """Creates/s; with `timeout`, a request not answered in time counts as an error (its
    connection is replaced), so a server that stalls still ends the measurement."""
    free = [HttpConnection("127.0.0.1", port) for _ in range(concurrency)]
    headers = {"Content-Type": "application/json", "X-API-Key": KEY}

    async def once() -> bool:
        conn = free.pop()
        try:
            status, _ = await asyncio.wait_for(conn.request("POST", path, headers, body), timeout)
            return status == 202
        except TimeoutError:
            conn.close()
            conn = HttpConnection("127.0.0.1", port)
            return False
        finally:
            free.append(conn)

    result = await closed_loop(once, concurrency=concurrency, seconds=seconds)
    for conn in free:
        conn.close()
    if result.errors:
        print(f"  ({result.errors} errors)")
    return result.rate


async def rest_latency(port: int, method: str, path: str, body: bytes | None, expect: int,
                       calls: int) -> tuple[float, float]:
    """p50 and p99 of `calls` requests sent one at a time on one keep-alive connection:
    a per-request stall (Nagle against a delayed ACK, say) hides under concurrency."""
    conn = HttpConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json", "X-API-Key": KEY}
    samples = []
    try:
        for _ in range(calls):
            begin = time.perf_counter()
            status, _ = await conn.request(method, path, headers, body or b"")
            samples.append(time.perf_counter() - begin)
            assert status == expect, status
    finally:
        conn.close()
    samples.sort()
    return samples[len(samples) // 2], samples[int(len(samples) * 0.99)]


async def list_latency(target: str, workspace: str, calls: int) -> tuple[float, float]:
    async with grpc.aio.insecure_channel(target) as channel:
        stub = worlds_service_pb2_grpc.WorldsServiceStub(channel)
        request = pb.ListJobsRequest(org="local", workspace=workspace)
        metadata = [("x-api-key", KEY)]
        samples = []
        for i in range(calls + 20):
            begin = time.perf_counter()
            response = await stub.ListJobs(request, metadata=metadata)
            if i >= 20:
                samples.append(time.perf_counter() - begin)
        samples.sort()
        assert len(response.items) == 20
        return samples[len(samples) // 2], samples[int(len(samples) * 0.99)]


def seed_jobs(database_url: str, workspace: str, count: int) -> None:
    """Insert `count` queued jobs into a new workspace of org `local`, counters included."""
    from worlds.core import access
    from worlds.core.jobstate import Status
    from worlds.store import tenancy
    from worlds.store.dialect import dialect_for
    from worlds.store.engine import Database, create_db_engine
    from worlds.store.jobs import job_counts, jobs

    db = Database(create_db_engine(database_url), threads=1)
    dialect = dialect_for(db.engine)
    now = datetime.now(UTC)

    def work(conn: object) -> None:
        ws_id = tenancy.create_workspace(conn, "local", workspace, workspace, now)  # type: ignore[arg-type]
        user_id = tenancy.user_id_by_name(conn, "admin")  # type: ignore[arg-type]
        tenancy.set_membership(conn, user_id, ws_id, access.Role.OWNER, now)  # type: ignore[arg-type]
        ws_access = tenancy.authorize(  # type: ignore[arg-type]
            conn, access.hash_key(KEY), "local", workspace, now).access
        project = tenancy.default_project_id(conn, ws_id)  # type: ignore[arg-type]
        batch = []
        for i in range(count):
            stamp = now - timedelta(seconds=count - i)
            batch.append({
                "id": str(uuid.uuid4()), "organization_id": ws_access.organization_id,
                "workspace_id": ws_id, "project_id": project, "kind": "manifest_generation",
                "status": "queued", "resource_type": "manifest", "result": {},
                "created_by": user_id, "created_at": stamp, "updated_at": stamp,
                "params": {"seed": i}, "attempt": 0, "max_attempts": 3, "version": 1,
            })
            if len(batch) == 5000 or i == count - 1:
                conn.execute(jobs.insert(), batch)  # type: ignore[attr-defined]
                batch = []
        dialect.add_counts(conn, job_counts, ("workspace_id", "project_id", "created_by", "kind", "status"),  # type: ignore[arg-type]
                           [{"workspace_id": ws_id, "project_id": project, "created_by": user_id,
                             "kind": "manifest_generation", "status": Status.QUEUED.value, "n": count}])

    db.run_write(work)
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--list-calls", type=int, default=300)
    parser.add_argument("--database-url", help="PostgreSQL URL to measure instead of SQLite")
    args = parser.parse_args()
    pin(1)

    figures: dict[str, float] = {}
    port = free_port()
    baseline = start([sys.executable, "-c", EMPTY_SERVER, str(port)])
    try:
        wait_for_port(port)
        figures["empty"] = asyncio.run(grpc_rate(
            f"127.0.0.1:{port}", "/bench.Empty/Call", b"", None, [], args.concurrency, args.seconds))
    finally:
        stop(baseline)
    print(f"empty grpc.aio unary handler      {figures['empty']:9.0f} req/s")

    with tempfile.TemporaryDirectory() as data_dir:
        database_url = args.database_url or f"sqlite:///{data_dir}/worlds.db"
        grpc_port, http_port = free_port(), free_port()
        env = {"WORLDS_BOOTSTRAP_API_KEY": KEY, "WORLDS_LOG_LEVEL": "WARNING",
               "WORLDS_IN_PROCESS_WORKER_ENABLED": "false"}
        serve_args = [str(VENV_BIN / "worlds"), "serve", "--data-dir", data_dir,
                      "--database-url", database_url, "--grpc-address", f"127.0.0.1:{grpc_port}",
                      "--http-address", f"127.0.0.1:{http_port}", "--no-worker"]
        server = start(serve_args, env)
        try:
            wait_for_port(http_port)
            target = f"127.0.0.1:{grpc_port}"
            create = pb.CreateManifestJobRequest(org="local", workspace="main", preset=1, seed=7)
            figures["grpc_create"] = asyncio.run(grpc_rate(
                target, "/worlds.v1.WorldsService/CreateManifestJob", create, None,
                [("x-api-key", KEY)], args.concurrency, args.seconds))
            print(f"CreateManifestJob over gRPC       {figures['grpc_create']:9.0f} req/s")
            body = json.dumps({"preset": "small", "seed": 7}).encode()
            figures["rest_create"] = asyncio.run(rest_rate(
                http_port, "/api/v1/org/local/ws/main/worlds/manifests", body,
                args.concurrency, args.seconds))
            print(f"POST .../manifests over REST      {figures['rest_create']:9.0f} req/s")
            for name, method, path, payload, expect in (
                    ("create", "POST", "/api/v1/org/local/ws/main/worlds/manifests", body, 202),
                    ("list", "GET", "/api/v1/org/local/ws/main/worlds/jobs?page_size=20", None, 200)):
                p50, p99 = asyncio.run(rest_latency(http_port, method, path, payload, expect,
                                                    args.list_calls))
                figures[f"rest_{name}_p50"] = p50
                print(f"REST {name:6} one client at a time  p50 {p50 * 1000:6.2f} ms   "
                      f"p99 {p99 * 1000:6.2f} ms")
        finally:
            stop(server)

        for workspace, count in (("k1", 1_000), ("k100", 100_000)):
            started = time.perf_counter()
            seed_jobs(database_url, workspace, count)
            print(f"  (seeded {count} jobs in {time.perf_counter() - started:.1f} s)")
        server = start(serve_args, env)
        try:
            wait_for_port(http_port)
            for workspace, count in (("k1", 1_000), ("k100", 100_000)):
                p50, p99 = asyncio.run(list_latency(target, workspace, args.list_calls))
                figures[f"list_{workspace}"] = p50
                print(f"ListJobs page 1, {count:>7} jobs    "
                      f"p50 {p50 * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms")
        finally:
            stop(server)

    print()
    print("ratio                                value   target")
    print(f"gRPC create / empty handler        {figures['grpc_create'] / figures['empty']:7.2f}   >= 0.50")
    rest_ratio = figures["rest_create"] / figures["grpc_create"]
    print(f"REST create / gRPC create          {rest_ratio:7.2f}   >= 1.00")
    print(f"REST create p50, one client (ms)   {figures['rest_create_p50'] * 1000:7.2f}   <= 5.00")
    print(f"ListJobs 100k / 1k (p50 latency)   {figures['list_k100'] / figures['list_k1']:7.2f}   <= 2.00")


if __name__ == "__main__":
    main()
