"""`sample`: one trajectory through a prepared world.

    ix = prepare(world_dict)                  # once per job
    request = SampleRequest(goal=..., strategy=..., mode=..., max_steps=..., seed=...)
    for sequence_index in range(count):       # or split over processes
        trajectory = sample(ix, request, sequence_index)

The walk (trajectories.md, "How sampling works"):

1. Foothold: from `substream(seed, "foothold", sequence_index)`, one enabled ordinary
   user (no admin_count, in no tier-0 group) with a session on a workstation, and
   that workstation: its password and a shell there are held; the workstation, one
   DC of the user's domain and their subnets are known, and the user's groups.
2. If the goal is not reachable from the foothold at all (`goals.distances`), the
   trajectory ends at once: success false, `goal_unreachable`.
3. Each step picks one applicable action from the frontier by the strategy, executes
   it, renders it, and feeds its delta to `actions.candidates` to grow the frontier.
   The walk ends when the goal holds (`goal_reached`), at `max_steps`, or when no
   action is applicable (`no_applicable_commands`).

Strategies: `random` uniform over applicable actions (discovery may be rerun);
`smart-random` never reruns an action, and picks exploitation three times as often
as discovery; `recon-first` runs every applicable discovery action not yet run
before any exploitation, then exploits at random; `greedy` takes the exploitation
that most shortens the distance to the goal, discovery when none shortens it.

Choices draw from `substream(seed, "trajectory", sequence_index)` and durations from
`substream(seed, "durations", sequence_index)`: the same (world, request,
sequence_index) gives byte-identical steps in any process, whatever else runs.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from typing import Any

import orjson

from worlds.generator import rng as rnglib
from worlds.sampler import actions as act
from worlds.sampler import triggers
from worlds.sampler.catalog import BY_NAME, DISCOVERY
from worlds.sampler.goals import GoalSpec, distances, goal_reached, resolve_goal
from worlds.sampler.index import WorldIndex
from worlds.sampler.render import render
from worlds.sampler.request import SampleRequest
from worlds.sampler.state import AttackerState, Delta
from worlds.sampler.steps import build_step, initial_state, summarize

_INF = 1 << 30
_DISCOVERY_ORDER = {"bloodhound_collect": 0, "network_scan": 1, "enum_sessions": 2,
                    "enum_shares": 3}


class NoFootholdError(ValueError):
    """The world has no enabled ordinary user to start from."""


@dataclass(frozen=True)
class Plan:
    """Per-job precomputation: the resolved goal and the distance to it."""

    goal: GoalSpec
    dist: dict[str, int]


@dataclass(frozen=True)
class Trajectory:
    """One sampled trajectory; `steps` are JSON-ready dicts in the replay step shape."""

    sequence_index: int
    goal: str
    goal_spec: dict[str, Any]
    strategy: str
    mode: str
    initial_state: dict[str, Any]
    steps: list[dict[str, Any]]
    node_names: dict[str, dict[str, str]]
    success: bool
    termination_reason: str
    summary: dict[str, Any]

    @property
    def step_count(self) -> int:
        return len(self.steps)

    def steps_bytes(self) -> bytes:
        return encode_steps(self.steps)

    def record(self) -> dict[str, Any]:
        """The trajectory record fields the sampler decides (trajectories.md)."""
        return {
            "goal": self.goal, "strategy": self.strategy, "mode": self.mode,
            "sequence_index": self.sequence_index, "success": self.success,
            "step_count": self.step_count, "termination_reason": self.termination_reason,
            "summary": self.summary,
        }

    def replay(self) -> dict[str, Any]:
        """The replay response's sampler-made fields (the caller adds `id`)."""
        return {
            "goal": self.goal, "goal_spec": self.goal_spec, "source_format": "worlds",
            "initial_state": self.initial_state, "node_names": self.node_names,
            "step_count": self.step_count, "steps": self.steps,
        }


def encode_steps(steps: list[dict[str, Any]]) -> bytes:
    """Canonical bytes of a step list: a JSON array with sorted keys, compact
    separators, UTF-8 (exactly `json.dumps(steps, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False).encode()`, as the world's canonical form; steps hold no floats)."""
    return orjson.dumps(steps, option=orjson.OPT_SORT_KEYS)


def plan(ix: WorldIndex, goal: str | None) -> Plan:
    """The job's plan for `goal`, computed once per index and goal (cached in `ix.plans`).

    Raises GoalError when the goal names nothing in the world.
    """
    spec = resolve_goal(ix, goal)
    cached = ix.plans.get(spec.text)
    if isinstance(cached, Plan):
        return cached
    made = Plan(spec, distances(ix, spec))
    ix.plans[spec.text] = made
    return made


