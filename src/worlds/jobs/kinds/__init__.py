"""The per-kind run logic of the worker: one module per job kind.

The worker (`worlds.jobs.worker`) claims, leases, heartbeats, watches for cancels,
writes progress and finishes every job the same way. What differs by kind is a
`KindRunner` (`worlds.jobs.kinds.base`): the task its child process runs, how the
child's reports map to progress, and what completing the job publishes.

    manifest.py    manifest_generation: generate a world, publish a manifest
    trajectory.py  trajectory_generation: sample trajectories, publish them

A new kind: its value in `worlds.core.jobstate.Kind`, a module here with its runner,
and an entry in `RUNNERS`.
"""

from __future__ import annotations

from collections.abc import Mapping

from worlds.core.jobstate import Kind
from worlds.jobs.kinds.base import InvalidJob, KindRunner
from worlds.jobs.kinds.manifest import ManifestRunner
from worlds.jobs.kinds.trajectory import TrajectoryRunner

RUNNERS: Mapping[str, KindRunner] = {
    Kind.MANIFEST_GENERATION.value: ManifestRunner(),
    Kind.TRAJECTORY_GENERATION.value: TrajectoryRunner(),
}

__all__ = ["RUNNERS", "InvalidJob", "KindRunner"]
