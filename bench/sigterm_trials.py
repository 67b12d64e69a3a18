"""SIGTERM under a create load, N times: does `worlds serve` always exit in its grace period?

Each trial starts `worlds serve` on a fresh data dir (SQLite, or --database-url),
drives creates at it from several threads through REST, sends SIGTERM after a
random moment, and checks that the process has exited within the grace period
(plus --slack seconds for interpreter teardown) and that no request got a 5xx
other than 503 (a stopping server refuses new work; it must not break work it
took). Prints one line per failed trial and the count at the end:

    .venv/bin/python bench/sigterm_trials.py --trials 50
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

WORLDS = str(Path(sys.executable).parent / "worlds")
KEY = "wk_sigterm-trials-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load(base: str, stop: threading.Event, counts: list[int], failures: list[str]) -> None:
    with httpx.Client(base_url=base, headers={"x-api-key": KEY}, timeout=5) as client:
        while not stop.is_set():
            try:
                response = client.post("/api/v1/org/local/ws/main/worlds/manifests",
                                       json={"num_users": 3, "num_hosts": 1})
                counts[0] += 1
                # A stopping server may refuse (503 UNAVAILABLE) or hang up; anything
                # else in the 5xx range is a request it broke.
                if response.status_code >= 500 and response.status_code != 503:
                    failures.append(f"{response.status_code} {response.text[:300]}")
            except httpx.HTTPError:
                time.sleep(0.01)


def trial(args: argparse.Namespace, index: int) -> tuple[bool, float, str]:
    with tempfile.TemporaryDirectory(prefix="worlds-sigterm-") as data:
        http_port, grpc_port = free_port(), free_port()
        log_path = Path(data) / "serve.log"
        command = [WORLDS, "serve", "--data-dir", data, "--grace-period", str(args.grace),
                   "--http-address", f"127.0.0.1:{http_port}",
                   "--grpc-address", f"127.0.0.1:{grpc_port}"]
        if args.database_url:
            command += ["--database-url", args.database_url]
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "WORLDS_BOOTSTRAP_API_KEY": KEY, "WORLDS_LOG_LEVEL": "INFO",
                     "WORLDS_POLL_INTERVAL": "0.2"})
            try:
                deadline = time.monotonic() + 60
                while "REST on" not in log_path.read_text():
                    if process.poll() is not None or time.monotonic() > deadline:
                        return False, 0.0, f"did not start:\n{log_path.read_text()[-2000:]}"
                    time.sleep(0.05)
                stop, counts, failures = threading.Event(), [0], []
                threads = [threading.Thread(target=load, args=(f"http://127.0.0.1:{http_port}",
                                                                stop, counts, failures),
                                            daemon=True)
                           for _ in range(args.clients)]
                for thread in threads:
                    thread.start()
                time.sleep(random.uniform(0.3, 1.5))
                sent = time.monotonic()
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(args.grace + args.slack)
                    took = time.monotonic() - sent
                    ok = True
                except subprocess.TimeoutExpired:
                    took = time.monotonic() - sent
                    ok = False
                stop.set()
                for thread in threads:
                    thread.join(10)
                if not ok:
                    return False, took, f"still running; log tail:\n{log_path.read_text()[-2000:]}"
                if failures:
                    return False, took, (f"{len(failures)} request(s) failed with a 5xx: "
                                         f"{failures[0]}\nlog tail:\n{log_path.read_text()[-2000:]}")
                return True, took, ""
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--grace", type=float, default=5.0, help="--grace-period of serve")
    parser.add_argument("--slack", type=float, default=2.0,
                        help="seconds beyond the grace period allowed for teardown")
    parser.add_argument("--clients", type=int, default=8, help="threads creating jobs")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    passed, times = 0, []
    for index in range(args.trials):
        ok, took, why = trial(args, index)
        times.append(took)
        if ok:
            passed += 1
        else:
            print(f"trial {index + 1}: {why}", flush=True)
    times.sort()
    print(f"sigterm trials: {passed}/{args.trials} exited cleanly within the grace period "
          f"({args.grace:.0f} s + {args.slack:.0f} s slack); exit time median "
          f"{times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s")
    return 0 if passed == args.trials else 1


if __name__ == "__main__":
    sys.exit(main())
