"""Soundness: every step of every trajectory replays against the world and its state.

A hypothesis property over presets, seeds, strategies, modes, goals and batch
positions; and the verifier itself must reject trajectories that cheat.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.sampler.worlds import goals_of, index
from worlds.sampler import MODES, STRATEGIES, SampleRequest, WorldIndex, replay_check, sample

TERMINATIONS = {"goal_reached", "max_steps", "no_applicable_commands", "goal_unreachable"}


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    preset=st.sampled_from(["small", "medium"]),
    seed=st.integers(min_value=1, max_value=4),
    strategy=st.sampled_from(STRATEGIES),
    mode=st.sampled_from(MODES),
    goal_pick=st.integers(min_value=0, max_value=10),
    request_seed=st.integers(min_value=-(2**63), max_value=2**63 - 1),
    sequence_index=st.integers(min_value=0, max_value=99),
    max_steps=st.integers(min_value=1, max_value=250),
)
def test_every_step_replays_against_the_world(
    preset: str, seed: int, strategy: str, mode: str, goal_pick: int, request_seed: int,
    sequence_index: int, max_steps: int,
) -> None:
    ix = index(preset, seed)
    goal = goals_of(ix)[goal_pick]
    request = SampleRequest(goal=goal, strategy=strategy, mode=mode, max_steps=max_steps,
                            seed=request_seed)
    trajectory = sample(ix, request, sequence_index)

    assert replay_check(ix, trajectory) == []
    assert trajectory.termination_reason in TERMINATIONS
    assert trajectory.success == (trajectory.termination_reason == "goal_reached")
    assert len(trajectory.steps) <= max_steps
    if trajectory.termination_reason == "max_steps":
        assert len(trajectory.steps) == max_steps
    json.dumps(trajectory.steps)  # JSON-ready as they are
    for step in trajectory.steps:
        for node in step["targets"].values():
            if node in ix.nodes:
                assert node in trajectory.node_names


def _trajectory_with(ix_key: tuple[str, int], command: str) -> tuple[WorldIndex, dict[str, Any]]:
    ix = index(*ix_key)
    for sequence_index in range(40):
        trajectory = sample(ix, SampleRequest(strategy="greedy", max_steps=300), sequence_index)
        for step in trajectory.steps:
            if step["command_name"] == command:
                return ix, {"initial_state": trajectory.initial_state,
                            "steps": copy.deepcopy(trajectory.steps)}
    raise AssertionError(f"no trajectory uses {command}")


def test_the_verifier_rejects_a_principal_gained_from_nothing() -> None:
    ix, trajectory = _trajectory_with(("small", 1), "network_scan")
    steps = trajectory["steps"]
    scan = next(s for s in steps if s["command_name"] == "network_scan")
    admin = next(iter(ix.domain_administrator.values()))
    scan["state_after"]["delta"].setdefault("owned", []).append(admin)
    problems = replay_check(ix, trajectory)
    assert any("without an edge or artifact" in p for p in problems), problems


def test_the_verifier_rejects_acting_as_a_principal_not_held() -> None:
    ix, trajectory = _trajectory_with(("small", 1), "kerberoast")
    step = next(s for s in trajectory["steps"] if s["command_name"] == "kerberoast")
    step["details"]["actor"] = next(iter(ix.domain_administrator.values()))
    assert any("not held" in p for p in replay_check(ix, trajectory))


def test_the_verifier_rejects_a_dump_without_admin() -> None:
    ix, trajectory = _trajectory_with(("small", 1), "lsass_dump")
    step = next(s for s in trajectory["steps"] if s["command_name"] == "lsass_dump")
    step["details"]["action"] = trajectory["initial_state"]["foothold"]["host_id"]
    assert any("without admin" in p for p in replay_check(ix, trajectory))


def test_the_verifier_rejects_an_edge_the_world_does_not_have() -> None:
    ix, trajectory = _trajectory_with(("small", 1), "admin_to")
    step = next(s for s in trajectory["steps"] if s["command_name"] == "admin_to")
    other = next(e for e in ix.edges if e["edge_type"] == "MemberOf")
    step["details"]["action"] = other["id"]
    problems = replay_check(ix, trajectory)
    assert any("does not follow" in p or "do not match" in p for p in problems), problems


def test_the_verifier_rejects_an_edge_used_before_discovery() -> None:
    ix, trajectory = _trajectory_with(("small", 1), "admin_to")
    steps = trajectory["steps"]
    # Drop the collection that revealed the edge: the state no longer knows it.
    for step in steps:
        if step["command_name"] == "bloodhound_collect":
            step["state_after"]["delta"].pop("collected_domains", None)
    assert any("before it was discovered" in p for p in replay_check(ix, trajectory))
