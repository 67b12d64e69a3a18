"""The rescuer: takes back running jobs whose worker stopped heartbeating, and
prunes job events older than the retention window and expired idempotency keys.

Every worker runs one; several rescuers at once are harmless because each
rescue is a guarded update (`worlds.store.queue.rescue`). Each job is rescued in
its own short transaction, so a rescue never holds one job's lock while waiting
for another's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import timedelta

from worlds.core.clock import Clock
from worlds.metrics import Metrics
from worlds.store import events, idempotency, retention
from worlds.store import queue as queue_store
from worlds.store.dialect import SqlDialect
from worlds.store.engine import Database
from worlds.store.notify import JobSignals

log = logging.getLogger(__name__)


class Rescuer:
    def __init__(self, db: Database, dialect: SqlDialect, *, interval: float, clock: Clock,
                 signals: JobSignals, batch: int = 100,
                 event_retention: float | None = None, metrics: Metrics | None = None,
                 job_retention: float | None = None) -> None:
        self._db = db
        self._dialect = dialect
        self._interval = interval
        self._clock = clock
        self._signals = signals
        self._batch = batch
        self._event_retention = event_retention
        self._metrics = metrics or Metrics()
        self._job_retention = job_retention
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="worlds-rescuer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def rescue_once(self) -> int:
        """Rescue every job whose lease has expired now; the number rescued."""
        ids = await self._db.read(queue_store.expired, self._clock(), self._batch)
        rescued = 0
        for job_id in ids:
            row = await self._db.write(
                lambda conn, job_id=job_id: queue_store.rescue(self._dialect, conn, job_id, self._clock()))
            if row is None:
                continue
            rescued += 1
            self._metrics.rescues.inc()
            log.warning("rescued job %s after attempt %d lost its worker: now %s",
                        job_id, row.attempt, row.status)
            if row.status == "queued":
                self._signals.job_queued(job_id)
        return rescued

    async def prune_events(self) -> int:
        """Drop job events older than the retention window; the number dropped."""
        if self._event_retention is None:
            return 0
        before = self._clock() - timedelta(seconds=self._event_retention)
        return await self._db.write(events.prune, before)

    async def prune_idempotency_keys(self) -> int:
        """Drop idempotency keys whose lifetime has passed; the number dropped."""
        return await self._db.write(idempotency.prune, self._clock())

    async def prune_jobs(self) -> int:
        """Delete finished jobs past the retention window, a batch per transaction."""
        if self._job_retention is None:
            return 0
        before = self._clock() - timedelta(seconds=self._job_retention)
        total = 0
        while True:
            removed = await self._db.write(
                lambda conn: retention.prune_finished(self._dialect, conn, before))
            total += removed
            if removed == 0:
                return total

    async def _run(self) -> None:
        while True:
            try:
                await self.rescue_once()
                await self.prune_events()
                await self.prune_idempotency_keys()
                await self.prune_jobs()
            except Exception:
                log.exception("rescue pass failed; retrying next interval")
            # Jitter keeps the workers of a fleet from rescuing in lockstep.
            await asyncio.sleep(self._interval * random.uniform(0.8, 1.2))
