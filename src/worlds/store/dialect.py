"""The one seam between the two database engines.

Everything engine-specific that the store needs goes through a `SqlDialect`;
no other module branches on the engine's name. Callers that need to know what
an engine can do read a capability flag (`supports_listen`), never its name.

The contract every engine keeps (checked, engine by engine, by
`tests/integration/store/test_conformance.py`; see also docs/storage.md):

- Isolation. A plain transaction may see other transactions' commits between
  its statements (PostgreSQL runs READ COMMITTED). A read that needs one
  consistent view across several statements uses `Database.read_snapshot`
  (REPEATABLE READ on PostgreSQL; on SQLite every read transaction is one WAL
  snapshot from its first read). Writes on SQLite are serialised (BEGIN
  IMMEDIATE); on PostgreSQL concurrent claims skip each other's locked rows.
- Sequences. `job_events.seq` is handed out in commit order (`events_lock`),
  strictly increases and is never reused, not even after pruning emptied the
  log; the pruned horizon never decreases.
- Text. PostgreSQL rejects NUL in text and JSON; SQLite stores it. The API
  therefore rejects every control character except tab, newline and carriage
  return at validation (`worlds.api.validation`), so no engine ever sees one,
  and each member of a group-committed batch runs in its own savepoint
  (`worlds.store.batching`), so one member's bad data never fails another.
- Clock. Lease expiry is stamped and compared with the database's clock
  (`SqlDialect.now`), never with the clocks of the hosts that run workers.
- Notifications. `notify` is delivered at commit on engines that have it
  (`supports_listen`); they only shorten waits, and every reader also polls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, Row, Table, bindparam, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from worlds.core.jobstate import Status
from worlds.store.models import Job, UtcDateTime, table_of

_jobs = table_of(Job)

# The PostgreSQL advisory lock that orders appends to the job event log.
EVENTS_LOCK_KEY = 0x776F726C64735F65  # "worlds_e"


@dataclass(frozen=True)
class ClaimParams:
    """Who claims, for how long, and which kinds of job it can run."""

    owner: str
    now: datetime
    lease_expires_at: datetime
    kinds: tuple[str, ...]


class SqlDialect(Protocol):
    name: str
    # Whether the engine can push notifications to another process (LISTEN/NOTIFY).
    supports_listen: bool

    def add_counts(self, conn: Connection, table: Table, key_columns: Sequence[str],
                   rows: Sequence[dict[str, Any]]) -> None:
        """Add each row's `n` to the counter row with the same key, creating it if missing."""

    def insert_if_absent(self, conn: Connection, table: Table, values: dict[str, Any]) -> bool:
        """Insert `values` unless a row with the same primary key exists; whether it did.
        On PostgreSQL, a conflicting row another transaction has inserted but not yet
        committed makes this wait for that transaction (then it inserts or not)."""

    def job_claim(self, conn: Connection, params: ClaimParams) -> Row[Any] | None:
        """Atomically move the oldest queued job (created_at, then id) of `params.kinds`
        to running under a new lease: attempt + 1, the owner, the expiry, `started_at`
        on the first start, progress 0 if unset, version + 1. Returns the updated row,
        or None when nothing is queued. Two concurrent claims never get the same job.
        The caller keeps `job_counts` in step."""

    def notify(self, conn: Connection, channel: str, payload: str) -> None:
        """Tell other processes `payload` on `channel` when this transaction commits.
        A no-op on engines without cross-process notifications."""

    def events_lock(self, conn: Connection) -> None:
        """Before appending to the job event log: make appends commit in `seq` order
        (held until this transaction ends), so a reader never passes a seq whose
        transaction is still open."""

    def now(self, conn: Connection) -> datetime:
        """The database's current time (timezone-aware UTC): the one clock that every
        worker and rescuer of a fleet shares, whatever their hosts' clocks say."""


def _claim_statement(params: ClaimParams, *, skip_locked: bool) -> Any:
    candidate = (
        select(_jobs.c.id)
        .where(_jobs.c.status == Status.QUEUED.value, _jobs.c.kind.in_(params.kinds))
        .order_by(_jobs.c.created_at, _jobs.c.id)
        .limit(1)
    )
    if skip_locked:
        candidate = candidate.with_for_update(skip_locked=True)
    now = literal(params.now, UtcDateTime())
    return (
        update(_jobs)
        .where(_jobs.c.id == candidate.scalar_subquery(), _jobs.c.status == Status.QUEUED.value)
        .values(
            status=Status.RUNNING.value,
            attempt=_jobs.c.attempt + 1,
            lease_owner=params.owner,
            lease_expires_at=params.lease_expires_at,
            started_at=func.coalesce(_jobs.c.started_at, now),
            progress=func.coalesce(_jobs.c.progress, 0.0),
            version=_jobs.c.version + 1,
            updated_at=params.now,
        )
        .returning(*_jobs.c)
    )


