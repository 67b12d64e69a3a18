"""The worker: claims queued jobs and runs them to a terminal status.

One `Worker` runs in `worlds serve` (unless disabled) and alone in `worlds
worker`; any number of them may share one PostgreSQL. Each of its slots loops:

1. Claim the oldest queued job under a lease (`worlds.store.queue.claim`). When
   nothing is queued, wait for a signal (`worlds.store.notify`: the servicer in this
   process, or a NOTIFY from another) or the poll interval, whichever is first.
2. Run the job's work in the slot's child process (`worlds.jobs.genproc`), so the
   event loop keeps serving: generate a world, or sample trajectories (what differs
   by kind is in `worlds.jobs.kinds`). After each report of the child, write progress
   (fenced, at most every `progress_interval`). Progress never goes back within
   an attempt; a rescued job starts its next attempt from none. A progress write
   that fails for a database error is logged and skipped (the next report writes
   again): only a lost lease ends an attempt.
3. Meanwhile a monitor heartbeats the lease and checks the cancel flag every
   `cancel_check_interval` (sooner when signalled). On a cancel it kills the
   child at once and marks the job cancelled: the kill is the safe point, since
   the child writes nothing: only the worker publishes, once it has finished.
4. Finish with one fenced transaction: completed with what it publishes, failed,
   cancelled, or released back to the queue. A fenced write that matches
   nothing means another worker owns the job now; this one stops, changing
   nothing.

Failures: a generator error (bad input) fails the job at once, since retrying a
deterministic function cannot help. A crash of the child (killed, out of
memory) counts as an attempt: the job is queued again until its attempts are
used up, then failed. A worker that dies loses its lease; the rescuer of any
worker requeues the job when the lease expires (`worlds.jobs.rescuer`).

Time: lease expiries are stamped with the database's clock (`SqlDialect.now`),
the clock the rescuers of every host compare them with; a pinned `clock`
replaces it in tests.

Graceful stop (SIGTERM): stop claiming; running jobs get `grace` seconds to
finish; a job still running then is killed and released back to the queue
without counting the attempt (stopping was not the job's fault), so another
worker takes it at once instead of after the lease expires.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row

from worlds import logs
from worlds.config import Settings
from worlds.core.clock import Clock
from worlds.core.jobstate import Kind
from worlds.core.lease import Lease, LeaseLost, LeasePolicy
from worlds.core.service import wait_event
from worlds.jobs.genproc import (
    GenerationCrashed,
    GenerationFailed,
    GenerationProcess,
)
from worlds.jobs.kinds import RUNNERS, InvalidJob, KindRunner
from worlds.jobs.rescuer import Rescuer, RescuerConfig, database_now
from worlds.metrics import Metrics
from worlds.store import queue as queue_store
from worlds.store.dialect import dialect_for
from worlds.store.engine import Database
from worlds.store.notify import JobSignals, PgListener, libpq_conninfo

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class WorkerConfig:
    lease: LeasePolicy = field(default_factory=LeasePolicy)
    concurrency: int = 1
    # Fallback poll for queued jobs; notifications usually wake the worker sooner.
    poll_interval: float = 1.0
    # How often a running job's cancel flag is read (a signal wakes it sooner).
    cancel_check_interval: float = 0.2
    # At most one progress write per job per interval (a tiny world finishes all
    # its phases within milliseconds; each write is a transaction).
    progress_interval: float = 0.1
    kinds: tuple[str, ...] = (Kind.MANIFEST_GENERATION.value, Kind.TRAJECTORY_GENERATION.value)
    # Listen for NOTIFYs where the engine has them.
    listen: bool = True
    # After a world of more stored items than this (generated or sampled), the child is
    # replaced, so that a long-lived worker does not keep an enterprise peak.
    recycle_above_items: int = 200_000
    # Job events older than this are pruned by the rescuer (None: kept).
    event_retention: float | None = None
    # Seconds an attempt of each kind may generate before its child is killed and the
    # attempt fails (retried within max_attempts); a kind not listed has no limit.
    timeouts: tuple[tuple[str, float], ...] = ()
    # Finished jobs older than this are deleted by the rescuer (None: kept).
    job_retention: float | None = None

    def timeout_for(self, kind: str) -> float | None:
        return dict(self.timeouts).get(kind)

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerConfig:
        return cls(lease=LeasePolicy(settings.lease_seconds),
                   concurrency=settings.worker_concurrency,
                   poll_interval=settings.poll_interval,
                   event_retention=settings.event_retention,
                   timeouts=settings.job_timeouts, job_retention=settings.job_retention)


def new_worker_id() -> str:
    """Unique per worker instance: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class _Slot:
    index: int
    process: GenerationProcess
    task: asyncio.Task[None] | None = None
    # Set by a graceful stop that ran out of time: the job goes back to the queue.
    releasing: bool = False


@dataclass
class _Run:
    """One attempt at one job."""

    job: Row[Any]
    lease: Lease
    cancel: asyncio.Event
    progress: float
    runner: KindRunner
    progress_written_at: float = float("-inf")
    # time.monotonic() when the attempt started (for the job duration metric).
    started: float = field(default_factory=time.monotonic)
    # Set when the attempt ran past its kind's execution timeout.
    timed_out: float | None = None


