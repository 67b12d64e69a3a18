"""Start-up time of the client commands: `worlds --help`, and `worlds job-list` against a
local `worlds serve`, beside a bare `python -c pass` for the interpreter's own share.

    .venv/bin/python bench/bench_cli_start.py [--runs 20]

Prints the median and the minimum wall time of each (the minimum is the least disturbed by
other load on the machine).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(args: list[str], env: dict[str, str], runs: int) -> str:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        samples.append(time.perf_counter() - started)
        if done.returncode != 0:
            return f"failed (exit {done.returncode})"
    return f"median {statistics.median(samples) * 1000:6.0f} ms   min {min(samples) * 1000:6.0f} ms"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "worlds"), "serve", "--data-dir", data, "--no-worker",
             "--http-address", f"127.0.0.1:{port}", "--grpc-address", "127.0.0.1:0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            env = {**os.environ, "WORLDS_DATA_DIR": data, "WORLDS_SERVER": f"http://127.0.0.1:{port}"}
            print(f"python -c pass    {timed([sys.executable, '-c', 'pass'], env, runs)}")
            print(f"worlds --help     {timed([str(BIN / 'worlds'), '--help'], env, runs)}")
            print(f"worlds job-list   {timed([str(BIN / 'worlds'), 'job-list'], env, runs)}")
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