class _OnConflictDialect:
    """Both engines speak `INSERT … ON CONFLICT DO UPDATE`; only the construct differs."""

    name: str
    _insert: Any

    def __init__(self) -> None:
        self._upserts: dict[tuple[str, tuple[str, ...]], Any] = {}

    def _upsert(self, table: Table, key_columns: tuple[str, ...]) -> Any:
        statement = self._upserts.get((table.name, key_columns))
        if statement is None:
            insert = self._insert(table).values(
                {c: bindparam(c) for c in (*key_columns, "n")})
            statement = insert.on_conflict_do_update(
                index_elements=list(key_columns), set_={"n": table.c.n + insert.excluded.n})
            self._upserts[(table.name, key_columns)] = statement
        return statement

    def insert_if_absent(self, conn: Connection, table: Table, values: dict[str, Any]) -> bool:
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT that did nothing.
        key = next(iter(table.primary_key.columns))
        statement = self._insert(table).values(values).on_conflict_do_nothing().returning(key)
        return conn.execute(statement).first() is not None

    def add_counts(self, conn: Connection, table: Table, key_columns: Sequence[str],
                   rows: Sequence[dict[str, Any]]) -> None:
        # Rows in key order: concurrent transactions then lock counter rows in the
        # same order and cannot deadlock on them.
        key = tuple(key_columns)
        statement = self._upsert(table, key)
        for row in sorted(rows, key=lambda r: tuple(r[c] for c in key)):
            conn.execute(statement, row)


class SQLiteDialect(_OnConflictDialect):
    name = "sqlite"
    supports_listen = False
    _insert = staticmethod(sqlite.insert)

    def job_claim(self, conn: Connection, params: ClaimParams) -> Row[Any] | None:
        # SQLite has no FOR UPDATE (SQLAlchemy renders it as nothing). The claim is
        # atomic because it is one UPDATE … RETURNING inside a BEGIN IMMEDIATE
        # transaction: the write lock is held from the start, so no other
        # connection can claim between the subquery and the update.
        if not conn.get_execution_options().get("worlds_write"):
            raise RuntimeError("a SQLite claim must run in a write (BEGIN IMMEDIATE) transaction")
        return conn.execute(_claim_statement(params, skip_locked=False)).first()

    def notify(self, conn: Connection, channel: str, payload: str) -> None:
        # One process owns the notifications on SQLite: `worlds.store.notify.JobSignals`
        # in-process, polling across processes.
        return None

    def events_lock(self, conn: Connection) -> None:
        # Writers are serialised by BEGIN IMMEDIATE already: commit order is seq order.
        return None

    def now(self, conn: Connection) -> datetime:
        # SQLite's clock is the clock of the host that holds the file, which every
        # process using it shares (SQLite is never shared across hosts).
        value = conn.execute(_SQLITE_NOW).scalar_one()
        return datetime.fromisoformat(value).replace(tzinfo=UTC)


class PostgresDialect(_OnConflictDialect):
    name = "postgresql"
    supports_listen = True
    _insert = staticmethod(postgresql.insert)

    def job_claim(self, conn: Connection, params: ClaimParams) -> Row[Any] | None:
        # The River/Oban claim: lock the oldest queued row, skipping rows another
        # claimer holds, and update it in the same statement.
        return conn.execute(_claim_statement(params, skip_locked=True)).first()

    def notify(self, conn: Connection, channel: str, payload: str) -> None:
        # Delivered at commit, only if the transaction commits; payloads stay tiny
        # (ids), far below the 8000-byte limit.
        conn.execute(select(func.pg_notify(channel, payload)))

    def events_lock(self, conn: Connection) -> None:
        # Sequence values are handed out before commit, so without this a reader could
        # see seq 12 committed while 11 is still open, move its cursor past 11 and miss
        # it. The lock is taken last in the transaction (the append is its final
        # write), so it is held only for the append and the commit.
        conn.execute(_EVENTS_LOCK)

    def now(self, conn: Connection) -> datetime:
        # clock_timestamp(), not now(): the time of this statement, not of the
        # transaction's start (a claim can wait on a lock).
        value: datetime = conn.execute(_PG_NOW).scalar_one()
        return value.astimezone(UTC)


_EVENTS_LOCK = select(func.pg_advisory_xact_lock(literal(EVENTS_LOCK_KEY)))
_PG_NOW = select(func.clock_timestamp())
_SQLITE_NOW = select(func.strftime("%Y-%m-%d %H:%M:%f", "now"))


def dialect_for(engine: Engine) -> SqlDialect:
    name = engine.dialect.name
    if name == "sqlite":
        return SQLiteDialect()
    if name == "postgresql":
        return PostgresDialect()
    raise ValueError(f"unsupported database engine: {name}")
