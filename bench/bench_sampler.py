"""Benchmark of the trajectory sampler: index build time and cost per step.

    .venv/bin/python bench/bench_sampler.py [--count 100] [--max-steps 1000] [--strategy random]

For the small and the enterprise presets: generate the world, round-trip it through
JSON (what a worker decodes from storage), time `prepare` (the per-job index), then
sample `count` trajectories of up to `max_steps` steps and print the cost per step
side by side. A step must cost about the same in both: the frontier is kept
incrementally, never by rescanning the world.

Times are given as wall clock and as this process's CPU time: on a shared machine
the CPU figures are the ones that compare across runs.
"""

from __future__ import annotations

import argparse
import json
import time

from worlds.generator import generate_world, resolve_spec
from worlds.sampler import SampleRequest, encode_steps, plan, prepare, sample


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


def run(preset: str, count: int, max_steps: int, strategy: str, seed: int) -> dict[str, float]:
    world = _world(preset, seed)
    clock = _Clock()
    ix = prepare(world)
    index_wall, index_cpu = clock.lap()
    request = SampleRequest(strategy=strategy, max_steps=max_steps, seed=seed)
    plan(ix, request.goal)
    _, plan_cpu = clock.lap()
    steps = 0
    encoded = 0
    for sequence_index in range(count):
        trajectory = sample(ix, request, sequence_index)
        steps += trajectory.step_count
        encoded += len(encode_steps(trajectory.steps))
    sample_wall, sample_cpu = clock.lap()
    return {
        "nodes": len(world["nodes"]),  # type: ignore[arg-type]
        "edges": len(world["edges"]),  # type: ignore[arg-type]
        "index_wall": index_wall,
        "index_cpu": index_cpu,
        "plan_cpu": plan_cpu,
        "steps": steps,
        "sample_wall": sample_wall,
        "us_per_step_cpu": 1e6 * sample_cpu / max(steps, 1),
        "us_per_step_wall": 1e6 * sample_wall / max(steps, 1),
        "steps_per_s_cpu": steps / sample_cpu if sample_cpu else 0.0,
        "mib_steps": encoded / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--max-steps", type=int, default=1000)
    parser.add_argument("--strategy", default="random")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--presets", default="small,enterprise")
    args = parser.parse_args()
    print(f"count={args.count} max_steps={args.max_steps} strategy={args.strategy} seed={args.seed}")
    print(f"{'preset':<11} {'nodes':>7} {'edges':>7} {'index s':>8} {'index cpu':>9} "
          f"{'plan cpu':>8} {'steps':>7} {'sample s':>9} {'us/step cpu':>11} {'us/step':>8} "
          f"{'steps/s cpu':>11} {'MiB json':>9}")
    for preset in args.presets.split(","):
        r = run(preset, args.count, args.max_steps, args.strategy, args.seed)
        print(f"{preset:<11} {r['nodes']:>7.0f} {r['edges']:>7.0f} {r['index_wall']:>8.3f} "
              f"{r['index_cpu']:>9.3f} {r['plan_cpu']:>8.3f} {r['steps']:>7.0f} "
              f"{r['sample_wall']:>9.2f} {r['us_per_step_cpu']:>11.1f} "
              f"{r['us_per_step_wall']:>8.1f} {r['steps_per_s_cpu']:>11.0f} {r['mib_steps']:>9.1f}")


if __name__ == "__main__":
    main()
