"""What a job kind tells the worker: the contract of `worlds.jobs.kinds`."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Row

from worlds.jobs.genproc import ChildTask
from worlds.store.engine import Database
from worlds.store.queue import Publication


class InvalidJob(Exception):
    """The job cannot run as stored (bad parameters, its input is gone): it fails at once."""


class KindRunner(Protocol):
    """The per-kind part of running a job. Everything else (claim, lease, heartbeat,
    cancel, fenced writes, retries) is the worker's and the same for every kind."""

    async def task(self, db: Database, job: Row[Any]) -> ChildTask:
        """The work to send to the child process, read from the job (and the store).
        Raises InvalidJob when the job cannot run."""
        ...

    def progress(self, phase: str, fraction: float) -> float:
        """The job's progress (0…1) when the child reports `fraction` of `phase`."""
        ...

    def publication(self, job: Row[Any], result: Any) -> Publication:
        """What completing the job publishes, from the child's result."""
        ...

    def stored_items(self, result: Any) -> int:
        """How big the job's data was (the worker replaces a child after a big one)."""
        ...
