"""Security levels: recorded in the spec, calibrated exposure, primitives, planted paths.

Exposure is recomputed here from the world's public records (edges, principals,
node properties) and must agree with `stats["exposure"]`; the bands are the
BloodHound Enterprise severity bands the levels are calibrated to. Each world is
generated once per module and reduced to a small summary, so large worlds are
not held in memory.
"""

from __future__ import annotations

import itertools
from collections import deque
from functools import cache
from statistics import median
from typing import Any

import pytest

from worlds.generator import World, generate_world, resolve_spec
from worlds.generator.spec import SECURITY_LEVELS

BANDS = {"hardened": (0.0, 0.39), "typical": (0.40, 0.94), "vulnerable": (0.95, 1.0)}
NEW_EDGE_TYPES = {
    "ReadLAPSPassword", "ReadGMSAPassword", "AllowedToAct", "AddKeyCredentialLink", "WriteSPN",
    "HasSIDHistory", "SQLAdmin", "Enroll", "ADCSESC1", "ADCSESC3", "ADCSESC4",
}
# What every level has, whatever the draw (large worlds: rates times thousands).
ALWAYS = {"ReadLAPSPassword", "ReadGMSAPassword", "SQLAdmin", "Enroll", "ADCSESC4",
          "HasSIDHistory", "AllowedToAct"}
SEEDS = (1, 2, 3)
NOT_MOVES = {"CanRDP", "CanPSRemote"}


def _independent_exposure(world: World) -> dict[str, Any]:
    nodes = {node["id"]: node for node in world.nodes}
    predecessors: dict[str, list[str]] = {}
    for edge in world.edges:
        if edge["edge_type"] not in NOT_MOVES:
            predecessors.setdefault(edge["target"], []).append(edge["source"])
    starts = [pid for pid, p in world.principals.items()
              if p["principal_type"] == "group" and p["sid"].endswith("-512")]
    distance = dict.fromkeys(starts, 0)
    queue = deque(starts)
    while queue:
        current = queue.popleft()
        for source in predecessors.get(current, ()):
            if source not in distance:
                distance[source] = distance[current] + 1
                queue.append(source)
    tier0 = {pid for pid in world.principals
             if nodes[pid]["properties"].get("admin_count")
             or world.hosts.get(pid, {}).get("role") == "domain_controller"}
    members: dict[str, list[str]] = {}
    for pid, principal in world.principals.items():
        for group_id in principal["membership_ids"]:
            members.setdefault(group_id, []).append(pid)
    stack = list(tier0)
    while stack:
        for member in members.get(stack.pop(), ()):
            if member not in tier0:
                tier0.add(member)
                stack.append(member)
    users = [pid for pid, p in world.principals.items()
             if p["principal_type"] == "user" and p["enabled"] and pid not in tier0]
    lengths = [distance[u] for u in users if u in distance]
    return {"share": len(lengths) / len(users), "median": median(lengths) if lengths else None,
            "tier0": len(tier0)}


def _planted_paths_hold(world: World) -> bool:
    pairs = {(edge["source"], edge["target"]) for edge in world.edges}
    admins = {pid for pid, p in world.principals.items()
              if p["principal_type"] == "group" and p["sid"].endswith("-512")}
    return bool(world.attack_paths) and all(
        path[-1] in admins and all(pair in pairs for pair in itertools.pairwise(path))
        for path in world.attack_paths
    )


@cache
def _summary(preset: str, level: str, seed: int) -> dict[str, Any]:
    world = generate_world(resolve_spec(preset, None, None, None, seed, security_level=level))
    recorded = world.stats["exposure"]
    return {
        "recorded": recorded,
        "independent": _independent_exposure(world),
        "edge_types": {edge["edge_type"] for edge in world.edges},
        "planted": _planted_paths_hold(world),
        "total_edges": len(world.edges),
    }


@pytest.fixture(scope="module")
def summary() -> Any:
    return _summary


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("preset", ["medium", "large"])
@pytest.mark.parametrize("level", SECURITY_LEVELS)
def test_exposure_falls_in_the_level_band(summary, level, preset, seed):
    facts = summary(preset, level, seed)
    recorded, independent = facts["recorded"], facts["independent"]
    low, high = BANDS[level]
    assert low <= recorded["share"] <= high, (level, preset, seed, recorded["share"])
    assert recorded["share"] == pytest.approx(independent["share"], abs=5e-5)
    assert recorded["median_path_length"] == independent["median"]
    assert recorded["tier0_size"] == independent["tier0"]
    assert sum(recorded["edge_counts"].values()) == facts["total_edges"]


@pytest.mark.parametrize("preset", ["medium", "large"])
@pytest.mark.parametrize("level", SECURITY_LEVELS)
def test_the_planted_path_holds_at_every_level(summary, level, preset):
    assert summary(preset, level, SEEDS[0])["planted"]


@pytest.mark.parametrize("level", SECURITY_LEVELS)
def test_planted_path_in_small_and_tiny_worlds_at_every_level(level):
    for args in (("small", None, None), (None, 1, 1), (None, 3, 1), (None, 40, 3)):
        world = generate_world(resolve_spec(*args, None, 5, security_level=level))
        assert _planted_paths_hold(world)


@pytest.mark.parametrize("level", SECURITY_LEVELS)
def test_new_edge_types_appear_where_the_level_has_them(summary, level):
    types = summary("large", level, SEEDS[0])["edge_types"]
    assert types >= ALWAYS
    if level == "hardened":
        assert not types & {"ADCSESC1", "ADCSESC3"}
    else:
        assert types >= NEW_EDGE_TYPES


def test_typical_users_start_from_many_different_first_hops(summary):
    for preset in ("medium", "large"):
        assert summary(preset, "typical", SEEDS[0])["recorded"]["distinct_first_hops"] >= 50


def test_levels_are_ordered_by_exposure(summary):
    shares = [summary("medium", level, 2)["recorded"]["share"] for level in SECURITY_LEVELS]
    assert shares == sorted(shares) and shares[0] < shares[-1]


def test_the_level_is_part_of_the_canonical_bytes():
    def blob(level: str | None) -> bytes:
        spec = resolve_spec("small", None, None, None, 4, security_level=level)
        return generate_world(spec).canonical_bytes()

    assert blob("vulnerable") == blob("vulnerable")
    assert blob(None) == blob("typical")
    assert len({blob("hardened"), blob("typical"), blob("vulnerable")}) == 3
    world = generate_world(resolve_spec("small", None, None, None, 4, security_level="hardened"))
    assert world.to_dict()["spec"]["security_level"] == "hardened"
    assert world.stats["security_level"] == "hardened"


@pytest.mark.parametrize(
    ("spelling", "level"),
    [(None, "typical"), ("", "typical"), ("SECURITY_LEVEL_UNSPECIFIED", "typical"),
     ("Hardened", "hardened"), ("SECURITY_LEVEL_VULNERABLE", "vulnerable"),
     (" typical ", "typical")],
)
def test_level_spellings(spelling, level):
    assert resolve_spec(None, None, None, None, 0, security_level=spelling).security_level == level


@pytest.mark.parametrize("bad", ["lax", "PRESET_SMALL", 3])
def test_unknown_level_is_rejected(bad):
    with pytest.raises(ValueError):
        resolve_spec(None, None, None, None, 0, security_level=bad)
