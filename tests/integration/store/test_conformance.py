"""The database seam's contract, one suite run against every engine (see the docstring of
`worlds.store.dialect` and docs/storage.md): claim races, sequence monotonicity across
pruning, snapshot consistency of a multi-statement read, NUL and control characters,
the clock source, and notification delivery with its polling fallback.

Each case runs on SQLite and on PostgreSQL through the `db` fixture; where an engine
lacks a capability (LISTEN on SQLite) the case checks what stands in for it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from tests.support.jobs import PinnedClock, insert_job
from tests.support.tenants import Tenant, create_tenant
from worlds.core.lease import LeasePolicy
from worlds.store import events, tenancy
from worlds.store import queue as queue_store
from worlds.store.batching import GroupCommit
from worlds.store.dialect import SqlDialect, dialect_for
from worlds.store.engine import Database
from worlds.store.models import Job, Organization
from worlds.store.notify import JobSignals, PgListener, libpq_conninfo
from worlds.watch.hub import EventHub

KINDS = ("manifest_generation",)
POLICY = LeasePolicy(30)


@pytest.fixture
def dialect(db: Database) -> SqlDialect:
    return dialect_for(db.engine)


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return db.run_write(create_tenant)


def claim(db: Database, dialect: SqlDialect, owner: str, now: datetime) -> Any:
    return db.run_write(lambda c: queue_store.claim(dialect, c, owner, now, POLICY.expiry(now),
                                                    KINDS))


# -- claim races ------------------------------------------------------------------------


def test_racing_claimers_each_get_distinct_jobs_and_all_of_them(
        db: Database, dialect: SqlDialect, tenant: Tenant) -> None:
    clock = PinnedClock()
    ids = {insert_job(db, tenant, clock.advance(0.001)) for _ in range(40)}
    claimed: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def run(owner: str) -> None:
        barrier.wait()
        while (row := claim(db, dialect, owner, clock())) is not None:
            with lock:
                claimed.append(row.id)

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(claimed) == sorted(ids), "every job claimed exactly once"


# -- sequences ----------------------------------------------------------------------------


def _append(db: Database, dialect: SqlDialect, tenant: Tenant, now: datetime) -> int:
    """A job's insert appends one event; its seq."""
    job_id = insert_job(db, tenant, now)
    return db.run_read(lambda c: events.last_seq(c, job_id=job_id))


def test_sequence_numbers_are_never_reused_after_pruning_emptied_the_log(
        db: Database, dialect: SqlDialect, tenant: Tenant) -> None:
    clock = PinnedClock()
    before = [_append(db, dialect, tenant, clock.advance(1)) for _ in range(3)]
    assert before == sorted(set(before))
    assert db.run_write(events.prune, clock.advance(10)) == 3
    assert db.run_read(lambda c: c.execute(select(func.count()).select_from(
        events.job_events)).scalar()) == 0, "the log is empty"
    horizon = db.run_read(events.horizon)
    assert horizon == before[-1]
    after = _append(db, dialect, tenant, clock.advance(1))
    assert after > before[-1], f"seq {after} reused after pruning through {before[-1]}"
    assert db.run_read(events.last_seq) == after


def test_the_pruned_horizon_never_moves_back(db: Database, dialect: SqlDialect,
                                             tenant: Tenant) -> None:
    clock = PinnedClock()
    for _ in range(3):
        _append(db, dialect, tenant, clock.advance(1))
    db.run_write(events.prune, clock.advance(10))
    high = db.run_read(events.horizon)
    # An event stamped with an older time (another host's clock) then a prune that
    # reaches only it: the horizon stays where it was.
    _append(db, dialect, tenant, clock.now - timedelta(days=1))
    db.run_write(events.prune, clock.now - timedelta(hours=1))
    assert db.run_read(events.horizon) >= high
    # Pruning that reaches nothing new never lowers it either.
    db.run_write(events.prune, clock.now - timedelta(days=30))
    assert db.run_read(events.horizon) >= high


# -- snapshot consistency ---------------------------------------------------------------


@pytest.fixture
def commit_between_statements(db: Database) -> Iterator[list[Any]]:
    """Commit a change from another connection right after the first statement that
    reads `jobs` (a hook on the real engine, as a concurrent writer would): the pending
    writes go in the list the test returns."""
    pending: list[Any] = []

    def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if pending and "FROM jobs" in statement and "job_events" not in statement:
            work = pending.pop()
            db.run_write(work)

    event.listen(db.engine, "after_cursor_execute", hook)
    try:
        yield pending
    finally:
        event.remove(db.engine, "after_cursor_execute", hook)


def test_a_snapshot_read_sees_one_state_across_statements(
        db: Database, dialect: SqlDialect, tenant: Tenant,
        commit_between_statements: list[Any]) -> None:
    clock = PinnedClock()
    insert_job(db, tenant, clock())
    commit_between_statements.append(
        lambda c: tenancy.create_organization(c, "between", "Between", clock()))

    def two_reads(conn: Connection) -> tuple[int, int]:
        jobs = conn.execute(select(func.count()).select_from(Job)).scalar_one()
        orgs = conn.execute(select(func.count()).select_from(Organization)).scalar_one()
        return jobs, orgs

    _, orgs = db.run_read_snapshot(two_reads)
    assert orgs == 1, "the organization committed after the first statement is not visible"
    assert db.run_read(lambda c: c.execute(select(func.count()).select_from(
        Organization)).scalar_one()) == 2


