"""The queue's transitions of a job, each inside the caller's transaction.

    claim            queued  → running    (dialect seam: SKIP LOCKED / BEGIN IMMEDIATE)
    heartbeat        running → running    (lease extended; no version bump)
    report_progress  running → running    (progress, version + 1)
    complete_with    running → completed  (with what it publishes, in one transaction)
    fail             running → failed
    acknowledge_cancel running → cancelled
    release          running → queued     (graceful stop, or a retryable crash)
    rescue           running → queued | failed | cancelled  (lease expired)
    request_cancel   queued → cancelled;  running: cancel_requested_at set

Every worker write is fenced by the lease (`worlds.core.lease`): it matches only
`status = running AND attempt = … AND lease_owner = …`, and a write that matches
nothing raises `LeaseLost` and changes nothing. The rescue is itself guarded by
`status = running AND lease_expires_at < now` plus the attempt and owner it
read, so it cannot overwrite a job that completed or was re-claimed between its
read and its write (riverqueue/river#1302). Every status change bumps `version`
and `updated_at` and moves `job_counts` in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from worlds.core.errors import Conflict, NotFound
from worlds.core.jobstate import Status
from worlds.core.lease import Lease, LeaseLost
from worlds.store import artifacts, events
from worlds.store import jobs as job_store
from worlds.store import manifests as manifest_store
from worlds.store.dialect import ClaimParams, SqlDialect
from worlds.store.models import Job, table_of

jobs = table_of(Job)

# The notification channel of the queue (PostgreSQL LISTEN/NOTIFY). Payloads are
# `<event>:<job id>`, far below NOTIFY's 8000-byte limit.
CHANNEL = "worlds_jobs"
QUEUED = "queued"
CANCEL = "cancel"
# A job changed (its event is in the log): wakes the watchers of other processes.
CHANGED = "changed"


def announce(dialect: SqlDialect, conn: Connection, event: str, job_id: str) -> None:
    """Notify other processes of `event` for `job_id` once this transaction commits."""
    dialect.notify(conn, CHANNEL, f"{event}:{job_id}")


def parse_payload(payload: str) -> tuple[str, str]:
    event, _, job_id = payload.partition(":")
    return event, job_id


def claim(dialect: SqlDialect, conn: Connection, owner: str, now: datetime,
          lease_expires_at: datetime, kinds: Sequence[str]) -> Row[Any] | None:
    """Claim the oldest queued job for `owner` (see `SqlDialect.job_claim`)."""
    row = dialect.job_claim(conn, ClaimParams(owner, now, lease_expires_at, tuple(kinds)))
    if row is None:
        return None
    return _changed(dialect, conn, row, Status.QUEUED, Status.RUNNING)


def _fence(lease: Lease) -> tuple[Any, ...]:
    return (jobs.c.id == lease.job_id, jobs.c.status == Status.RUNNING.value,
            jobs.c.attempt == lease.attempt, jobs.c.lease_owner == lease.owner)


def _fenced(conn: Connection, lease: Lease, values: dict[str, Any], *extra: Any) -> Row[Any] | None:
    return conn.execute(
        update(jobs).where(*_fence(lease), *extra).values(**values).returning(*jobs.c)).first()


def _bump(now: datetime) -> dict[str, Any]:
    return {"version": jobs.c.version + 1, "updated_at": now}


def _finished(now: datetime) -> dict[str, Any]:
    return {**_bump(now), "completed_at": now, "lease_expires_at": None}


def _changed(dialect: SqlDialect, conn: Connection, row: Row[Any], old: Status, new: Status) -> Row[Any]:
    """Every visible change of a job made here ends in this function, inside the
    change's transaction, as its last write: the per-status counters follow a status
    change, and the change is appended to the watchers' event log."""
    if old is not new:
        job_store.move_count(dialect, conn, row, old, new)
    events.record(dialect, conn, row, row.updated_at, previous_status=old.value)
    announce(dialect, conn, CHANGED, row.id)
    return row


def heartbeat(conn: Connection, lease: Lease, lease_expires_at: datetime) -> bool:
    """Extend the lease; True when a cancel has been requested. Raises LeaseLost."""
    row = _fenced(conn, lease, {"lease_expires_at": lease_expires_at})
    if row is None:
        raise LeaseLost(lease.job_id)
    return row.cancel_requested_at is not None


