"""Group commit on both engines: concurrent calls share transactions, a client's mistake
fails only its own call, and anything else rolls the whole batch back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from worlds.errors import NotFound
from worlds.store import migrate, tenancy
from worlds.store.batching import GroupCommit
from worlds.store.engine import Database, create_db_engine
from worlds.store.models import Organization


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(create_db_engine(database_url, pool_size=4))
    migrate.upgrade(database.engine)
    try:
        yield database
    finally:
        database.close()


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
