"""One trajectory job end to end: count 100, max_steps 1000, strategy random, against an
enterprise world (50,000 users, 10,000 hosts), with threads 1 and then 2.

Starts `worlds serve` (SQLite, its in-process worker), makes the enterprise manifest, then
for each `threads` value creates the trajectory job over REST and polls it to `completed`.
Prints create -> completed (target <= 30 s with threads 2), the steps sampled, steps per
second per sampling process, the speed-up from threads 1 to 2, and the peak memory of the
server and every process under it (PSS, sampled from /proc while the job runs; target <=
1 GiB).

    .venv/bin/python bench/bench_trajectories.py [--threads 1,2] [--count 100] [--preset enterprise]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import KEY, VENV_BIN, free_port, start, stop, wait_for_port

BASE = "/api/v1/org/local/ws/main/worlds"
TIME_BUDGET_S = 30.0
RSS_BUDGET_MIB = 1024.0


def tree(pid: int) -> list[int]:
    """`pid` and every live process under it."""
    found, todo = [], [pid]
    while todo:
        each = todo.pop()
        found.append(each)
        for task in Path(f"/proc/{each}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def pss_kib(pid: int) -> int:
    """Proportional set size: a page shared by n processes counts 1/n in each, so the sum
    over the tree is its memory (forked sampling processes share the world's index with
    their parent until they write to it; summing RSS would count it once per process)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


class PeakMemory:
    """The largest sum of PSS over a process tree, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kib = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, sum(pss_kib(p) for p in tree(self.pid)))
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def wait_done(http: httpx.Client, job_id: str, timeout: float = 1800) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = http.get(f"{BASE}/jobs/{job_id}").json()
        if job["status"] in ("completed", "failed", "cancelled"):
            if job["status"] != "completed":
                raise RuntimeError(f"job {job_id} {job['status']}: {job['error']}")
            return job
        time.sleep(0.05)
    raise RuntimeError(f"job {job_id} did not finish in {timeout} s")


def steps_of(http: httpx.Client, job: dict[str, Any]) -> int:
    total = 0
    for trajectory_id in job["result"]["trajectory_ids"]:
        total += http.get(f"{BASE}/trajectories/{trajectory_id}").json()["step_count"]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--max-steps", type=int, default=1000)
    parser.add_argument("--preset", default="enterprise")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        grpc_port, http_port = free_port(), free_port()
        server = start([str(VENV_BIN / "worlds"), "serve", "--data-dir", data_dir,
                        "--grpc-address", f"127.0.0.1:{grpc_port}",
                        "--http-address", f"127.0.0.1:{http_port}"],
                       {"WORLDS_BOOTSTRAP_API_KEY": KEY, "WORLDS_LOG_LEVEL": "WARNING"})
        try:
            wait_for_port(http_port)
            with httpx.Client(base_url=f"http://127.0.0.1:{http_port}", timeout=600,
                              headers={"X-API-Key": KEY}) as http:
                began = time.perf_counter()
                made = http.post(f"{BASE}/manifests", json={"preset": args.preset, "seed": 7})
                manifest = wait_done(http, made.json()["id"])
                print(f"{args.preset} world: {time.perf_counter() - began:.1f} s to generate")
                elapsed: dict[int, float] = {}
                for threads in (int(t) for t in args.threads.split(",")):
                    body = {"manifest_id": manifest["resource_id"], "count": args.count,
                            "max_steps": args.max_steps, "strategy": "random",
                            "threads": threads}
                    with PeakMemory(server.pid) as memory:
                        began = time.perf_counter()
                        created = http.post(f"{BASE}/trajectories", json=body)
                        assert created.status_code == 202, created.text
                        created_s = time.perf_counter() - began
                        job = wait_done(http, created.json()["id"])
                        total = time.perf_counter() - began
                    steps = steps_of(http, job)
                    elapsed[threads] = total
                    peak = memory.peak_kib / 1024
                    print(f"threads {threads}: create {created_s:5.2f} s, create -> completed "
                          f"{total:6.2f} s (target <= {TIME_BUDGET_S:.0f} s with 2), "
                          f"{steps} steps, {steps / total / threads:7.0f} steps/s per process, "
                          f"{job['result']['successful']} of {job['result']['sampled']} "
                          f"successful, peak memory (PSS) of the tree {peak:6.0f} MiB "
                          f"(target <= {RSS_BUDGET_MIB:.0f})")
                if 1 in elapsed and 2 in elapsed:
                    print(f"speed-up threads 1 -> 2: {elapsed[1] / elapsed[2]:.2f}x")
        finally:
            stop(server)


if __name__ == "__main__":
    main()
