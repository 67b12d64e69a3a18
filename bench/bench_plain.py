"""This project's REST create against the plain FastAPI + SQLModel app (bench/plain_app.py).

Both servers run pinned to CPU 0, the load generator to CPU 1; runs are interleaved (ours,
plain, ours, plain) at each concurrency and the ratio is taken from the same round.

    .venv/bin/python bench/bench_plain.py [--seconds 5] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import KEY, VENV_BIN, free_port, pin, rest_rate, start, stop, wait_for_port

CREATE = "/api/v1/org/local/ws/main/worlds/manifests"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    pin(1)
    body = json.dumps({"preset": "small", "seed": 7}).encode()
    with tempfile.TemporaryDirectory() as data_dir:
        ours_port, plain_port, grpc_port = free_port(), free_port(), free_port()
        ours = start([str(VENV_BIN / "worlds"), "serve", "--data-dir", f"{data_dir}/ours",
                      "--grpc-address", f"127.0.0.1:{grpc_port}",
                      "--http-address", f"127.0.0.1:{ours_port}", "--no-worker"],
                     {"WORLDS_BOOTSTRAP_API_KEY": KEY, "WORLDS_LOG_LEVEL": "WARNING"})
        plain = start([sys.executable, str(Path(__file__).with_name("plain_app.py")),
                       "--port", str(plain_port), "--database", f"sqlite:///{data_dir}/plain.db",
                       "--key", KEY])
        try:
            wait_for_port(ours_port)
            wait_for_port(plain_port)
            print("concurrency   round   ours req/s   plain req/s   ratio   target")
            for concurrency in (16, 64):
                for round_ in range(args.rounds):
                    # A request unanswered in 10 s is an error: the plain app's session
                    # pool stalls under 64 concurrent writers, and must not hang the bench.
                    mine = asyncio.run(rest_rate(ours_port, CREATE, body, concurrency,
                                                 args.seconds, timeout=10))
                    theirs = asyncio.run(rest_rate(plain_port, CREATE, body, concurrency,
                                                   args.seconds, timeout=10))
                    ratio = f"{mine / theirs:5.2f}" if theirs else "  inf (the plain app answered none)"
                    print(f"{concurrency:11}   {round_ + 1:5}   {mine:10.0f}   {theirs:11.0f}"
                          f"   {ratio}   >= 3")
        finally:
            stop(ours)
            stop(plain)


if __name__ == "__main__":
    main()
