"""The job event log: one row per change of a job, for watchers and their resume.

Every change of a job (insert, claim, progress, cancel request, completion…)
appends the job's new state here, in the same transaction as the change. The
log's `seq` is the resume token of the watch RPCs: a watcher that comes back
with its last `seq` reads every later event of its job or workspace, in order,
none twice. Notifications only wake readers; the log is the source of truth.

Ordering: `seq` must follow commit order, or a reader could pass a sequence
number whose transaction has not committed yet and miss it for good. SQLite
commits one writer at a time, so it does; on PostgreSQL the dialect takes a
transaction-level lock before appending (`SqlDialect.events_lock`), held to
commit, so appends commit in `seq` order too.

Retention: events older than the retention window are pruned; `horizon` is the
highest pruned `seq`, and a resume token below it can no longer be served (the
events after it are gone in part).

Monotonicity: a `seq` is never handed out twice, on either engine, even after
pruning emptied the log (SQLite's table is AUTOINCREMENT, PostgreSQL's a
sequence), and the horizon never moves backwards (`prune` only raises it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from worlds.store.dialect import SqlDialect
from worlds.store.engine import mark_job_changed
from worlds.store.models import EventHorizon, JobEvent, User, table_of

job_events = table_of(JobEvent)
event_horizon = table_of(EventHorizon)
users = table_of(User)

# The job columns a watcher needs to rebuild the job record (the creator's
# public fields are joined when reading, so a renamed user reads as renamed).
SNAPSHOT_COLUMNS = (
    "id", "organization_id", "workspace_id", "project_id", "kind", "status", "progress",
    "resource_type", "resource_id", "result", "error", "created_by", "created_at",
    "started_at", "completed_at", "cancel_requested_at", "updated_at", "version",
)
# The status before the change, beside the snapshot's columns (absent in older events).
PREVIOUS_STATUS = "previous_status"
_TIMESTAMPS = ("created_at", "started_at", "completed_at", "cancel_requested_at", "updated_at")

@dataclass(frozen=True, eq=False)
class Event:
    seq: int
    # The job as it was after the change, with its creator's public fields.
    job: dict[str, Any]
    # Messages built from this event, shared by every watcher it is delivered to.
    cache: dict[Any, Any] = field(default_factory=dict)


def _snapshot(job: Mapping[str, Any]) -> dict[str, Any]:
    snapshot = {name: job.get(name) for name in SNAPSHOT_COLUMNS}
    for name in _TIMESTAMPS:
        value = snapshot[name]
        if value is not None:
            snapshot[name] = value.isoformat()
    return snapshot


def _restore(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    job = dict(snapshot)
    for name in _TIMESTAMPS:
        if job.get(name) is not None:
            job[name] = datetime.fromisoformat(job[name])
    return job


# Rows come back in the order they were given (one multi-row INSERT … RETURNING).
_INSERT = job_events.insert().returning(job_events.c.seq, sort_by_parameter_order=True)


def _row(job: Any, now: datetime, previous_status: str | None = None) -> dict[str, Any]:
    values = job._mapping if hasattr(job, "_mapping") else job
    snapshot = _snapshot(values)
    if previous_status is not None:
        snapshot[PREVIOUS_STATUS] = previous_status
    return {
        "workspace_id": values["workspace_id"], "job_id": values["id"],
        "version": values["version"], "status": values["status"], "kind": values["kind"],
        "project_id": values.get("project_id"), "created_by": values.get("created_by"),
        "snapshot": snapshot, "created_at": now,
    }


def record(dialect: SqlDialect, conn: Connection, job: Any, now: datetime, *,
           previous_status: str | None = None) -> int:
    """Append the state of `job` (a row or mapping, after its change); returns its seq.
    `previous_status` (the status before the change; None for a new job) lets a
    status-filtered watch see the change by which a job leaves its filter."""
    return record_many(dialect, conn, [(job, now)], [previous_status])[0]


def record_many(dialect: SqlDialect, conn: Connection,
                changes: Sequence[tuple[Any, datetime]],
                previous_statuses: Sequence[str | None] | None = None) -> list[int]:
    """Append the states of jobs after their changes, `(job, when)` in order, with one lock
    and one statement: a batch of creates holds the PostgreSQL events lock for one round
    trip, not one per job."""
    if not changes:
        return []
    previous = previous_statuses or [None] * len(changes)
    rows = [_row(job, now, before) for (job, now), before in zip(changes, previous, strict=True)]
    dialect.events_lock(conn)
    result = conn.execute(_INSERT, rows[0]) if len(rows) == 1 else conn.execute(_INSERT, rows)
    seqs = [int(seq) for seq in result.scalars()]
    mark_job_changed(conn)
    return seqs


_AFTER = (
    select(job_events.c.seq, job_events.c.snapshot, users.c.email, users.c.username,
           users.c.full_name)
    .select_from(job_events.outerjoin(users, users.c.id == job_events.c.created_by))
    .order_by(job_events.c.seq)
)


def _event(row: Any) -> Event:
    job = _restore(row.snapshot)
    job.update(user_email=row.email, user_username=row.username, user_full_name=row.full_name)
    return Event(int(row.seq), job)


def read_after(conn: Connection, cursor: int, *, limit: int, workspace_id: str | None = None,
               job_id: str | None = None) -> list[Event]:
    """Events with seq > cursor, oldest first, optionally of one workspace or job."""
    query = _AFTER.where(job_events.c.seq > cursor)
    if workspace_id is not None:
        query = query.where(job_events.c.workspace_id == workspace_id)
    if job_id is not None:
        query = query.where(job_events.c.job_id == job_id)
    return [_event(row) for row in conn.execute(query.limit(limit))]


def last_seq(conn: Connection, *, job_id: str | None = None) -> int:
    """The newest seq (of one job), or the horizon when there is none."""
    query = select(func.max(job_events.c.seq))
    if job_id is not None:
        query = query.where(job_events.c.job_id == job_id)
    found = conn.execute(query).scalar()
    return int(found) if found is not None else horizon(conn)


_HORIZON = select(event_horizon.c.pruned_through).where(event_horizon.c.id == 1)


def horizon(conn: Connection) -> int:
    """The highest pruned seq: tokens below it cannot be served any more."""
    value = conn.execute(_HORIZON).scalar()
    return int(value or 0)


def prune(conn: Connection, before: datetime) -> int:
    """Delete events older than `before`; returns how many."""
    newest = conn.execute(select(func.max(job_events.c.seq))
                          .where(job_events.c.created_at < before)).scalar()
    if newest is None:
        return 0
    removed = conn.execute(delete(job_events).where(job_events.c.seq <= newest)).rowcount
    if conn.execute(_HORIZON).first() is None:
        conn.execute(event_horizon.insert().values(id=1, pruned_through=newest))
    else:
        # Only ever raised: a horizon that went back would make expired tokens valid.
        conn.execute(update(event_horizon)
                     .where(event_horizon.c.id == 1, event_horizon.c.pruned_through < newest)
                     .values(pruned_through=bindparam("seq")), {"seq": newest})
    return int(removed or 0)