def report_progress(dialect: SqlDialect, conn: Connection, lease: Lease, progress: float,
                    now: datetime) -> bool:
    """Record progress (the worker keeps it monotonic); True when a cancel has been
    requested. Raises LeaseLost."""
    row = _fenced(conn, lease, {"progress": progress, **_bump(now)})
    if row is None:
        raise LeaseLost(lease.job_id)
    _changed(dialect, conn, row, Status.RUNNING, Status.RUNNING)
    return row.cancel_requested_at is not None


def cancel_flag(conn: Connection, lease: Lease) -> bool:
    """Whether a cancel was requested; LeaseLost when the lease is no longer held."""
    row = conn.execute(select(jobs.c.cancel_requested_at).where(*_fence(lease))).first()
    if row is None:
        raise LeaseLost(lease.job_id)
    return row.cancel_requested_at is not None


@dataclass(frozen=True)
class Publication:
    """What a job publishes when it completes: the job's `resource_id` and `result`, and
    the write of its resources (a manifest, a batch of trajectories), run in the
    completing transaction after the fence held."""

    resource_id: str | None
    result: dict[str, Any]
    write: Callable[[Connection, datetime], None]


def complete_with(dialect: SqlDialect, conn: Connection, lease: Lease, now: datetime,
                  publication: Publication) -> Row[Any]:
    """Publish the job's resources and complete it, in this one transaction.

    If a cancel was requested meanwhile, the job is cancelled instead and nothing
    is published: completion is the last safe point. Raises LeaseLost (and the
    caller's transaction rolls back) when the lease is gone.
    """
    row = _fenced(conn, lease, {
        "status": Status.COMPLETED.value, "progress": 1.0,
        "resource_id": publication.resource_id, "result": publication.result, **_finished(now),
    }, jobs.c.cancel_requested_at.is_(None))
    if row is None:
        return acknowledge_cancel(dialect, conn, lease, now)
    publication.write(conn, now)
    return _changed(dialect, conn, row, Status.RUNNING, Status.COMPLETED)


def complete(dialect: SqlDialect, conn: Connection, lease: Lease, now: datetime,
             manifest: manifest_store.NewManifest, parts: Sequence[artifacts.Chunk]) -> Row[Any]:
    """Publish the manifest and complete the job, in this one transaction (`complete_with`)."""
    return complete_with(dialect, conn, lease, now, Publication(
        manifest.id, {"manifest_id": manifest.id, "stats": manifest.stats},
        lambda c, at: manifest_store.insert_manifest(c, manifest, parts, at)))


def fail(dialect: SqlDialect, conn: Connection, lease: Lease, now: datetime, error: str) -> Row[Any]:
    """Fail the job with `error`. Raises LeaseLost."""
    row = _fenced(conn, lease, {"status": Status.FAILED.value, "error": error, **_finished(now)})
    if row is None:
        raise LeaseLost(lease.job_id)
    return _changed(dialect, conn, row, Status.RUNNING, Status.FAILED)


def acknowledge_cancel(dialect: SqlDialect, conn: Connection, lease: Lease, now: datetime) -> Row[Any]:
    """The worker stopped at a safe point after a cancel request. Raises LeaseLost."""
    row = _fenced(conn, lease, {"status": Status.CANCELLED.value, **_finished(now)},
                  jobs.c.cancel_requested_at.is_not(None))
    if row is None:
        raise LeaseLost(lease.job_id)
    return _changed(dialect, conn, row, Status.RUNNING, Status.CANCELLED)


def release(dialect: SqlDialect, conn: Connection, lease: Lease, now: datetime, *,
            count_attempt: bool) -> Row[Any]:
    """Give the job back to the queue. A graceful stop does not count the attempt
    (`count_attempt=False`); a crash of the generation process does. A job whose
    cancel was requested is cancelled instead. Raises LeaseLost."""
    row = _fenced(conn, lease, {"status": Status.CANCELLED.value, **_finished(now)},
                  jobs.c.cancel_requested_at.is_not(None))
    if row is not None:
        return _changed(dialect, conn, row, Status.RUNNING, Status.CANCELLED)
    attempt = jobs.c.attempt if count_attempt else jobs.c.attempt - 1
    row = _fenced(conn, lease, {"status": Status.QUEUED.value, "attempt": attempt,
                                "lease_owner": None, "lease_expires_at": None, **_bump(now)})
    if row is None:
        raise LeaseLost(lease.job_id)
    announce(dialect, conn, QUEUED, row.id)
    return _changed(dialect, conn, row, Status.RUNNING, Status.QUEUED)


