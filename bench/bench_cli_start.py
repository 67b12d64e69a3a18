"""Start-up time of the client commands: `worlds --help`, a usage error, and `worlds job-list`
against a local `worlds serve`, beside a bare `python -c pass` for the interpreter's own share.

    .venv/bin/python bench/bench_cli_start.py [--runs 20] [--bin DIR]

The commands run interleaved (one of each per round, the order rotating), so a burst of other
load on the machine falls on all of them alike; one line per command gives the median, the
minimum (the least disturbed run) and the 90th percentile of the wall time. `--bin` times the
`worlds` and `python` of another environment (a non-editable install, say) against the same
server.

The commands run with Python's bytecode cache on, as on any installed machine: where
PYTHONDONTWRITEBYTECODE is set, an editable install's modules, which pip never compiled, would
be compiled again at every start, and that is not what a user waits for.
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

HERE = Path(sys.executable).parent


def once(args: list[str], env: dict[str, str], code: int) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    elapsed = time.perf_counter() - started
    if done.returncode != code:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}, not {code}")
    return elapsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--bin", type=Path, default=HERE,
                        help="directory of the python and worlds to time (default: this venv's)")
    options = parser.parse_args()
    python, worlds = str(options.bin / "python"), str(options.bin / "worlds")
    # (label, argv, expected exit code)
    commands = [
        ("python -c pass", [python, "-c", "pass"], 0),
        ("worlds --help", [worlds, "--help"], 0),
        ("worlds job-list --bogus", [worlds, "job-list", "--bogus"], 2),
        ("worlds job-list", [worlds, "job-list"], 0),
    ]
    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        server = subprocess.Popen(
            [str(HERE / "worlds"), "serve", "--data-dir", data, "--no-worker",
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
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            for _, args, code in commands:  # warm the page cache and the .pyc files
                once(args, env, code)
            samples: list[list[float]] = [[] for _ in commands]
            for round_ in range(options.runs):
                for i in range(len(commands)):
                    k = (i + round_) % len(commands)
                    samples[k].append(once(commands[k][1], env, commands[k][2]))
            width = max(len(label) for label, _, _ in commands)
            for (label, _, _), times in zip(commands, samples, strict=True):
                ms = sorted(t * 1000 for t in times)
                p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
                print(f"{label:{width}}  median {statistics.median(ms):5.0f} ms  "
                      f"min {ms[0]:5.0f} ms  p90 {p90:5.0f} ms  ({len(ms)} runs)")
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
