"""Shape of generated estates: groups scale with users, nesting runs deep, sessions
and admin rights are heavy-tailed, the OU/GPO tree grows, accounts go stale."""

from __future__ import annotations

from collections import Counter
from functools import cache
from statistics import median

import pytest

from worlds.generator import World


def _count(world: World, kind: str) -> int:
    return sum(p["principal_type"] == kind for p in world.principals.values())


@pytest.mark.parametrize("preset", ["medium", "large"])
def test_groups_scale_with_users(make_world, preset):
    world = make_world(preset, seed=1)
    per_100 = 100 * _count(world, "group") / _count(world, "user")
    assert 8 <= per_100 <= 20, per_100


def _nesting_depth(world: World) -> int:
    """Longest chain of group-in-group memberships."""
    groups = {pid: p for pid, p in world.principals.items() if p["principal_type"] == "group"}

    @cache
    def depth(group_id: str) -> int:
        parents = groups[group_id]["membership_ids"]
        return 1 + max((depth(parent) for parent in parents), default=0)

    return max(depth(group_id) for group_id in groups)


def test_nesting_runs_several_levels_deep_in_large_worlds(make_world):
    assert _nesting_depth(make_world("large", seed=1)) >= 5


def test_sessions_are_heavy_tailed(make_world):
    world = make_world("large", seed=1)
    per_host = Counter(e["source"] for e in world.edges if e["edge_type"] == "HasSession")
    counts = sorted(per_host.values())
    assert counts[-1] >= 50, counts[-10:]
    assert median(counts) <= 2


def test_admin_fan_out_is_heavy_tailed(make_world):
    world = make_world("large", seed=1)
    users = {pid for pid, p in world.principals.items() if p["principal_type"] == "user"}
    fan_out = Counter(e["source"] for e in world.edges
                      if e["edge_type"] == "AdminTo" and e["source"] in users)
    counts = sorted(fan_out.values())
    assert counts[-1] >= 10 * median(counts)


def test_the_ou_and_gpo_tree_grows_with_size(make_world):
    def tree(world: World) -> tuple[int, int]:
        types = Counter(node["node_type"] for node in world.nodes)
        return types["ou"] // len(world.spec.domains), types["gpo"] // len(world.spec.domains)

    small, medium, large = (tree(make_world(p, seed=1)) for p in ("small", "medium", "large"))
    assert small[0] < medium[0] < large[0]
    assert small[1] < medium[1] < large[1]


def test_gpos_grant_local_admin_rights(make_world):
    world = make_world("large", seed=1)
    labels = [n["label"] for n in world.nodes if n["node_type"] == "gpo"]
    assert any(label.startswith("LOCAL ADMINISTRATORS - ROLE-") for label in labels)
    roles = {pid for pid, p in world.principals.items() if p["sam"].startswith("ROLE-")}
    assert any(e["edge_type"] == "AdminTo" and e["source"] in roles for e in world.edges)


def test_stale_and_disabled_accounts_exist(make_world):
    world = make_world("medium", seed=1)
    users = [p for p in world.principals.values() if p["principal_type"] == "user"]
    assert sum(not p["enabled"] for p in users) >= len(users) // 100
    stale = [p for p in users if p["tags"]["stale"]]
    assert len(stale) >= len(users) // 20
    assert all(p["tags"]["last_logon_days"] >= 90 for p in stale)
