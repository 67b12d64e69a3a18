"""Benchmark of the trajectory sampler: index build time and cost per step.

    .venv/bin/python bench/bench_sampler.py [--count 100] [--max-steps 1000] [--strategy random]

For the small and the enterprise presets: generate the world, round-trip it through
JSON (what a worker decodes from storage), time `prepare` (the per-job index), then
sample `count` trajectories of up to `max_steps` steps (the presets taking turns, a
chunk at a time) and print the cost per step side by side. A step must cost about
the same in both: the frontier is kept incrementally, never by rescanning the world.

Times are given as wall clock and as this process's CPU time: on a shared machine
the CPU figures are the ones that compare across runs.
"""

from __future__ import annotations

import argparse
import json
import time

from worlds.generator import generate_world, resolve_spec
from worlds.sampler import SampleRequest, WorldIndex, encode_steps, plan, prepare, sample


def _world(preset: str, seed: int) -> dict[str, object]:
    world = generate_world(resolve_spec(preset, None, None, None, seed))
    decoded: dict[str, object] = json.loads(world.canonical_bytes())
    return decoded


class _Clock:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        lap = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return lap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--max-steps", type=int, default=1000)
    parser.add_argument("--strategy", default="random")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--presets", default="small,enterprise")
    parser.add_argument("--chunk", type=int, default=10,
                        help="trajectories per preset per round: the presets take turns so "
                             "that both see the same machine load")
    args = parser.parse_args()
    presets = args.presets.split(",")
    print(f"count={args.count} max_steps={args.max_steps} strategy={args.strategy} "
          f"seed={args.seed}")
    request = SampleRequest(strategy=args.strategy, max_steps=args.max_steps, seed=args.seed)
    rows: dict[str, dict[str, float]] = {}
    indexes: dict[str, WorldIndex] = {}
    for preset in presets:
        world = _world(preset, args.seed)
        clock = _Clock()
        ix = prepare(world)
        index_wall, index_cpu = clock.lap()
        plan(ix, request.goal)
        _, plan_cpu = clock.lap()
        indexes[preset] = ix
        rows[preset] = {"nodes": len(world["nodes"]), "edges": len(world["edges"]),  # type: ignore[arg-type]
                        "index_wall": index_wall, "index_cpu": index_cpu, "plan_cpu": plan_cpu,
                        "steps": 0, "wall": 0.0, "cpu": 0.0, "bytes": 0}
        del world
    for start in range(0, args.count, args.chunk):
        for preset in presets:
            row, clock = rows[preset], _Clock()
            for sequence_index in range(start, min(start + args.chunk, args.count)):
                trajectory = sample(indexes[preset], request, sequence_index)
                row["steps"] += trajectory.step_count
                row["bytes"] += len(encode_steps(trajectory.steps))
            wall, cpu = clock.lap()
            row["wall"] += wall
            row["cpu"] += cpu
    print(f"{'preset':<11} {'nodes':>7} {'edges':>7} {'index s':>8} {'index cpu':>9} "
          f"{'plan cpu':>8} {'steps':>7} {'sample s':>9} {'sample cpu':>10} {'us/step cpu':>11} "
          f"{'us/step':>8} {'steps/s cpu':>11} {'MiB json':>9}")
    for preset in presets:
        r = rows[preset]
        steps = max(r["steps"], 1)
        print(f"{preset:<11} {r['nodes']:>7.0f} {r['edges']:>7.0f} {r['index_wall']:>8.3f} "
              f"{r['index_cpu']:>9.3f} {r['plan_cpu']:>8.3f} {r['steps']:>7.0f} "
              f"{r['wall']:>9.2f} {r['cpu']:>10.2f} {1e6 * r['cpu'] / steps:>11.1f} "
              f"{1e6 * r['wall'] / steps:>8.1f} {steps / r['cpu'] if r['cpu'] else 0:>11.0f} "
              f"{r['bytes'] / 2**20:>9.1f}")


if __name__ == "__main__":
    main()
