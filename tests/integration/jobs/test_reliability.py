"""Regression tests of issue 11's worker and shutdown defects, on both engines: stops
that cannot lose a cancel, a progress write that meets a database error, leases on the
database's clock, and a rescued job's progress."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, text

from tests.support.jobs import PinnedClock, insert_job, job_row
from tests.support.tenants import Tenant, create_tenant
from worlds.core.lease import Lease, LeasePolicy
from worlds.core.service import BackgroundService
from worlds.jobs.rescuer import Rescuer
from worlds.jobs.worker import Worker, WorkerConfig
from worlds.store import queue as queue_store
from worlds.store.dialect import dialect_for
from worlds.store.engine import Database
from worlds.store.notify import JobSignals
from worlds.watch.hub import EventHub

KINDS = ("manifest_generation",)


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return db.run_write(create_tenant)


# -- defect 1: a stop lands in the same loop step as a wake-up -------------------------


def test_the_event_hub_stops_even_when_woken_in_the_same_step(db: Database) -> None:
    """`asyncio.wait_for` on Python 3.11 drops a cancel that arrives once the event it
    waits for is set; a hub stopped right after a wake-up then ran on for ever."""

    async def scenario(steps: int) -> None:
        hub = EventHub(db, poll_interval=30)
        await hub.start()
        await asyncio.sleep(0.05)  # the hub is waiting
        hub.wake()
        for _ in range(steps):
            await asyncio.sleep(0)
        async with asyncio.timeout(5):
            await hub.stop()
        assert not hub.running

    for steps in range(6):
        asyncio.run(scenario(steps))


class Ticker(BackgroundService):
    """A service whose loop is woken constantly, as a hub under load is."""

    name = "ticker"

    def __init__(self) -> None:
        super().__init__()
        self.tick = asyncio.Event()
        self.rounds = 0

    async def run(self) -> None:
        while await self.wait(self.tick, 10):
            self.tick.clear()
            self.rounds += 1


def test_a_service_woken_every_step_still_stops() -> None:
    async def scenario() -> None:
        ticker = Ticker()
        await ticker.start()
        loop = asyncio.get_running_loop()

        def keep_waking() -> None:
            ticker.tick.set()
            if ticker.running:
                loop.call_soon(keep_waking)

        keep_waking()
        await asyncio.sleep(0.05)
        assert ticker.rounds > 0
        async with asyncio.timeout(5):
            await ticker.stop()
        assert not ticker.running

    asyncio.run(scenario())


# -- defect 5: a database error during a progress write ----------------------------------


@pytest.fixture
def progress_writes_fail(db: Database) -> Any:
    """A real database error on every progress write of a running job below 0.9 (a
    trigger), as a killed connection or a failover gives: the writes fail, nothing else."""
    if db.dialect_name == "sqlite":
        statements = ["""CREATE TRIGGER blip BEFORE UPDATE OF progress ON jobs
            WHEN NEW.progress > 0 AND NEW.progress < 0.9
            BEGIN SELECT RAISE(ABORT, 'blip'); END"""]
    else:
        statements = ["""CREATE FUNCTION blip() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.progress > 0 AND NEW.progress < 0.9
                 AND NEW.progress IS DISTINCT FROM OLD.progress THEN
                RAISE EXCEPTION 'blip';
              END IF;
              RETURN NEW;
            END $$""",
                      "CREATE TRIGGER blip BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION blip()"]
    db.run_write(lambda conn: [conn.execute(text(s)) for s in statements])


def test_a_failed_progress_write_does_not_fail_the_job(db: Database, tenant: Tenant,
                                                       progress_writes_fail: Any) -> None:
    job_id = insert_job(db, tenant, PinnedClock().now, num_users=3, num_hosts=1)

    async def main() -> None:
        worker = Worker(db, WorkerConfig(lease=LeasePolicy(30), poll_interval=0.05,
                                         progress_interval=0.0, listen=False))
        await worker.start()
        try:
            async with asyncio.timeout(60):
                while job_row(db, job_id).status in ("queued", "running"):
                    await asyncio.sleep(0.05)
        finally:
            await worker.stop(grace=1)

    asyncio.run(main())
    row = job_row(db, job_id)
    assert (row.status, row.attempt, row.error) == ("completed", 1, None)


# -- defect 6: leases on the database's clock ------------------------------------------------


def test_leases_are_stamped_and_judged_with_the_database_clock(db: Database,
                                                               tenant: Tenant) -> None:
    """The worker and the rescuer as the service builds them (no pinned clock) read the
    time from the database inside their transactions, never from their host."""
    asked: list[str] = []

    def spy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "clock_timestamp" in statement or "strftime" in statement:
            asked.append(statement)

    insert_job(db, tenant, PinnedClock().now)
    dialect = dialect_for(db.engine)
    worker = Worker(db, WorkerConfig(listen=False))
    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        row = db.run_write(worker._claim)
        assert row is not None and asked, "the claim read the database's clock"
        db_now = db.run_read(dialect.now)
        assert abs(row.lease_expires_at - (db_now + timedelta(seconds=30))) < timedelta(seconds=5)
        asked.clear()
        rescuer = Rescuer(db, dialect, signals=JobSignals())
        assert asyncio.run(rescuer.rescue_once()) == 0
        assert asked, "the rescuer compared with the database's clock"
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)


# -- defect 11: a rescued job's progress ----------------------------------------------------


def test_a_rescued_job_starts_again_without_the_old_progress(db: Database,
                                                             tenant: Tenant) -> None:
    clock = PinnedClock()
    dialect = dialect_for(db.engine)
    job_id = insert_job(db, tenant, clock())
    policy = LeasePolicy(30)
    row = db.run_write(lambda c: queue_store.claim(dialect, c, "w1", clock(),
                                                   policy.expiry(clock()), KINDS))
    lease = Lease(row.id, row.attempt, "w1")
    db.run_write(lambda c: queue_store.report_progress(dialect, c, lease, 0.6, clock()))
    clock.advance(60)
    rescued = db.run_write(lambda c: queue_store.rescue(dialect, c, job_id, clock()))
    assert rescued is not None and rescued.status == "queued"
    assert job_row(db, job_id).progress is None
    again = db.run_write(lambda c: queue_store.claim(dialect, c, "w2", clock(),
                                                     policy.expiry(clock()), KINDS))
    assert (again.attempt, again.progress) == (2, 0.0)
