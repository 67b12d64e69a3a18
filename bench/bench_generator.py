"""World generator: time and peak memory per preset, each in a fresh process.

Every preset runs in its own child process pinned to one CPU, so the peak RSS
(`ru_maxrss` of the child) belongs to that preset alone. Generation and
serialization (`World.canonical_bytes()`) are timed separately; the target is
enterprise (50,000 users, 10,000 hosts) in at most 10 s for both together and at
most 1 GiB of peak RSS.

    .venv/bin/python bench/bench_generator.py [--presets small,medium,large,enterprise]
                                              [--seed 1] [--repeat 1]

With --repeat N each preset runs N times (N processes) and the fastest run is
shown; the exit status is 1 when enterprise misses a target.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME_BUDGET_S = 10.0
RSS_BUDGET_MIB = 1024.0


def run_child(preset: str, seed: int) -> None:
    """Generate one preset and print its measurements as one JSON line."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from worlds.generator import generate_world, resolve_spec

    spec = resolve_spec(preset, None, None, None, seed)
    started, cpu_started = time.perf_counter(), time.process_time()
    world = generate_world(spec)
    generated, cpu_generated = time.perf_counter(), time.process_time()
    blob = world.canonical_bytes()
    serialized = time.perf_counter()
    print(json.dumps({
        "preset": preset,
        "users": spec.num_users,
        "hosts": spec.num_hosts,
        "nodes": len(world.nodes),
        "edges": len(world.edges),
        "generate_s": generated - started,
        # CPU seconds of this process: on a shared machine, the figure that
        # other loads disturb least.
        "generate_cpu_s": cpu_generated - cpu_started,
        "serialize_s": serialized - generated,
        "bytes_mib": len(blob) / 2**20,
        # Linux reports ru_maxrss in KiB.
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def measure(preset: str, seed: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, __file__, "--child", preset, "--seed", str(seed)],
        env=env, capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="small,medium,large,enterprise")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.seed)
        return 0

    header = (f"{'preset':<11} {'users':>7} {'hosts':>7} {'nodes':>8} {'edges':>9} "
              f"{'gen s':>7} {'gen cpu':>7} {'ser s':>7} {'total s':>8} {'MiB out':>8} "
              f"{'peak RSS MiB':>13}")
    print(header)
    print("-" * len(header))
    status = 0
    for preset in args.presets.split(","):
        runs = [measure(preset, args.seed) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["generate_s"] + r["serialize_s"])
        total = best["generate_s"] + best["serialize_s"]
        print(f"{preset:<11} {best['users']:>7,} {best['hosts']:>7,} {best['nodes']:>8,} "
              f"{best['edges']:>9,} {best['generate_s']:>7.2f} "
              f"{best.get('generate_cpu_s', float('nan')):>7.2f} {best['serialize_s']:>7.2f} "
              f"{total:>8.2f} {best['bytes_mib']:>8.1f} {best['peak_rss_mib']:>13.0f}")
        if preset == "enterprise" and (
            total > TIME_BUDGET_S or max(r["peak_rss_mib"] for r in runs) > RSS_BUDGET_MIB
        ):
            status = 1
    if "enterprise" in args.presets.split(","):
        verdict = "met" if status == 0 else "MISSED"
        print(f"\nenterprise target ({TIME_BUDGET_S:.0f} s, {RSS_BUDGET_MIB:.0f} MiB): {verdict}")
    return status


if __name__ == "__main__":
    sys.exit(main())