def expired(conn: Connection, now: datetime, limit: int = 100) -> list[str]:
    """Ids of running jobs whose lease expired before `now`, oldest expiry first."""
    return list(conn.execute(
        select(jobs.c.id)
        .where(jobs.c.status == Status.RUNNING.value, jobs.c.lease_expires_at < now)
        .order_by(jobs.c.lease_expires_at, jobs.c.id).limit(limit)).scalars())


def gave_up_error(attempts: int) -> str:
    return (f"gave up after {attempts} attempt{'s' if attempts != 1 else ''}: "
            "the worker running it stopped responding (its lease expired)")


def rescue(dialect: SqlDialect, conn: Connection, job_id: str, now: datetime) -> Row[Any] | None:
    """Take back a running job whose lease expired: to queued to run again, to failed
    once its attempts are used up, to cancelled if a cancel was requested. None when
    the job no longer needs rescuing (it finished, or its worker heartbeated)."""
    seen = conn.execute(select(jobs).where(
        jobs.c.id == job_id, jobs.c.status == Status.RUNNING.value,
        jobs.c.lease_expires_at < now)).first()
    if seen is None:
        return None
    if seen.cancel_requested_at is not None:
        new, values = Status.CANCELLED, _finished(now)
    elif seen.attempt >= seen.max_attempts:
        new, values = Status.FAILED, {"error": gave_up_error(seen.attempt), **_finished(now)}
    else:
        # The next attempt starts from scratch: its progress is its own.
        new, values = Status.QUEUED, {"lease_owner": None, "lease_expires_at": None,
                                      "progress": None, **_bump(now)}
    row = conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == Status.RUNNING.value,
               jobs.c.lease_expires_at < now, jobs.c.attempt == seen.attempt,
               jobs.c.lease_owner == seen.lease_owner)
        .values(status=new.value, **values).returning(*jobs.c)).first()
    if row is None:
        return None
    if new is Status.QUEUED:
        announce(dialect, conn, QUEUED, row.id)
    return _changed(dialect, conn, row, Status.RUNNING, new)


def request_cancel(dialect: SqlDialect, conn: Connection, workspace_id: str, job_id: str,
                   now: datetime) -> Row[Any]:
    """A user's cancel: a queued job is cancelled at once; a running job gets
    `cancel_requested_at` (once; repeating is a no-op) and its worker is told.
    Raises NotFound, or Conflict when the job already finished."""
    for _ in range(3):
        row = job_store.get_job(conn, workspace_id, job_id)
        if row is None:
            raise NotFound(f"Job '{job_id}' not found", metadata={"job_id": job_id})
        status = Status(row.status)
        if status.terminal:
            raise Conflict(f"Job is already {status.value}", reason="JOB_ALREADY_FINISHED",
                           metadata={"job_id": job_id, "status": status.value})
        if status is Status.RUNNING and row.cancel_requested_at is not None:
            return row
        guard = [jobs.c.id == job_id, jobs.c.status == status.value]
        if status is Status.QUEUED:
            values = {"status": Status.CANCELLED.value, "cancel_requested_at": now,
                      **_finished(now)}
        else:
            guard.append(jobs.c.cancel_requested_at.is_(None))
            values = {"cancel_requested_at": now, **_bump(now)}
        updated = conn.execute(update(jobs).where(*guard).values(**values).returning(*jobs.c)).first()
        if updated is None:
            continue  # it moved on between the read and the write: look again
        if status is Status.QUEUED:
            _changed(dialect, conn, updated, Status.QUEUED, Status.CANCELLED)
        else:
            _changed(dialect, conn, updated, Status.RUNNING, Status.RUNNING)
            announce(dialect, conn, CANCEL, job_id)
        row = job_store.get_job(conn, workspace_id, job_id)
        assert row is not None, "updated in this transaction"
        return row
    raise Conflict(f"Job '{job_id}' is changing; try again", reason="JOB_BUSY")
