"""Leases: the token a worker holds on a running job, and the timings around it.

A claim gives the worker a `Lease` (job id, attempt, owner) that expires at
`now + duration` unless a heartbeat extends it. Every write the worker makes is
fenced by the whole token (`status = running AND attempt = … AND lease_owner = …`),
so once the lease is gone (rescued, cancelled, finished by someone else) the
worker can change nothing; the store raises `LeaseLost` and the worker stops.

Why these defaults (the anchors in `reference/anchors-jobs.md`, §1.2):
- rescue is driven by a per-job heartbeat, not by time since the claim, so a long
  enterprise generation is never rescued while its worker is alive (hexpm#1825);
- a heartbeat every third of the lease means two heartbeats can be lost before the
  job is rescued (pgqueuer refreshes at half its timeout, procrastinate 10 s / 30 s);
- the rescuer looks every half lease (capped at 15 s), so a dead worker's job is
  back in the queue at most 1.5 leases after its last heartbeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_LEASE_SECONDS = 30.0


class LeaseLost(Exception):
    """A fenced write matched no row: this worker no longer holds the job's lease."""


@dataclass(frozen=True)
class Lease:
    """The fencing token of one attempt at one job."""

    job_id: str
    attempt: int
    owner: str


@dataclass(frozen=True)
class LeasePolicy:
    duration: float = DEFAULT_LEASE_SECONDS

    def __post_init__(self) -> None:
        if self.duration <= 0:
            raise ValueError("the lease duration must be positive")

    @property
    def heartbeat_interval(self) -> float:
        return self.duration / 3

    @property
    def rescue_interval(self) -> float:
        return min(self.duration / 2, 15.0)

    def expiry(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.duration)
