"""The job state machine, defined once.

    queued ──claim──▶ running ──▶ completed
      │                 │  ╰────▶ failed      (error, or attempts used up)
      │                 ╰──────▶ cancelled   (cancel requested, seen at a safe point)
      ╰──cancel───────────────▶ cancelled
    running ──lease expired──▶ queued        (rescued; runs again as a new attempt)

Terminal statuses never change again; every terminal status sets `completed_at`.
"""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELLED})


class Kind(enum.StrEnum):
    MANIFEST_GENERATION = "manifest_generation"
    TRAJECTORY_GENERATION = "trajectory_generation"


class ResourceType(enum.StrEnum):
    MANIFEST = "manifest"
    TRAJECTORY = "trajectory"
    TRAJECTORY_BATCH = "trajectory_batch"
