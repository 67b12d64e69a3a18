"""The rescuer: takes back running jobs whose worker stopped heartbeating, and
prunes job events older than the retention window and expired idempotency keys.

Every worker runs one; several rescuers at once are harmless because each
rescue is a guarded update (`worlds.store.queue.rescue`). Each job is rescued in
its own short transaction, so a rescue never holds one job's lock while waiting
for another's.

Expiry is judged by the database's clock (`SqlDialect.now`), the clock workers
stamp leases with too, so a host whose clock runs ahead never rescues a live job
(a pinned `clock` replaces it in tests).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from worlds.core.clock import Clock
from worlds.core.service import BackgroundService
from worlds.metrics import Metrics
from worlds.store import events, idempotency, retention
from worlds.store import queue as queue_store
from worlds.store.dialect import SqlDialect
from worlds.store.engine import Database
from worlds.store.notify import JobSignals

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RescuerConfig:
    # Seconds between passes (jittered by ±20 %).
    interval: float = 15.0
    # Jobs rescued per pass at most.
    batch: int = 100
    # Job events older than this are pruned (None: kept).
    event_retention: float | None = None
    # Finished jobs older than this are deleted (None: kept).
    job_retention: float | None = None


def database_now(dialect: SqlDialect, clock: Clock | None) -> Callable[[Connection], datetime]:
    """The time a lease is stamped or judged with: the database's, unless pinned."""
    if clock is not None:
        return lambda conn: clock()
    return dialect.now


class Rescuer(BackgroundService):
    name = "worlds-rescuer"

    def __init__(self, db: Database, dialect: SqlDialect, config: RescuerConfig | None = None, *,
                 signals: JobSignals, clock: Clock | None = None,
                 metrics: Metrics | None = None) -> None:
        super().__init__()
        self._metrics = metrics or Metrics()
        self.config = config or RescuerConfig()
        self._db = db
        self._dialect = dialect
        self._signals = signals
        self._now = database_now(dialect, clock)

    async def rescue_once(self) -> int:
        """Rescue every job whose lease has expired now; the number rescued."""
        ids = await self._db.read(
            lambda conn: queue_store.expired(conn, self._now(conn), self.config.batch))
        rescued = 0
        for job_id in ids:
            row = await self._db.write(
                lambda conn, job_id=job_id: queue_store.rescue(self._dialect, conn, job_id,
                                                               self._now(conn)))
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
        retention = self.config.event_retention
        if retention is None:
            return 0
        return await self._db.write(
            lambda conn: events.prune(conn, self._now(conn) - timedelta(seconds=retention)))

    async def prune_idempotency_keys(self) -> int:
        """Drop idempotency keys whose lifetime has passed; the number dropped."""
        return await self._db.write(lambda conn: idempotency.prune(conn, self._now(conn)))

    async def prune_jobs(self) -> int:
        """Delete finished jobs past the retention window, a batch per transaction."""
        retention_seconds = self.config.job_retention
        if retention_seconds is None:
            return 0
        total = 0
        while True:
            removed = await self._db.write(lambda conn: retention.prune_finished(
                self._dialect, conn, self._now(conn) - timedelta(seconds=retention_seconds)))
            total += removed
            if removed == 0:
                return total

    async def run(self) -> None:
        while not self.stopping:
            try:
                await self.rescue_once()
                await self.prune_events()
                await self.prune_idempotency_keys()
                await self.prune_jobs()
            except Exception:
                log.exception("rescue pass failed; retrying next interval")
            # Jitter keeps the workers of a fleet from rescuing in lockstep.
            if not await self.sleep(self.config.interval * random.uniform(0.8, 1.2)):
                return
