"""Pure, deterministic sampler of attack trajectories through a generated world.

    ix = prepare(world_dict)                      # once per job: WorldIndex
    spec = resolve_goal(ix, "Domain Admins")      # GoalError (field "goal") if it names nothing
    request = SampleRequest(goal="Domain Admins", strategy="random", mode="kali",
                            max_steps=100, seed=42)
    trajectory = sample(ix, request, sequence_index)
    blob = encode_steps(trajectory.steps)         # canonical bytes to compress and sha256
    problems = replay_check(ix, trajectory)       # [] when every step is sound
    items = catalog_for_world(ix)                 # the command catalog route's items

No I/O, no clock, no global random state: every draw comes from a `random.Random`
seeded from sha256(request seed, purpose, sequence_index) (`generator.rng.substream`),
so trajectories are a pure function of (world, request, sequence_index) and a job's
members can be sampled in any order, in any number of processes.

Modules: `index` (the per-job tables), `catalog` (commands as data), `state`
(attacker state and step deltas), `actions` (preconditions and effects),
`triggers` (the frontier's incremental update), `goals` (goal forms, distances),
`render` (command lines and tool output), `steps` (the replay step shape),
`engine` (strategies and the walk), `replay` (the soundness verifier).
"""

from worlds.sampler.catalog import COMMANDS, Command, catalog_for_world
from worlds.sampler.engine import NoFootholdError, Plan, Trajectory, encode_steps, plan, sample
from worlds.sampler.goals import ACCEPTED_FORMS, GoalError, GoalSpec, resolve_goal
from worlds.sampler.index import WorldIndex, prepare
from worlds.sampler.replay import replay_check
from worlds.sampler.request import MODES, STRATEGIES, SampleRequest

__all__ = [
    "ACCEPTED_FORMS",
    "COMMANDS",
    "MODES",
    "STRATEGIES",
    "Command",
    "GoalError",
    "GoalSpec",
    "NoFootholdError",
    "Plan",
    "SampleRequest",
    "Trajectory",
    "WorldIndex",
    "catalog_for_world",
    "encode_steps",
    "plan",
    "prepare",
    "replay_check",
    "resolve_goal",
    "sample",
]
