"""Every world lets an ordinary user reach Domain Admins along directed edges.

The graph is searched directly; `attack_paths` is only checked to be consistent
with it, never trusted as the proof.
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque

import pytest

from worlds.generator import generate_world, resolve_spec


def _adjacency(world) -> dict[str, list[str]]:
    successors: dict[str, list[str]] = defaultdict(list)
    for edge in world.edges:
        successors[edge["source"]].append(edge["target"])
    return successors


def _reachable(successors: dict[str, list[str]], start: str) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in successors.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _domain_admins_groups(world) -> set[str]:
    return {
        pid for pid, p in world.principals.items()
        if p["principal_type"] == "group" and p["sid"].endswith("-512")
    }


def _ordinary_enabled_users(world) -> list[str]:
    """Enabled users without admin_count and not (transitively) in an admin_count group."""
    nodes = {node["id"]: node for node in world.nodes}
    privileged_groups = {
        gid for gid, p in world.principals.items()
        if p["principal_type"] == "group" and nodes[gid]["properties"]["admin_count"]
    }

    def in_privileged_group(principal_id: str) -> bool:
        seen, stack = set(), list(world.principals[principal_id]["membership_ids"])
        while stack:
            group_id = stack.pop()
            if group_id in privileged_groups:
                return True
            if group_id not in seen:
                seen.add(group_id)
                stack.extend(world.principals[group_id]["membership_ids"])
        return False

    return [
        pid for pid, p in world.principals.items()
        if p["principal_type"] == "user" and p["enabled"]
        and not nodes[pid]["properties"]["admin_count"] and not in_privileged_group(pid)
    ]


def _assert_ordinary_user_reaches_domain_admins(world) -> None:
    successors = _adjacency(world)
    targets = _domain_admins_groups(world)
    ordinary = _ordinary_enabled_users(world)
    assert ordinary, "no ordinary enabled user at all"
    # The planted starts come first so the search usually ends at once.
    planted = [path[0] for path in world.attack_paths]
    candidates = [u for u in planted if u in ordinary] + ordinary
    assert any(_reachable(successors, user) & targets for user in candidates)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5, -7, 2**63 - 1])
def test_small_worlds_have_a_path_to_domain_admins(make_world, seed):
    _assert_ordinary_user_reaches_domain_admins(make_world("small", seed=seed))


@pytest.mark.parametrize("seed", [11, 12])
def test_medium_multi_domain_worlds_have_a_path(make_world, seed):
    domains = ("corp.local", "eu.corp.local", "partner.example")
    world = make_world("medium", domains=domains, seed=seed)
    _assert_ordinary_user_reaches_domain_admins(world)


@pytest.mark.parametrize(
    ("num_users", "num_hosts", "domains"),
    [
        (1, 1, None),  # the minimal world
        (1, 1, ("a.local", "b.a.local", "c.a.local")),
        (2, 1, None),
        (3, 1, None),
        (5, 2, None),
        (2, 5, ("a.local", "b.a.local")),
    ],
)
@pytest.mark.parametrize("seed", [0, 99])
def test_tiny_worlds_still_have_a_path(make_world, num_users, num_hosts, domains, seed):
    world = make_world(None, num_users, num_hosts, domains, seed)
    _assert_ordinary_user_reaches_domain_admins(world)


def test_minimal_world_path_runs_from_its_only_user_to_domain_admins(make_world):
    world = make_world(None, 1, 1, None, 3)
    (only_user,) = [p for p, v in world.principals.items() if v["principal_type"] == "user"]
    assert _reachable(_adjacency(world), only_user) & _domain_admins_groups(world)
    assert [path[0] for path in world.attack_paths] == [only_user]


@pytest.mark.parametrize("shape", [(None, None), (1, 1), (2, 1), (40, 3)])
def test_recorded_paths_follow_existing_edges_to_domain_admins(make_world, shape):
    world = make_world("small", *shape, seed=8)
    edge_pairs = {(edge["source"], edge["target"]) for edge in world.edges}
    ordinary = set(_ordinary_enabled_users(world))
    assert world.attack_paths
    for path in world.attack_paths:
        assert path[0] in ordinary
        assert path[-1] in _domain_admins_groups(world)
        assert all(pair in edge_pairs for pair in itertools.pairwise(path))


@pytest.mark.slow
def test_large_preset_has_exact_counts_and_a_path_in_every_domain():
    world = generate_world(resolve_spec("large", None, None, None, 77))
    users = [p for p in world.principals.values() if p["principal_type"] == "user"]
    assert (len(users), len(world.hosts)) == (10_000, 2_000)
    successors = _adjacency(world)
    targets = _domain_admins_groups(world)
    ordinary = set(_ordinary_enabled_users(world))
    assert len(world.attack_paths) == len(world.spec.domains)
    for path in world.attack_paths:
        assert path[0] in ordinary
        assert _reachable(successors, path[0]) & targets
