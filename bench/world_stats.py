"""Shape and exposure of generated worlds, per preset and security level.

Each (preset, level) cell runs in its own child process, so the peak RSS
(`ru_maxrss`, taken right after generation) belongs to that world alone.
Generation is timed in wall and CPU seconds (the latter less disturbed by other
loads on a shared machine).

    .venv/bin/python bench/world_stats.py [--presets small,medium,large,enterprise]
                                          [--levels hardened,typical,vulnerable] [--seed 1]

Exposure is the share of enabled non-tier-0 users with a directed path to a
Domain Admins group, every edge except CanRDP/CanPSRemote being a move
(BloodHound's direction: A -> B means controlling A yields B). The figures come
from the world's `stats["exposure"]` when the generator records it; this script
also computes them itself from the nodes, edges and principals (a reverse BFS
from the Domain Admins groups), as an independent check, and prints `!` beside a
row whose two computations disagree. Tier 0 here: principals with admin_count,
domain controllers, and every principal nested (transitively) in a tier-0 group.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOT_MOVES = frozenset({"CanRDP", "CanPSRemote"})


def external_exposure(world: Any) -> dict[str, Any]:
    """Exposure figures computed from the world's public records alone."""
    nodes = {node["id"]: node for node in world.nodes}
    predecessors: dict[str, list[str]] = {}
    for edge in world.edges:
        if edge["edge_type"] not in NOT_MOVES:
            predecessors.setdefault(edge["target"], []).append(edge["source"])
    targets = [pid for pid, p in world.principals.items()
               if p["principal_type"] == "group" and p["sid"].endswith("-512")]
    distance = dict.fromkeys(targets, 0)
    next_hop: dict[str, str] = {}
    queue = deque(targets)
    while queue:
        current = queue.popleft()
        for source in predecessors.get(current, ()):
            if source not in distance:
                distance[source] = distance[current] + 1
                next_hop[source] = current
                queue.append(source)
    tier0 = _tier0_principals(world, nodes)
    users = [pid for pid, p in world.principals.items()
             if p["principal_type"] == "user" and p["enabled"] and pid not in tier0]
    exposed = [u for u in users if u in distance]
    return {
        "users_considered": len(users),
        "users_with_path": len(exposed),
        "share": len(exposed) / len(users) if users else 0.0,
        "median_path_length": median(distance[u] for u in exposed) if exposed else None,
        "distinct_first_hops": len({next_hop[u] for u in exposed}),
        "tier0_size": len(tier0),
    }


def _tier0_principals(world: Any, nodes: dict[str, Any]) -> set[str]:
    seeds = {pid for pid, p in world.principals.items()
             if nodes[pid]["properties"].get("admin_count")
             or world.hosts.get(pid, {}).get("role") == "domain_controller"}
    members: dict[str, list[str]] = {}
    for pid, principal in world.principals.items():
        for group_id in principal["membership_ids"]:
            members.setdefault(group_id, []).append(pid)
    tier0, stack = set(seeds), list(seeds)
    while stack:
        for member in members.get(stack.pop(), ()):
            if member not in tier0:
                tier0.add(member)
                stack.append(member)
    return tier0


def run_child(preset: str, level: str, seed: int) -> None:
    """Generate one world and print its figures as one JSON line."""
    from worlds.generator import generate_world, resolve_spec

    try:
        spec = resolve_spec(preset, None, None, None, seed, security_level=level)
    except TypeError:  # a generator without security levels
        spec = resolve_spec(preset, None, None, None, seed)
    started, cpu_started = time.perf_counter(), time.process_time()
    world = generate_world(spec)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    types: dict[str, int] = {}
    for principal in world.principals.values():
        types[principal["principal_type"]] = types.get(principal["principal_type"], 0) + 1
    external = external_exposure(world)
    recorded = world.stats.get("exposure")
    exposure = recorded if recorded is not None else external
    agrees = recorded is None or (
        abs(recorded["share"] - external["share"]) <= 5e-5
        and recorded["median_path_length"] == external["median_path_length"]
        and recorded["tier0_size"] == external["tier0_size"]
        and recorded["users_with_path"] == external["users_with_path"]
    )
    print(json.dumps({
        "preset": preset, "level": level, "users": types.get("user", 0),
        "groups": types.get("group", 0), "hosts": len(world.hosts), "nodes": len(world.nodes),
        "edges": len(world.edges), "share": exposure["share"],
        "median": exposure["median_path_length"], "first_hops": exposure["distinct_first_hops"],
        "tier0": exposure["tier0_size"], "seconds": seconds, "cpu": cpu, "peak_mib": peak,
        "agrees": agrees, "recorded": recorded is not None,
    }))


def measure(preset: str, level: str, seed: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, __file__, "--child", f"{preset}:{level}", "--seed", str(seed)],
        env=env, capture_output=True, text=True, check=True,
    )
    row: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--presets", default="small,medium,large,enterprise")
    parser.add_argument("--levels", default="hardened,typical,vulnerable")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        preset, level = args.child.split(":")
        run_child(preset, level, args.seed)
        return 0
    header = (f"{'preset':<11} {'level':<10} {'users':>7} {'groups':>6} {'hosts':>6} "
              f"{'nodes':>7} {'edges':>8} {'exposed':>8} {'median':>6} {'1st hops':>8} "
              f"{'tier0':>6} {'gen s':>6} {'cpu s':>6} {'peak MiB':>8}")
    print(header)
    print("-" * len(header))
    for preset in args.presets.split(","):
        for level in args.levels.split(","):
            r = measure(preset, level, args.seed)
            median_text = "-" if r["median"] is None else f"{r['median']:g}"
            print(f"{preset:<11} {level:<10} {r['users']:>7,} {r['groups']:>6,} {r['hosts']:>6,} "
                  f"{r['nodes']:>7,} {r['edges']:>8,} {100 * r['share']:>7.1f}% "
                  f"{median_text:>6} {r['first_hops']:>8,} {r['tier0']:>6,} "
                  f"{r['seconds']:>6.2f} {r['cpu']:>6.2f} {r['peak_mib']:>8.0f}"
                  f"{'' if r['agrees'] else ' !'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