def test_a_watch_starts_from_one_snapshot_of_the_job_and_its_position(
        db: Database, dialect: SqlDialect, tenant: Tenant,
        commit_between_statements: list[Any]) -> None:
    """The first message of WatchJob: the job and the seq it was read at come from one
    snapshot, so a change committed between them is delivered next, never lost."""
    from worlds.v1 import jobs_pb2
    from worlds.v1 import worlds_service_pb2 as pb
    from worlds.watch.streams import Scope, Watch

    clock = PinnedClock()
    job_id = insert_job(db, tenant, clock())
    queued_seq = db.run_read(lambda c: events.last_seq(c, job_id=job_id))
    commit_between_statements.append(lambda c: queue_store.claim(
        dialect, c, "racer", clock(), POLICY.expiry(clock()), KINDS))

    async def first() -> Any:
        watch = Watch(db, EventHub(db), Scope(tenant.workspace_id, job_id), heartbeat=5,
                      wrap=pb.WatchJobResponse)
        stream = watch.stream(None)
        try:
            return (await stream.__anext__()).event
        finally:
            await stream.aclose()

    message = asyncio.run(first())
    assert message.job.status == jobs_pb2.JOB_STATUS_QUEUED
    assert int(message.event_id) == queued_seq, "the position must be the snapshot's"


# -- text ---------------------------------------------------------------------------------


def test_nul_is_refused_by_postgresql_and_kept_by_sqlite(db: Database) -> None:
    """What the engines accept differs; the API refuses control characters for both."""
    now = datetime.now(UTC)
    try:
        db.run_write(lambda c: tenancy.create_organization(c, "nul", "a\x00b", now))
    except SQLAlchemyError:
        assert db.dialect_name == "postgresql"
    else:
        assert db.dialect_name == "sqlite"
        assert db.run_read(lambda c: c.execute(
            select(Organization.name).where(Organization.slug == "nul")).scalar_one()) == "a\x00b"
    # Other control characters are stored as given by both.
    db.run_write(lambda c: tenancy.create_organization(c, "bell", "a\x07b", now))


def test_one_member_the_engine_refuses_fails_alone_in_a_group_commit(db: Database) -> None:
    """A batch member whose write the engine rejects (a NUL on PostgreSQL, a duplicate
    key on either) is rolled back to its savepoint; the others commit."""
    now = datetime.now(UTC)
    db.run_write(lambda c: tenancy.create_organization(c, "taken", "Taken", now))

    def run_one(conn: Connection, slug: str) -> str:
        org_id = tenancy.create_organization(conn, slug, slug, now)
        if slug == "bad":
            # Written already, then refused by the engine.
            conn.execute(text("INSERT INTO organizations SELECT * FROM organizations "
                              "WHERE slug = 'taken'"))
        if slug == "nul" and db.dialect_name == "postgresql":
            tenancy.create_organization(conn, "nul-2", "a\x00b", now)
        return org_id

    commit: GroupCommit[str, str] = GroupCommit(db, run_one)

    async def submit() -> list[object]:
        return await asyncio.gather(*(commit.submit(s) for s in ("a", "bad", "b", "nul", "c")),
                                    return_exceptions=True)

    results = asyncio.run(submit())
    assert isinstance(results[1], SQLAlchemyError)
    good = [r for i, r in enumerate(results) if i not in (1, 3)]
    assert all(isinstance(r, str) for r in good), results
    slugs = set(db.run_read(lambda c: c.execute(select(Organization.slug)).scalars()))
    assert {"a", "b", "c"} <= slugs and "bad" not in slugs
    if db.dialect_name == "postgresql":
        assert isinstance(results[3], SQLAlchemyError) and "nul" not in slugs


# -- clock ----------------------------------------------------------------------------------


def test_the_database_clock_is_utc_and_moves(db: Database, dialect: SqlDialect) -> None:
    first = db.run_read(dialect.now)
    second = db.run_read(dialect.now)
    assert first.tzinfo is not None and first.utcoffset() == timedelta(0)
    assert first <= second
    # The server here runs on this host, so it agrees with the local clock.
    assert abs(first - datetime.now(UTC)) < timedelta(seconds=5)


# -- notifications --------------------------------------------------------------------------


def test_a_commit_is_delivered_by_notification_or_by_the_poll(
        db: Database, dialect: SqlDialect, tenant: Tenant) -> None:
    """With LISTEN (PostgreSQL) a NOTIFY reaches another connection's listener at commit;
    without it (SQLite) the event hub's poll finds the change all the same."""

    insert_job(db, tenant, datetime.now(UTC))

    async def scenario() -> tuple[bool, list[int]]:
        signals = JobSignals()
        heard = asyncio.Event()
        signals.on_change(heard.set)
        listener = None
        if dialect.supports_listen:
            listener = PgListener(libpq_conninfo(db.engine), signals)
            await listener.start()
            heard.clear()  # the (re)connect's own wake-up
        hub = EventHub(db, poll_interval=0.2)
        await hub.start()
        subscription = hub.subscribe(tenant.workspace_id)
        try:
            # Committed outside `Database.write`'s listeners: no in-process wake-up.
            await asyncio.to_thread(claim, db, dialect, "w1", datetime.now(UTC))
            notified = False
            if listener is not None:
                await asyncio.wait_for(heard.wait(), 5)
                notified = True
            delivered = await subscription.next(5)
            return notified, [e.seq for e in delivered]
        finally:
            subscription.close()
            await hub.stop()
            if listener is not None:
                await listener.stop()

    notified, delivered = asyncio.run(scenario())
    assert notified is dialect.supports_listen
    assert len(delivered) == 1
