"""Group commit on both engines: concurrent calls share transactions, a client's mistake
fails only its own call, and anything else rolls the whole batch back."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from tests.support.jobs import counts_match_jobs
from tests.support.tenants import create_tenant
from worlds.core.errors import NotFound, Unavailable
from worlds.core.jobstate import Kind, ResourceType
from worlds.store import events, tenancy
from worlds.store import jobs as job_store
from worlds.store.batching import GroupCommit
from worlds.store.dialect import dialect_for
from worlds.store.engine import Database, create_db_engine
from worlds.store.models import Organization


class Recorder:
    """Creates an organization per call."""

    def __call__(self, conn: Connection, slug: str) -> str:
        if slug.startswith("missing"):
            raise NotFound(f"no {slug}")  # a client's mistake, before any write
        org_id = tenancy.create_organization(conn, slug, slug, datetime.now(UTC))
        if slug.startswith("boom"):
            raise RuntimeError("the database went away")  # after a write
        return org_id


def organizations(db: Database) -> set[str]:
    return set(db.run_read(lambda conn: conn.execute(select(Organization.slug)).scalars()))


async def submit_all(commit: GroupCommit[str, str], slugs: list[str]) -> list[object]:
    return await asyncio.gather(*(commit.submit(s) for s in slugs), return_exceptions=True)


def test_concurrent_calls_share_transactions(db: Database) -> None:
    batches: list[int] = []
    write = db.write

    async def counted_write(fn: Any, items: list[str]) -> Any:
        batches.append(len(items))
        return await write(fn, items)

    db.write = counted_write  # type: ignore[method-assign]
    commit = GroupCommit(db, Recorder(), max_batch=16)
    slugs = [f"org-{i}" for i in range(50)]
    results = asyncio.run(submit_all(commit, slugs))
    assert all(isinstance(r, str) for r in results) and len(set(results)) == 50
    assert organizations(db) == set(slugs)
    # Calls that arrive while the committer is busy (here: all of them) go together,
    # at most 16 to a transaction.
    assert batches == [16, 16, 16, 2]


def test_a_mistake_fails_only_its_own_call(db: Database) -> None:
    commit = GroupCommit(db, Recorder())
    results = asyncio.run(submit_all(commit, ["first", "a", "missing-b", "c"]))
    assert isinstance(results[2], NotFound)
    assert [isinstance(r, str) for r in results] == [True, True, False, True]
    assert organizations(db) == {"first", "a", "c"}


def test_an_unexpected_error_rolls_the_batch_back(db: Database) -> None:
    commit = GroupCommit(db, Recorder())
    assert isinstance(asyncio.run(submit_all(commit, ["first"]))[0], str)
    results = asyncio.run(submit_all(commit, ["a", "boom-b", "c"]))
    # a, boom-b and c shared a transaction, which rolled back.
    assert all(isinstance(r, RuntimeError) for r in results)
    assert organizations(db) == {"first"}
    count = db.run_read(lambda conn: conn.execute(select(func.count()).select_from(Organization)).scalar())
    assert count == 1
    # The committer carries on after a failed batch.
    assert isinstance(asyncio.run(submit_all(commit, ["after"]))[0], str)


def test_a_batch_of_jobs_writes_counters_and_events_at_its_end(db: Database) -> None:
    """Creates in one batch defer their counter rows and events to the end of the batch
    (a fixed lock order on PostgreSQL); the results are the same as one by one."""
    tenant = db.run_write(create_tenant)
    dialect = dialect_for(db.engine)
    commit = GroupCommit(db, lambda conn, seed: _insert(dialect, conn, tenant, seed),
                         scope=functools.partial(job_store.deferred_writes, dialect))
    ids = asyncio.run(submit_all(commit, [1, 2, 3, 4, 5]))  # type: ignore[arg-type]
    assert all(isinstance(job_id, str) for job_id in ids)
    counted, actual = db.run_read(counts_match_jobs, tenant.workspace_id)
    assert counted == actual == {"queued": 5}
    logged = db.run_read(lambda conn: events.read_after(conn, 0, limit=10))
    assert [e.job["id"] for e in logged] == ids
    # A batch that fails leaves neither jobs, counters nor events behind.
    failing = GroupCommit(db, lambda conn, seed: _insert(dialect, conn, tenant, seed, fail=seed == 2),
                          scope=functools.partial(job_store.deferred_writes, dialect))
    results = asyncio.run(submit_all(failing, [1, 2]))  # type: ignore[arg-type]
    assert all(isinstance(r, RuntimeError) for r in results)
    assert db.run_read(counts_match_jobs, tenant.workspace_id) == ({"queued": 5}, {"queued": 5})
    assert len(db.run_read(lambda conn: events.read_after(conn, 0, limit=10))) == 5


def _insert(dialect: Any, conn: Connection, tenant: Any, seed: int, fail: bool = False) -> str:
    creator = (tenant.owner, tenant.contributor, tenant.reader)[seed % 3]
    job = job_store.insert_job(dialect, conn, job_store.NewJob(
        organization_id=tenant.organization_id, workspace_id=tenant.workspace_id,
        project_id=tenant.default_project_id, created_by=creator.user_id,
        kind=Kind.MANIFEST_GENERATION, resource_type=ResourceType.MANIFEST, name=None,
        params={"seed": seed}, max_attempts=3), datetime.now(UTC))
    if fail:
        raise RuntimeError("lost the connection")
    return job["id"]


def test_batches_in_several_processes_do_not_deadlock(db: Database, database_url: str) -> None:
    """Like several API processes on one PostgreSQL: each has its own pool and committer,
    and their batches touch the same counter rows in different orders of arrival."""
    tenant = db.run_write(create_tenant)

    def process(offset: int) -> list[object]:
        own = Database(create_db_engine(database_url, pool_size=2))
        dialect = dialect_for(own.engine)
        commit = GroupCommit(own, lambda conn, seed: _insert(dialect, conn, tenant, seed),
                             scope=functools.partial(job_store.deferred_writes, dialect))
        try:
            # Seeds in a different order in each process: creators arrive shuffled.
            seeds = [offset + (i * 7 + offset) % 150 for i in range(150)]
            return asyncio.run(submit_all(commit, seeds))  # type: ignore[arg-type]
        finally:
            own.close()

    with ThreadPoolExecutor(3) as pool:
        results = [r for batch in pool.map(process, [0, 1000, 2000]) for r in batch]
    assert [r for r in results if not isinstance(r, str)] == []
    counted, actual = db.run_read(counts_match_jobs, tenant.workspace_id)
    assert counted == actual == {"queued": 450}


def test_calls_after_close_are_refused_as_shutting_down_and_write_nothing(
        db: Database, database_url: str) -> None:
    """Work still in flight when a stopping server closes its database (its grace period ran
    out) gets UNAVAILABLE, which a client retries elsewhere, not an internal error."""
    commit = GroupCommit(db, Recorder())
    assert asyncio.run(commit.submit("org-before")) != ""
    db.close()
    results = asyncio.run(submit_all(commit, ["org-after-1", "org-after-2"]))
    for result in results:
        assert isinstance(result, Unavailable), result
        assert result.reason == "SHUTTING_DOWN"
    for call in (db.read, db.read_snapshot, db.write):
        try:
            asyncio.run(call(lambda conn: 1))
        except Unavailable as exc:
            assert exc.reason == "SHUTTING_DOWN"
        else:
            raise AssertionError(f"{call.__name__} ran on a closed database")
    reopened = Database(create_db_engine(database_url))
    try:
        assert organizations(reopened) == {"org-before"}
    finally:
        reopened.close()
