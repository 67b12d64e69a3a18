"""Retention of finished jobs: deleting terminal jobs older than a cut-off, with their
artifacts.

A job is deleted together with its manifest and the manifest's chunks (foreign keys
cascade), its idempotency keys, and its share of `job_counts`, in one transaction per
batch, so list totals stay exact. Only terminal jobs (completed, failed, cancelled) whose
`completed_at` is before the cut-off go; queued and running jobs are never touched. The
job event log is pruned on its own schedule (`worlds.store.events.prune`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select

from worlds.core.jobstate import TERMINAL
from worlds.store import idempotency
from worlds.store import jobs as job_store
from worlds.store.dialect import SqlDialect
from worlds.store.models import Job, table_of

_jobs = table_of(Job)

_EXPIRED = (select(_jobs.c.id, _jobs.c.workspace_id, _jobs.c.project_id, _jobs.c.created_by,
                   _jobs.c.kind, _jobs.c.status)
            .where(_jobs.c.status.in_([s.value for s in TERMINAL]),
                   _jobs.c.completed_at < bindparam("before"))
            .order_by(_jobs.c.completed_at, _jobs.c.id)
            .limit(bindparam("limit")))


def prune_finished(dialect: SqlDialect, conn: Connection, before: datetime, limit: int = 500) -> int:
    """Delete up to `limit` terminal jobs that finished before `before`; how many."""
    rows = list(conn.execute(_EXPIRED, {"before": before, "limit": limit}))
    if not rows:
        return 0
    ids = [row.id for row in rows]
    job_store.forget_counts(dialect, conn, rows)
    idempotency.forget_jobs(conn, ids)
    conn.execute(delete(_jobs).where(_jobs.c.id.in_(ids)))
    return len(ids)

