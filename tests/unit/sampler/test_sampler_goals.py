"""Goals: every accepted form resolves; nothing-naming goals raise; unreachable ones end."""

from __future__ import annotations

import pytest

from tests.unit.sampler.worlds import fresh_world, goals_of, index
from worlds.sampler import (
    ACCEPTED_FORMS,
    GoalError,
    SampleRequest,
    prepare,
    replay_check,
    resolve_goal,
    sample,
)


def test_every_accepted_form_resolves_to_world_nodes() -> None:
    ix = index("small", 1)
    root = ix.domains[0]
    specs = {goal: resolve_goal(ix, goal) for goal in goals_of(ix)}
    assert specs["Domain Admins"].node_ids == (ix.domain_admins[root],)
    assert specs["Domain Admins"].domains == (root,)
    assert specs[f"Domain Admins@{ix.domain_name[root]}"].node_ids == (ix.domain_admins[root],)
    assert specs["Enterprise Admins"].node_ids == (ix.enterprise_admins,)
    assert specs["IT Admins"].kind == "group"
    host_goals = [g for g in specs if g.startswith("host:")]
    assert len({specs[g].node_ids for g in host_goals}) == 1  # hostname and id: one host
    principal_goals = [g for g in specs if g.startswith("principal:")]
    assert len({specs[g].node_ids for g in principal_goals}) == 1
    assert specs["dcsync"].kind == "dcsync" and specs["dcsync"].domains == tuple(ix.domains)
    for spec in specs.values():
        for node in spec.node_ids:
            assert node in ix.nodes
        assert spec.to_dict()["condition"]


def test_the_default_goal_is_domain_admins() -> None:
    ix = index("small", 1)
    assert resolve_goal(ix, None) == resolve_goal(ix, "") == resolve_goal(ix, "Domain Admins")


def test_goal_forms_are_case_insensitive_and_domain_scoped() -> None:
    ix = index("medium", 1)
    assert resolve_goal(ix, "domain admins@CORP.LOCAL").node_ids == resolve_goal(
        ix, "Domain Admins").node_ids
    host = next(iter(sorted(ix.hosts)))
    assert resolve_goal(ix, f"host:{ix.hosts[host]['fqdn'].upper()}").node_ids == (host,)


@pytest.mark.parametrize("goal", [
    "No Such Group", "Domain Admins@nowhere.example", "host:NO-SUCH-HOST", "principal:nobody",
    "dcsync:nowhere.example", "@corp.local",
])
def test_a_goal_naming_nothing_raises_with_the_accepted_forms(goal: str) -> None:
    ix = index("small", 1)
    with pytest.raises(GoalError) as raised:
        resolve_goal(ix, goal)
    assert raised.value.field == "goal"
    for form in ACCEPTED_FORMS:
        assert form in str(raised.value)
    with pytest.raises(GoalError):
        sample(ix, SampleRequest(goal=goal), 0)


def test_an_unreachable_goal_ends_without_success() -> None:
    world = fresh_world("small", 1)
    # A host nothing points at: no edge, artifact or shared password leads there.
    world["hosts"]["x-c99999"] = {
        **world["hosts"][next(iter(sorted(world["hosts"])))],
        "host_id": "x-c99999", "hostname": "ISLAND01", "fqdn": "island01.corp.local",
        "artifacts": [],
    }
    world["nodes"].append({"id": "x-c99999", "label": "ISLAND01.CORP.LOCAL",
                           "node_type": "computer", "properties": {"domain": "corp.local"}})
    ix = prepare(world)
    trajectory = sample(ix, SampleRequest(goal="host:ISLAND01", max_steps=50), 0)
    assert trajectory.success is False
    assert trajectory.termination_reason == "goal_unreachable"
    assert trajectory.steps == []


def test_a_step_cap_ends_with_max_steps() -> None:
    ix = index("medium", 1)
    trajectory = sample(ix, SampleRequest(strategy="random", max_steps=3), 0)
    assert (trajectory.step_count, trajectory.termination_reason) == (3, "max_steps")
    assert trajectory.success is False


def test_running_out_of_commands_ends_with_no_applicable_commands() -> None:
    world = fresh_world("small", 1)
    ix = index("small", 1)
    workstations = [h for h in sorted(ix.hosts) if ix.hosts[h]["role"] == "workstation"]
    admin = ix.domain_administrator[ix.domains[0]]
    # No edge grants anything any more, and no password cracks; but a Domain Admin is
    # logged on to every workstation. The distance (which counts a shell like admin)
    # says the goal may be reachable; only admin on a workstation would dump it, and
    # nothing grants admin: greedy, which never reruns discovery, runs dry.
    world["edges"] = [e for e in world["edges"] if e["edge_type"] in ("MemberOf", "Contains")
                      or (e["edge_type"] == "HasSession" and e["source"] in workstations)]
    world["edges"] += [{"id": f"x{n:04d}", "source": h, "target": admin, "edge_type": "HasSession",
                        "severity": "critical"} for n, h in enumerate(workstations)]
    for principal in world["principals"].values():
        for credential in principal["credentials"]:
            credential["crackable"] = False
    for host in world["hosts"].values():
        host["artifacts"] = []
    ix2 = prepare(world)
    trajectory = sample(ix2, SampleRequest(goal="Domain Admins", strategy="greedy",
                                           max_steps=1000), 0)
    assert trajectory.termination_reason == "no_applicable_commands"
    assert trajectory.success is False
    assert 0 < trajectory.step_count < 1000
    assert replay_check(ix2, trajectory) == []


def test_success_means_the_goal_holds_at_the_last_step() -> None:
    ix = index("small", 2)
    trajectory = sample(ix, SampleRequest(goal="Domain Admins", strategy="greedy",
                                          max_steps=500), 0)
    assert trajectory.success
    assert trajectory.summary["goal_step"] == trajectory.step_count - 1
    last = trajectory.steps[-1]["state_after"]["delta"]
    da = ix.domain_admins[ix.domains[0]]
    assert da in last.get("controlled", []) or last.get("dcsynced_domains")