def sample(ix: WorldIndex, request: SampleRequest, sequence_index: int) -> Trajectory:
    """Sample trajectory `sequence_index` of a job (see the module docstring).

    Raises GoalError (goal names nothing) or NoFootholdError (no user to start from).
    """
    job = plan(ix, request.goal)
    seed = request.seed
    st = AttackerState()
    foothold = _foothold(ix, rnglib.substream(seed, "foothold", sequence_index))
    start_delta = _start(ix, st, *foothold)
    init = initial_state(ix, st, foothold)
    walker = _Walker(ix, st, job, request.strategy,
                     rnglib.substream(seed, "trajectory", sequence_index))
    walker.feed(start_delta)
    durations = rnglib.substream(seed, "durations", sequence_index)
    steps: list[dict[str, Any]] = []
    touched: dict[str, None] = dict.fromkeys(n for n in (foothold[0], foothold[1]) if n)
    reason = "max_steps"
    if goal_reached(job.goal, st):
        reason = "goal_reached"
    elif min(job.dist.get(foothold[0], _INF), job.dist.get(foothold[1] or "", _INF)) >= _INF:
        reason = "goal_unreachable"
    else:
        for index in range(request.max_steps):
            action = walker.pick()
            if action is None:
                reason = "no_applicable_commands"
                break
            before = st.counts()
            delta = st.begin_step()
            out = act.execute(ix, st, action)
            line, stdout, stderr = render(ix, st, action, out, request.mode)
            steps.append(build_step(ix, index, action, out, line, stdout, stderr, before,
                                    st.counts(), delta, durations, touched))
            walker.feed(delta)
            if goal_reached(job.goal, st):
                reason = "goal_reached"
                break
    success = reason == "goal_reached"
    node_names = {n: {"name": ix.name(n), "node_type": _node_type(ix, n)}
                  for n in sorted(touched) if n in ix.nodes or n in ix.hosts}
    return Trajectory(
        sequence_index=sequence_index, goal=job.goal.text, goal_spec=job.goal.to_dict(),
        strategy=request.strategy, mode=request.mode, initial_state=init, steps=steps,
        node_names=node_names, success=success, termination_reason=reason,
        summary=summarize(ix, st, steps, success),
    )


def _node_type(ix: WorldIndex, node: str) -> str:
    return ix.node_type(node) if node in ix.nodes else "computer"


def _foothold(ix: WorldIndex, rng: random.Random) -> tuple[str, str | None]:
    if ix.footholds:
        user, workstations = ix.footholds[rng.randrange(len(ix.footholds))]
        return user, workstations[rng.randrange(len(workstations))]
    users = [p for d in ix.domains for p in ix.domain_members.get(d, ())
             if ix.node_type(p) == "user" and p not in ix.privileged]
    if not users:
        raise NoFootholdError("the world has no enabled ordinary user to start from")
    return users[rng.randrange(len(users))], None


def _start(ix: WorldIndex, st: AttackerState, user: str, host: str | None) -> Delta:
    """Grant the foothold; returns the delta that seeds the frontier."""
    delta = st.begin_step()
    st.gain_owned(ix, user, "password", "foothold")
    for group in st.controlled:
        st.gain_principal(ix, group)
    st.gain_edges(len(ix.member_of.get(user, ())))
    dom = ix.domain_of(user)
    if host is not None:
        st.gain_shell(host, user)
        st.gain_subnet(str(ix.hosts[host]["subnet"]))
    for dc in ix.domain_dcs.get(dom or "", ())[:1]:
        st.gain_host(dc)
        st.gain_subnet(str(ix.hosts[dc]["subnet"]))
    st.refresh_auth(ix)
    return delta


class _Pool:
    """Actions in a list with positions: O(1) add, remove and uniform pick."""

    def __init__(self) -> None:
        self.items: list[act.Action] = []
        self.pos: dict[act.Action, int] = {}

    def add(self, action: act.Action) -> bool:
        if action in self.pos:
            return False
        self.pos[action] = len(self.items)
        self.items.append(action)
        return True

    def remove(self, action: act.Action) -> None:
        i = self.pos.pop(action)
        last = self.items.pop()
        if i < len(self.items):
            self.items[i] = last
            self.pos[last] = i


