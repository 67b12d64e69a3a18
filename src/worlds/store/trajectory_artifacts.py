"""How a sampled trajectory's replay is cut into compressed chunks, and read back.

A trajectory's replay is stored as rows of `trajectory_chunks`, compressed like a
manifest's artifacts (`worlds.store.artifacts.encode`, zlib over compact JSON):

- `steps`: runs of `STEPS_PER_CHUNK` steps in step order; read back and concatenated.
- `replay`: one chunk with what the steps are read against: `goal_spec`,
  `initial_state` and `node_names`.

`artifact_refs` records the layout and the sha256 of the steps' canonical bytes
(`worlds.sampler.encode_steps`): equal requests give equal digests whatever the
number of processes that sampled them, which is how two trajectories are compared.
`encode_trajectory` runs in the sampling process (JSON and zlib are its CPU cost).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from worlds.store.artifacts import CODEC, Chunk, decode, encode

FORMAT = "worlds.trajectory/v1"
STORE = "trajectory_chunks"
STEPS_PER_CHUNK = 100


@dataclass(frozen=True)
class EncodedTrajectory:
    """One sampled trajectory, ready to publish: its record's fields and its chunks."""

    sequence_index: int
    success: bool
    step_count: int
    termination_reason: str
    summary: dict[str, Any]
    sha256: str
    refs: dict[str, Any]
    chunks: list[Chunk]


def encode_trajectory(sequence_index: int, steps: Sequence[dict[str, Any]], canonical: bytes,
                      replay: dict[str, Any], *, success: bool, termination_reason: str,
                      summary: dict[str, Any]) -> EncodedTrajectory:
    """Cut one trajectory into chunks. `canonical` is the steps' canonical encoding, whose
    sha256 the refs carry; `replay` holds `goal_spec`, `initial_state` and `node_names`."""
    digest = hashlib.sha256(canonical).hexdigest()
    parts = [Chunk("steps", index, len(steps[start:start + STEPS_PER_CHUNK]),
                   encode(list(steps[start:start + STEPS_PER_CHUNK])))
             for index, start in enumerate(range(0, len(steps), STEPS_PER_CHUNK))]
    parts.append(Chunk("replay", 0, 1, encode(replay)))
    refs = {
        "format": FORMAT,
        "store": STORE,
        "codec": CODEC,
        # Of the steps' canonical bytes (worlds.sampler.encode_steps).
        "sha256": digest,
        "canonical_bytes": len(canonical),
        "layout": {"steps": {"count": len(steps), "chunk_size": STEPS_PER_CHUNK},
                   "replay": {"count": 1}},
    }
    return EncodedTrajectory(sequence_index, success, len(steps), termination_reason, summary,
                             digest, refs, parts)


def decode_replay(parts: Iterable[Chunk]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the `replay` chunk's object, every step in order) from a trajectory's chunks."""
    header: dict[str, Any] = {}
    runs: list[tuple[int, list[dict[str, Any]]]] = []
    for part in parts:
        if part.kind == "replay":
            header = decode(part.data)
        elif part.kind == "steps":
            runs.append((part.index, decode(part.data)))
    steps = [step for _, run in sorted(runs, key=lambda run: run[0]) for step in run]
    return header, steps
