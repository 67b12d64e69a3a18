"""Jobs: creating, reading and listing them, with exact per-filter totals.

`job_counts` is maintained here, in the same transaction as every insert and
status change (`move_count`), so `total` stays exact and costs a few rows to sum
however many jobs a workspace holds.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, or_, select

from worlds.core.ids import new_id
from worlds.core.jobstate import Kind, ResourceType, Status
from worlds.store import events
from worlds.store.dialect import SqlDialect
from worlds.store.models import Job, JobCount, User, table_of

jobs = table_of(Job)
job_counts = table_of(JobCount)
users = table_of(User)

_COUNT_KEY = ("workspace_id", "project_id", "created_by", "kind", "status")

# A job row together with its creator's public fields, as every read returns it.
_JOB_WITH_USER = select(
    jobs, users.c.email.label("user_email"), users.c.username.label("user_username"),
    users.c.full_name.label("user_full_name"),
).select_from(jobs.outerjoin(users, users.c.id == jobs.c.created_by))


@dataclass(frozen=True)
class NewJob:
    organization_id: str
    workspace_id: str
    project_id: str
    created_by: str
    kind: Kind
    resource_type: ResourceType
    name: str | None
    params: dict[str, Any]
    max_attempts: int
    # Chosen beforehand when something written before the job names it (an idempotency key).
    id: str | None = None


@dataclass(frozen=True)
class JobFilter:
    workspace_id: str
    kind: str | None = None
    status: str | None = None
    project_id: str | None = None
    created_by: str | None = None


@dataclass(frozen=True)
class JobPage:
    rows: list[Row[Any]]
    total: int


def _count_key(row: Any) -> dict[str, Any]:
    get = row.get if isinstance(row, Mapping) else row._mapping.get
    return {
        "workspace_id": get("workspace_id"),
        "project_id": get("project_id") or "",
        "created_by": get("created_by") or "",
        "kind": get("kind"),
    }


def move_count(dialect: SqlDialect, conn: Connection, job: Any, old: Status | None,
               new: Status | None) -> None:
    """Record that `job` left status `old` (None: it is new) for `new`."""
    key = _count_key(job)
    rows = []
    if old is not None:
        rows.append({**key, "status": old.value, "n": -1})
    if new is not None:
        rows.append({**key, "status": new.value, "n": 1})
    dialect.add_counts(conn, job_counts, _COUNT_KEY, rows)


def forget_counts(dialect: SqlDialect, conn: Connection, rows: Sequence[Any]) -> None:
    """Record that these jobs are deleted (each leaves its status), one counter row
    write per key, in key order like every counter write."""
    totals: dict[tuple[str, ...], int] = {}
    for row in rows:
        key = (*_count_key(row).values(), row._mapping["status"])
        totals[key] = totals.get(key, 0) - 1
    dialect.add_counts(conn, job_counts, _COUNT_KEY, [
        dict(zip((*_COUNT_KEY, "n"), (*key, n), strict=True)) for key, n in totals.items()])


_INSERT_JOB = jobs.insert()
_GET_JOB = _JOB_WITH_USER.where(jobs.c.id == bindparam("job_id"),
                                jobs.c.workspace_id == bindparam("workspace_id"))
_FILTERS = ("kind", "status", "project_id", "created_by")


def insert_job(dialect: SqlDialect, conn: Connection, new: NewJob, now: datetime) -> dict[str, Any]:
    """Insert a queued job; returns its column values (the row as stored)."""
    values = {
        "id": new.id or new_id(),
        "organization_id": new.organization_id,
        "workspace_id": new.workspace_id,
        "project_id": new.project_id,
        "kind": new.kind.value,
        "status": Status.QUEUED.value,
        "resource_type": new.resource_type.value,
        "result": {},
        "created_by": new.created_by,
        "created_at": now,
        "updated_at": now,
        "name": new.name,
        "params": new.params,
        "attempt": 0,
        "max_attempts": new.max_attempts,
        "version": 1,
    }
    conn.execute(_INSERT_JOB, values)
    values.update(progress=None, resource_id=None, error=None, started_at=None,
                  completed_at=None, cancel_requested_at=None, lease_owner=None,
                  lease_expires_at=None)
    deferred: _Deferred | None = conn.info.get(_DEFERRED)
    if deferred is None:
        move_count(dialect, conn, values, None, Status.QUEUED)
        events.record(dialect, conn, values, now)
    else:
        deferred.add(values, now)
    return values


_DEFERRED = "worlds_deferred_job_writes"


class _Deferred:
    """The counter moves and events of the jobs inserted in a `deferred_writes` block."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, ...], int] = {}
        self.events: list[tuple[dict[str, Any], datetime]] = []

    def add(self, job: dict[str, Any], now: datetime) -> None:
        key = (*_count_key(job).values(), Status.QUEUED.value)
        self.counts[key] = self.counts.get(key, 0) + 1
        self.events.append((dict(job), now))


