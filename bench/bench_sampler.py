"""Benchmark of the trajectory sampler: index build time and cost per step.

    .venv/bin/python bench/bench_sampler.py [--count 100] [--max-steps 1000] [--strategy random]

For the small and the enterprise presets: generate the world, round-trip it through
JSON (what a worker decodes from storage), time `prepare` (the per-job index), then
sample `count` trajectories of up to `max_steps` steps and print the cost per step
side by side. A step must cost about the same in both: the frontier is kept
incrementally, never by rescanning the world.
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


def run(preset: str, count: int, max_steps: int, strategy: str, seed: int) -> dict[str, float]:
    world = _world(preset, seed)
    started = time.perf_counter()
    ix = prepare(world)
    index_s = time.perf_counter() - started
    request = SampleRequest(strategy=strategy, max_steps=max_steps, seed=seed)
    started = time.perf_counter()
    plan(ix, request.goal)
    plan_s = time.perf_counter() - started
    steps = 0
    encoded = 0
    started = time.perf_counter()
    for sequence_index in range(count):
        trajectory = sample(ix, request, sequence_index)
        steps += trajectory.step_count
        encoded += len(encode_steps(trajectory.steps))
    sample_s = time.perf_counter() - started
    return {
        "nodes": len(world["nodes"]),  # type: ignore[arg-type]
        "edges": len(world["edges"]),  # type: ignore[arg-type]
        "index_s": index_s,
        "plan_s": plan_s,
        "steps": steps,
        "sample_s": sample_s,
        "us_per_step": 1e6 * sample_s / max(steps, 1),
        "steps_per_s": steps / sample_s if sample_s else 0.0,
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
    header = (f"{'preset':<11} {'nodes':>7} {'edges':>7} {'index s':>8} {'plan s':>7} {'steps':>7} "
              f"{'sample s':>9} {'us/step':>8} {'steps/s':>8} {'MiB json':>9}")
    print(header)
    for preset in args.presets.split(","):
        r = run(preset, args.count, args.max_steps, args.strategy, args.seed)
        print(f"{preset:<11} {r['nodes']:>7.0f} {r['edges']:>7.0f} {r['index_s']:>8.3f} "
              f"{r['plan_s']:>7.3f} {r['steps']:>7.0f} {r['sample_s']:>9.2f} "
              f"{r['us_per_step']:>8.1f} {r['steps_per_s']:>8.0f} {r['mib_steps']:>9.1f}")


if __name__ == "__main__":
    main()