class _Walker:
    """The frontier and the strategy that picks from it."""

    def __init__(self, ix: WorldIndex, st: AttackerState, job: Plan, strategy: str,
                 rng: random.Random) -> None:
        self.ix, self.st, self.job, self.strategy, self.rng = ix, st, job, strategy, rng
        self.discovery = _Pool()
        self.exploits = _Pool()
        self.heap: list[tuple[int, int, act.Action]] = []
        # greedy's discovery order: collection, then scans, then per-host enumeration
        # nearest the goal first.
        self.dheap: list[tuple[int, int, int, act.Action]] = []
        self.seq = 0
        self.best = _INF

    def feed(self, delta: Delta) -> None:
        ix, st, dist = self.ix, self.st, self.job.dist
        for node in (*delta.controlled, *delta.admin_hosts, *delta.shell_hosts,
                     *delta.compromised_domains):
            self.best = min(self.best, dist.get(node, _INF))
        for action in triggers.candidates(ix, st, delta):
            if action in self.discovery.pos or action in self.exploits.pos:
                continue
            # Not checked here: the pick checks (and drops) stale or not-yet-applicable
            # entries, so actions never picked cost nothing more. Dropping one that is not
            # applicable yet loses nothing: the change that makes it applicable triggers it
            # again (see triggers.candidates).
            if action[0] in DISCOVERY:
                if self.strategy != "random" and act.action_key(action) in st.done:
                    continue
                self.discovery.add(action)
                if self.strategy == "greedy":
                    self.seq += 1
                    heapq.heappush(self.dheap, (_DISCOVERY_ORDER[action[0]],
                                                self.job.dist.get(action[1], _INF), self.seq,
                                                action))
            else:
                self.exploits.add(action)
                if self.strategy == "greedy":
                    self.seq += 1
                    heapq.heappush(self.heap, (self._score(action), self.seq, action))

    def _score(self, action: act.Action) -> int:
        nodes = triggers.target_nodes(self.ix, self.st, action)
        score = min((self.job.dist.get(n, _INF) for n in nodes), default=_INF)
        return score + (1 if action[0] in ("asrep_roast", "kerberoast") else 0)

    def _live(self, pool: _Pool, action: act.Action) -> bool:
        """Whether `action` may still be picked; drops it from `pool` when not."""
        fresh = self.strategy == "random" or act.action_key(action) not in self.st.done
        if fresh and act.applicable(self.ix, self.st, action):
            return True
        pool.remove(action)
        return False

    def pick(self) -> act.Action | None:
        if self.strategy == "greedy":
            return self._greedy()
        if self.strategy == "recon-first":
            return self._uniform(self.discovery) or self._uniform(self.exploits)
        return self._weighted()

    def _uniform(self, pool: _Pool) -> act.Action | None:
        while pool.items:
            action = pool.items[self.rng.randrange(len(pool.items))]
            if self._live(pool, action):
                return action
        return None

    def _weighted(self) -> act.Action | None:
        # smart-random: exploitation weighs 3, discovery 1 (rejection sampling).
        smart = self.strategy == "smart-random"
        while self.discovery.items or self.exploits.items:
            n_disc = len(self.discovery.items)
            i = self.rng.randrange(n_disc + len(self.exploits.items))
            pool = self.discovery if i < n_disc else self.exploits
            action = pool.items[i if i < n_disc else i - n_disc]
            if not self._live(pool, action):
                continue
            if smart and pool is self.discovery and self.exploits.items and \
                    self.rng.random() >= 1 / 3:
                continue
            if pool is self.discovery and self.strategy == "smart-random":
                pool.remove(action)  # never rerun
            return action
        return None

    def _greedy(self) -> act.Action | None:
        # 1. an exploitation that gets closer to the goal than anything held;
        # 2. collection and scans; 3. the nearest exploitation with a finite distance;
        # 4. per-host enumeration, nearest the goal first; 5. any exploitation left.
        while self.heap:
            action = self.heap[0][2]
            if action in self.exploits.pos and self._live(self.exploits, action):
                break
            heapq.heappop(self.heap)
        score = self.heap[0][0] if self.heap else None
        if score is not None and score < self.best:
            return self._take_top()
        found = self._discover(max_order=1)
        if found is not None:
            return found
        if score is not None and score < _INF:
            return self._take_top()
        found = self._discover(max_order=len(_DISCOVERY_ORDER))
        if found is not None:
            return found
        return self._take_top() if score is not None else None

    def _discover(self, max_order: int) -> act.Action | None:
        while self.dheap and self.dheap[0][0] <= max_order:
            found = heapq.heappop(self.dheap)[-1]
            if found in self.discovery.pos and self._live(self.discovery, found):
                self.discovery.remove(found)
                return found
        return None

    def _take_top(self) -> act.Action:
        _, _, action = heapq.heappop(self.heap)
        self.exploits.remove(action)
        return action


__all__ = ["BY_NAME", "NoFootholdError", "Plan", "Trajectory", "encode_steps", "plan", "sample"]