class Worker:
    def __init__(self, db: Database, config: WorkerConfig | None = None, *,
                 clock: Clock | None = None, signals: JobSignals | None = None,
                 worker_id: str | None = None, metrics: Metrics | None = None) -> None:
        self.id = worker_id or new_worker_id()
        self.config = config or WorkerConfig()
        self.signals = signals or JobSignals()
        self._db = db
        self.metrics = metrics or Metrics()
        self._dialect = dialect_for(db.engine)
        self._now = database_now(self._dialect, clock)
        self._slots: list[_Slot] = []
        self._listener: PgListener | None = None
        self._rescuer = Rescuer(db, self._dialect, RescuerConfig(
            interval=self.config.lease.rescue_interval,
            event_retention=self.config.event_retention,
            job_retention=self.config.job_retention), signals=self.signals, clock=clock,
            metrics=self.metrics)
        self._stopping = False

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        if self._dialect.supports_listen and self.config.listen:
            self._listener = PgListener(libpq_conninfo(self._db.engine), self.signals)
            await self._listener.start()
        await self._rescuer.start()
        loop = asyncio.get_running_loop()
        for index in range(self.config.concurrency):
            slot = _Slot(index, GenerationProcess())
            slot.process.start()  # warms up (imports the generator) while idle
            slot.task = loop.create_task(self._slot_loop(slot), name=f"worlds-worker-slot-{index}")
            self._slots.append(slot)
        log.info("worker %s started: %d slot(s), lease %.0f s, %s", self.id,
                 self.config.concurrency, self.config.lease.duration,
                 "LISTEN + polling" if self._listener else "polling")

    def stop_claiming(self) -> None:
        """Claim nothing more (the first step of a stop; running jobs carry on)."""
        self._stopping = True
        self.signals.job_queued()  # wakes idle slots, which then see _stopping

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming; let running jobs finish within `grace` seconds, then kill
        the rest and release them to the queue (their attempt is not counted)."""
        self.stop_claiming()
        tasks = {slot.task for slot in self._slots if slot.task is not None}
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for slot in self._slots:
                if slot.task in pending:
                    slot.releasing = True
                    slot.process.kill()
            if pending:
                _, stuck = await asyncio.wait(pending, timeout=10)
                for task in stuck:
                    task.cancel()
                if stuck:
                    await asyncio.wait(stuck, timeout=1)
        await self._rescuer.stop()
        if self._listener is not None:
            await self._listener.stop()
        for slot in self._slots:
            slot.process.close()
        self._slots.clear()
        log.info("worker %s stopped", self.id)

    @property
    def listening(self) -> bool:
        return self._listener is not None and self._listener.healthy

    # -- the loop -------------------------------------------------------------------

    async def _slot_loop(self, slot: _Slot) -> None:
        while not self._stopping:
            self.signals.reset_queued()
            try:
                job = await self._db.write(self._claim)
            except Exception:
                log.exception("worker %s could not claim a job; retrying", self.id)
                job = None
            if job is None:
                await self.signals.wait_queued(self.config.poll_interval)
                continue
            try:
                await self._run(slot, job)
            except Exception:
                log.exception("job %s: unexpected error in the worker", job.id)
            finally:
                if not self._stopping:
                    slot.process.start()  # replaces a killed or retired child while idle

    def _claim(self, conn: Connection) -> Row[Any] | None:
        now = self._now(conn)
        return queue_store.claim(self._dialect, conn, self.id, now, self.config.lease.expiry(now),
                                 self.config.kinds)

    async def _run(self, slot: _Slot, job: Row[Any]) -> None:
        params = job.params if isinstance(job.params, dict) else {}
        with logs.job_context(params.get("request_id")):
            await self._run_attempt(slot, job)

    async def _run_attempt(self, slot: _Slot, job: Row[Any]) -> None:
        lease = Lease(job.id, job.attempt, self.id)
        log.info("job %s: attempt %d/%d started by %s", job.id, job.attempt, job.max_attempts,
                 self.id)
        self.metrics.job_attempts.labels(job.kind).inc()
        with self.signals.cancel_watch(job.id) as cancel:
            run = _Run(job, lease, cancel, progress=job.progress or 0.0,
                       runner=RUNNERS[job.kind])
            try:
                request = await run.runner.task(self._db, job)
            except InvalidJob as exc:
                await self._settle(run, queue_store.fail, str(exc))
                return
            loop = asyncio.get_running_loop()
            generation = loop.create_task(
                slot.process.generate(request, functools.partial(self._on_phase, run)))
            monitor = loop.create_task(self._monitor(run))
            timeout = self.config.timeout_for(job.kind)
            done, _ = await asyncio.wait({generation, monitor}, timeout=timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
            if not done:
                run.timed_out = timeout
            if not generation.done():
                # Cancel requested or lease lost: stop generating now, not at the next phase.
                slot.process.kill()
                await asyncio.wait({generation})
            monitor.cancel()
            await asyncio.wait({monitor})
            await self._finish(slot, run, generation, monitor)

    async def _finish(self, slot: _Slot, run: _Run, generation: asyncio.Task[Any],
                      monitor: asyncio.Task[None]) -> None:
        lost = monitor.done() and not monitor.cancelled() and monitor.exception() is not None
        error = generation.exception()
        if isinstance(error, LeaseLost) or lost:
            self.metrics.lease_losses.inc()
            log.warning("job %s: attempt %d lost its lease; leaving the job to its new owner",
                        run.job.id, run.lease.attempt)
        elif run.cancel.is_set() and error is not None:
            await self._settle(run, queue_store.acknowledge_cancel)
        elif run.timed_out is not None and error is not None:
            log.warning("job %s: attempt %d ran past its %g s timeout; its generation was killed",
                        run.job.id, run.lease.attempt, run.timed_out)
            if run.lease.attempt >= run.job.max_attempts:
                await self._settle(run, queue_store.fail,
                                   f"timed out after {run.timed_out:g} s on each of "
                                   f"{run.lease.attempt} attempts")
            else:
                await self._settle(run, functools.partial(queue_store.release, count_attempt=True))
        elif isinstance(error, GenerationFailed):
            await self._settle(run, queue_store.fail, f"generation failed: {error}")
        elif isinstance(error, GenerationCrashed):
            if slot.releasing:
                await self._settle(run, functools.partial(queue_store.release, count_attempt=False))
            elif run.lease.attempt >= run.job.max_attempts:
                await self._settle(run, queue_store.fail,
                                   f"gave up after {run.lease.attempt} attempts: {error}")
            else:
                await self._settle(run, functools.partial(queue_store.release, count_attempt=True))
        elif error is not None:
            log.error("job %s: the child process raised", run.job.id, exc_info=error)
            await self._settle(run, queue_store.fail, "internal error while running the job")
        else:
            result = generation.result()
            await self._settle(run, queue_store.complete_with,
                               run.runner.publication(run.job, result))
            if run.runner.stored_items(result) > self.config.recycle_above_items:
                await asyncio.to_thread(slot.process.retire)

    async def _settle(self, run: _Run, transition: Callable[..., Row[Any]], *args: Any) -> Row[Any] | None:
        """Run one fenced finishing transition; None when the lease was lost or the
        write failed (then the lease expires and the rescuer takes the job back)."""
        lease = run.lease

        def work(conn: Connection) -> Row[Any]:
            return transition(self._dialect, conn, lease, self._now(conn), *args)

        try:
            row = await self._db.write(work)
        except LeaseLost:
            self.metrics.lease_losses.inc()
            log.warning("job %s: attempt %d lost its lease before finishing; nothing written",
                        lease.job_id, lease.attempt)
            return None
        except Exception:
            log.exception("job %s: could not record the outcome of attempt %d", lease.job_id,
                          lease.attempt)
            return None
        log.info("job %s: attempt %d ended: %s", lease.job_id, lease.attempt, row.status)
        # outcome: completed, failed, cancelled, or queued (released for another attempt).
        self.metrics.job_duration.labels(run.job.kind, row.status).observe(
            time.monotonic() - run.started)
        if row.status == "queued":
            self.signals.job_queued(row.id)
        return row

    # -- while a job runs ---------------------------------------------------------------

    async def _on_phase(self, run: _Run, phase: str, fraction: float) -> None:
        value = round(run.runner.progress(phase, fraction), 4)
        now = asyncio.get_running_loop().time()
        if value <= run.progress or now - run.progress_written_at < self.config.progress_interval:
            return
        try:
            flagged = await self._db.write(
                lambda conn: queue_store.report_progress(self._dialect, conn, run.lease, value,
                                                         self._now(conn)))
        except LeaseLost:
            raise
        except Exception:
            # A blip must not end the attempt: the next phase writes again, and the
            # monitor's heartbeats keep the lease meanwhile.
            log.warning("job %s: progress write failed; carrying on", run.job.id, exc_info=True)
            return
        run.progress, run.progress_written_at = value, now
        if flagged:
            run.cancel.set()

    async def _monitor(self, run: _Run) -> None:
        """Return when a cancel is requested; raise LeaseLost when the lease is gone.
        Heartbeats meanwhile. Transient database errors are logged and retried."""
        loop = asyncio.get_running_loop()
        policy = self.config.lease
        next_beat = loop.time() + policy.heartbeat_interval
        while True:
            await wait_event(run.cancel, self.config.cancel_check_interval)
            if run.cancel.is_set():
                return
            try:
                if loop.time() >= next_beat:
                    flagged = await self._db.write(lambda conn: queue_store.heartbeat(
                        conn, run.lease, policy.expiry(self._now(conn))))
                    next_beat = loop.time() + policy.heartbeat_interval
                else:
                    flagged = await self._db.read(queue_store.cancel_flag, run.lease)
            except LeaseLost:
                raise
            except Exception:
                log.warning("job %s: lease check failed; retrying", run.job.id, exc_info=True)
                continue
            if flagged:
                run.cancel.set()
                return
