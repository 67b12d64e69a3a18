"""The worker's decisions, on both engines, with a scripted generation process:
a crash counts as an attempt until they are used up, a generator error fails at
once, a lost lease stops the worker without a write, a cancel kills the child."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import update

from tests.support.jobs import PinnedClock, counts_match_jobs, insert_job, job_row
from tests.support.tenants import Tenant, create_tenant
from worlds.core.lease import LeasePolicy
from worlds.generator import generate_world, resolve_spec
from worlds.jobs import worker as worker_module
from worlds.jobs.genproc import GenerationCrashed, GenerationFailed
from worlds.jobs.worker import Worker, WorkerConfig
from worlds.store.artifacts import encode_world
from worlds.store.engine import Database
from worlds.store.models import Job
from worlds.store.notify import JobSignals

Script = Callable[["ScriptedProcess", Any, Callable[[str, float], Awaitable[None]]], Awaitable[Any]]


class ScriptedProcess:
    """Stands in for GenerationProcess; `script` decides what each generation does."""

    script: Script

    def __init__(self) -> None:
        self.killed = asyncio.Event()

    def start(self) -> None:
        self.killed = asyncio.Event()

    def kill(self) -> None:
        self.killed.set()

    def retire(self) -> None:
        return None

    def close(self) -> None:
        return None

    async def generate(self, request: Any, on_phase: Callable[[str, float], Awaitable[None]]) -> Any:
        return await type(self).script(self, request, on_phase)


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return db.run_write(create_tenant)


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> type[ScriptedProcess]:
    monkeypatch.setattr(worker_module, "GenerationProcess", ScriptedProcess)
    return ScriptedProcess


def run_worker(db: Database, until: Callable[[], bool], timeout: float = 20) -> JobSignals:
    """Run a worker until `until()` holds."""
    signals = JobSignals()

    async def main() -> None:
        worker = Worker(db, WorkerConfig(lease=LeasePolicy(30), poll_interval=0.05,
                                         cancel_check_interval=0.05, listen=False),
                        signals=signals)
        await worker.start()
        try:
            async with asyncio.timeout(timeout):
                while not await asyncio.to_thread(until):
                    await asyncio.sleep(0.02)
        finally:
            await worker.stop(grace=1)

    asyncio.run(main())
    return signals


def finished(db: Database, job_id: str) -> Callable[[], bool]:
    return lambda: job_row(db, job_id).status in ("completed", "failed", "cancelled")


def test_a_crashing_generation_is_retried_until_the_attempts_are_used_up(
        db: Database, tenant: Tenant, scripted: type[ScriptedProcess]) -> None:
    attempts: list[int] = []

    async def crash(process: ScriptedProcess, request: Any, on_phase: Any) -> Any:
        attempts.append(1)
        raise GenerationCrashed(-9)

    scripted.script = crash
    job_id = insert_job(db, tenant, PinnedClock().now, max_attempts=3)
    run_worker(db, finished(db, job_id))
    row = job_row(db, job_id)
    assert (row.status, row.attempt, len(attempts)) == ("failed", 3, 3)
    assert row.error == "gave up after 3 attempts: the generation process was killed by signal 9"
    counted, actual = db.run_read(lambda c: counts_match_jobs(c, tenant.workspace_id))
    assert counted == actual == {"failed": 1}


def test_a_generator_error_fails_the_job_at_once(db: Database, tenant: Tenant,
                                                 scripted: type[ScriptedProcess]) -> None:
    async def reject(process: ScriptedProcess, request: Any, on_phase: Any) -> Any:
        raise GenerationFailed("num_users must be between 1 and 50000, got 0")

    scripted.script = reject
    job_id = insert_job(db, tenant, PinnedClock().now)
    bad_params = insert_job(db, tenant, PinnedClock().advance(1), seed=None)
    run_worker(db, lambda: finished(db, job_id)() and finished(db, bad_params)())
    row = job_row(db, job_id)
    assert (row.status, row.attempt) == ("failed", 1)
    assert row.error == "generation failed: num_users must be between 1 and 50000, got 0"
    assert job_row(db, bad_params).error.startswith("invalid job parameters")


def test_a_worker_that_lost_its_lease_stops_without_writing(
        db: Database, tenant: Tenant, scripted: type[ScriptedProcess]) -> None:
    world = encode_world(generate_world(resolve_spec(None, 4, 2, None, 1)))
    stolen = asyncio.Event()

    async def lose_lease(process: ScriptedProcess, request: Any, on_phase: Any) -> Any:
        # Another worker rescued and re-claimed the job meanwhile.
        await asyncio.to_thread(db.run_write, lambda c: c.execute(
            update(Job).values(lease_owner="someone-else", attempt=Job.attempt + 1)))
        stolen.set()
        await on_phase("domains", 0.5)  # fenced: raises LeaseLost
        return world

    scripted.script = lose_lease
    job_id = insert_job(db, tenant, PinnedClock().now)
    before: dict[str, Any] = {}

    def stopped() -> bool:
        if not stolen.is_set():
            return False
        before.setdefault("row", job_row(db, job_id)._mapping)
        return True

    run_worker(db, stopped)
    row = job_row(db, job_id)
    assert row._mapping == before["row"]
    assert (row.status, row.lease_owner, row.progress) == ("running", "someone-else", 0.0)


def test_a_cancel_kills_the_generation_and_cancels_the_job(
        db: Database, tenant: Tenant, scripted: type[ScriptedProcess]) -> None:
    running = asyncio.Event()

    async def long_world(process: ScriptedProcess, request: Any, on_phase: Any) -> Any:
        await on_phase("domains", 0.01)
        running.set()
        await process.killed.wait()  # only a kill ends this generation
        raise GenerationCrashed(-9)

    scripted.script = long_world
    job_id = insert_job(db, tenant, PinnedClock().now)

    def cancel_when_running() -> bool:
        row = job_row(db, job_id)
        if row.status == "running" and row.cancel_requested_at is None and running.is_set():
            from worlds.store import queue as queue_store
            from worlds.store.dialect import dialect_for

            db.run_write(lambda c: queue_store.request_cancel(
                dialect_for(db.engine), c, tenant.workspace_id, job_id, PinnedClock().now))
        return finished(db, job_id)()

    run_worker(db, cancel_when_running)
    row = job_row(db, job_id)
    assert (row.status, row.attempt, row.resource_id) == ("cancelled", 1, None)