@contextlib.contextmanager
def deferred_writes(dialect: SqlDialect, conn: Connection) -> Iterator[None]:
    """Within one transaction that inserts many jobs (group commit), write their counter
    rows and their events once, at the end: counter rows in key order, then the event
    log, whose lock (PostgreSQL) is taken last as in every other job transaction. So two
    such transactions, or one and a worker's, take their locks in the same order and
    cannot deadlock. Nothing is written if the block fails."""
    deferred = conn.info[_DEFERRED] = _Deferred()
    try:
        yield
    finally:
        conn.info.pop(_DEFERRED, None)
    rows = [dict(zip((*_COUNT_KEY, "n"), (*key, n), strict=True))
            for key, n in deferred.counts.items()]
    if rows:
        dialect.add_counts(conn, job_counts, _COUNT_KEY, rows)
    events.record_many(dialect, conn, deferred.events)


def get_job(conn: Connection, workspace_id: str, job_id: str) -> Row[Any] | None:
    """The job, or None when it does not exist in this workspace."""
    return conn.execute(_GET_JOB, {"job_id": job_id, "workspace_id": workspace_id}).first()


@functools.cache
def _list_statements(filters: tuple[str, ...], after: bool) -> tuple[Any, Any]:
    """The page and total statements for one combination of filters, built once.

    The page is a deferred join: the subquery walks only the covering index
    `(workspace_id[, filter], created_at, id)` to find the page's ids, however deep the
    offset, and only those rows are then read and joined with their creators. With
    `after`, the page starts after a cursor position (created_at, id) instead of an offset.
    """
    ids = select(jobs.c.id).where(jobs.c.workspace_id == bindparam("workspace_id"))
    total = select(func.coalesce(func.sum(job_counts.c.n), 0)).where(
        job_counts.c.workspace_id == bindparam("workspace_id"))
    for name in filters:
        ids = ids.where(jobs.c[name] == bindparam(name))
        total = total.where(job_counts.c[name] == bindparam(name))
    if after:
        # (created_at, id) < (cursor): the range bound lets the index seek to the cursor.
        ids = ids.where(jobs.c.created_at <= bindparam("after_created_at", type_=jobs.c.created_at.type),
                        or_(jobs.c.created_at < bindparam("after_created_at"),
                            jobs.c.id < bindparam("after_id")))
    newest_first = (jobs.c.created_at.desc(), jobs.c.id.desc())
    ids = ids.order_by(*newest_first).offset(bindparam("offset")).limit(bindparam("limit"))
    page = _JOB_WITH_USER.where(jobs.c.id.in_(ids.scalar_subquery())).order_by(*newest_first)
    return page, total


@dataclass(frozen=True)
class After:
    """A cursor position: the (created_at, id) of the last job of the previous page."""

    created_at: datetime
    id: str


def list_jobs(conn: Connection, flt: JobFilter, offset: int, limit: int,
              after: After | None = None) -> JobPage:
    """A page of jobs, newest first (created_at, then id, descending), and the exact total.
    With `after`, the page holds the jobs that follow that position (offset then counts
    from there)."""
    params: dict[str, Any] = {"workspace_id": flt.workspace_id}
    for name in _FILTERS:
        value = getattr(flt, name)
        if value is not None:
            params[name] = value
    page, total = _list_statements(tuple(name for name in _FILTERS if name in params),
                                   after is not None)
    bounds: dict[str, Any] = {"offset": offset, "limit": limit}
    if after is not None:
        bounds.update(after_created_at=after.created_at, after_id=after.id)
    rows = list(conn.execute(page, {**params, **bounds}))
    return JobPage(rows, int(conn.execute(total, params).scalar_one()))
