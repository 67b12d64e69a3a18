"""One enterprise manifest job end to end, and the longest wait between its progress events.

Starts `worlds serve` (SQLite, its in-process worker) pinned to CPU 0, creates one job with
preset `enterprise` over gRPC from CPU 1, watches it with WatchJob, and prints the time from
create to `completed`, the longest gap between two consecutive events of the job (progress
that stalls), and the server's peak RSS including its generation child.

    .venv/bin/python bench/bench_enterprise_job.py [--runs 2]
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

import itertools

from bench.bench_api import KEY, VENV_BIN, free_port, pin, start, stop, wait_for_port
from worlds.v1 import jobs_pb2, worlds_service_pb2_grpc
from worlds.v1 import worlds_service_pb2 as pb


def peak_rss_mib(pid: int) -> float:
    """VmHWM of the server and of its children still alive, in MiB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        status = Path(f"/proc/{each}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return total / 1024


async def one_job(target: str) -> tuple[float, float, list[tuple[float, float]]]:
    metadata = [("x-api-key", KEY)]
    async with grpc.aio.insecure_channel(target) as channel:
        stub = worlds_service_pb2_grpc.WorldsServiceStub(channel)
        begin = time.perf_counter()
        job = (await stub.CreateManifestJob(pb.CreateManifestJobRequest(
            org="local", workspace="main", preset=jobs_pb2.PRESET_ENTERPRISE, seed=7),
            metadata=metadata)).job
        seen: list[tuple[float, float]] = []
        async for message in stub.WatchJob(pb.WatchJobRequest(
                org="local", workspace="main", job_id=job.id), metadata=metadata):
            event = message.event
            if event.type == jobs_pb2.JOB_EVENT_TYPE_HEARTBEAT:
                continue
            seen.append((time.perf_counter() - begin, event.job.progress))
            if event.job.status == jobs_pb2.JOB_STATUS_COMPLETED:
                break
            if event.job.status in (jobs_pb2.JOB_STATUS_FAILED, jobs_pb2.JOB_STATUS_CANCELLED):
                raise RuntimeError(f"job ended {event.job.status}: {event.job.error}")
    total = seen[-1][0]
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(seen)]
    return total, max(gaps, default=total), seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    pin(1)
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as data_dir:
            grpc_port, http_port = free_port(), free_port()
            server = start([str(VENV_BIN / "worlds"), "serve", "--data-dir", data_dir,
                            "--grpc-address", f"127.0.0.1:{grpc_port}",
                            "--http-address", f"127.0.0.1:{http_port}"],
                           {"WORLDS_BOOTSTRAP_API_KEY": KEY, "WORLDS_LOG_LEVEL": "WARNING"})
            try:
                wait_for_port(http_port)
                time.sleep(1.0)  # the worker's generation child starts
                total, gap, seen = asyncio.run(one_job(f"127.0.0.1:{grpc_port}"))
                rss = peak_rss_mib(server.pid)
            finally:
                stop(server)
        trace = " ".join(f"{t:.2f}s:{p:.2f}" for t, p in seen)
        print(f"run {run + 1}: create -> completed {total:6.2f} s (target <= 3.5)   "
              f"longest progress gap {gap:5.2f} s (target <= 1)   peak RSS {rss:6.0f} MiB")
        print(f"  events: {trace}")


if __name__ == "__main__":
    main()
