"""Strategies differ as documented (trajectories.md, "Strategies")."""

from __future__ import annotations

from statistics import mean

from tests.unit.sampler.worlds import index
from worlds.sampler import SampleRequest, WorldIndex, sample
from worlds.sampler import actions as act
from worlds.sampler.catalog import DISCOVERY
from worlds.sampler.engine import _foothold, _start
from worlds.sampler.state import AttackerState

SEEDS = (1, 2, 3, 4)


def _steps_to_goal(strategy: str) -> list[int]:
    counts = []
    for seed in SEEDS:
        # Vulnerable worlds: every foothold has a way to Domain Admins, so the step counts
        # compare the strategies rather than the footholds.
        ix = index("medium", seed, "vulnerable")
        for n in range(4):
            trajectory = sample(ix, SampleRequest(strategy=strategy, max_steps=1000, seed=seed), n)
            # A walk that never gets there counts as the whole budget.
            counts.append(trajectory.step_count if trajectory.success else 1000)
    return counts


def test_greedy_reaches_domain_admins_in_fewer_steps_than_random() -> None:
    greedy, random = _steps_to_goal("greedy"), _steps_to_goal("random")
    assert mean(greedy) < mean(random)
    assert all(c < 1000 for c in greedy)


def _replayed_state(ix: WorldIndex, trajectory: object, upto: int, request_seed: int,
                    sequence_index: int) -> AttackerState:
    """The state before step `upto`, rebuilt by executing the recorded actions."""
    from worlds.generator import rng as rnglib

    st = AttackerState()
    _start(ix, st, *_foothold(ix, rnglib.substream(request_seed, "foothold", sequence_index)))
    for step in trajectory.steps[:upto]:  # type: ignore[attr-defined]
        st.begin_step()
        act.execute(ix, st, (step["command_name"], step["details"]["action"]))
    return st


def _pending_discovery(ix: WorldIndex, st: AttackerState) -> list[act.Action]:
    """Every discovery action applicable in `st` and not run yet, by brute force."""
    possible: list[act.Action] = [("network_scan", s) for s in st.known_subnets]
    possible += [("bloodhound_collect", d) for d in ix.domains]
    possible += [(name, h) for h in st.known_hosts for name in ("enum_sessions", "enum_shares")]
    return [a for a in possible
            if act.applicable(ix, st, a) and act.action_key(a) not in st.done]


def test_recon_first_runs_every_applicable_discovery_before_exploiting() -> None:
    checked = 0
    for seed in SEEDS:
        ix = index("small", seed)
        for n in range(3):
            trajectory = sample(ix, SampleRequest(strategy="recon-first", max_steps=400, seed=seed), n)
            names = [s["command_name"] for s in trajectory.steps]
            first = next((i for i, name in enumerate(names) if name not in DISCOVERY), None)
            if first is None:
                continue
            assert first > 0
            st = _replayed_state(ix, trajectory, first, seed, n)
            assert _pending_discovery(ix, st) == []
            keys = [(s["command_name"], s["details"]["action"]) for s in trajectory.steps
                    if s["command_name"] in DISCOVERY]
            assert len(keys) == len(set(keys)), "recon-first reran a discovery command"
            checked += 1
    assert checked >= 6


def _repeats_of_no_change(strategy: str) -> int:
    repeats = 0
    for seed in SEEDS:
        ix = index("small", seed)
        for n in range(3):
            trajectory = sample(ix, SampleRequest(strategy=strategy, max_steps=400, seed=seed), n)
            seen: set[tuple[str, str]] = set()
            for step in trajectory.steps:
                key = (step["command_name"], step["details"]["action"])
                if key in seen:
                    repeats += 1
                if not step["state_after"]["delta"]:
                    seen.add(key)
    return repeats


def test_smart_random_never_repeats_a_command_that_changed_nothing() -> None:
    assert _repeats_of_no_change("smart-random") == 0
    # The check can fail: plain random does rerun commands that change nothing.
    assert _repeats_of_no_change("random") > 0
