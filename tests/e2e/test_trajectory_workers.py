"""Trajectory jobs through `worlds worker` processes: a worker SIGKILLed mid-batch leaves
no sampling process behind, another rescues the job, and it completes exactly once with
the same trajectories an uninterrupted run gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_worker_processes import alive, child_pids, owner_pid, start_worker
from tests.support.jobs import PinnedClock, WorkerProcess, counts_match_jobs, job_row, wait_for
from tests.support.tenants import Tenant, create_tenant
from tests.support.trajectories import (
    digests_of_job,
    insert_trajectory_job,
    publish_manifest,
    trajectories_per_job,
)
from worlds.store import trajectories as trajectory_store
from worlds.store.engine import Database

pytestmark = pytest.mark.slow


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return db.run_write(create_tenant)


@pytest.fixture
def workers(database_url: str, tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.stop()


def descendants(pid: int) -> set[int]:
    found = child_pids(pid)
    for child in list(found):
        if alive(child):
            found |= descendants(child)
    return found


def test_a_sigkilled_workers_trajectory_job_is_rescued_and_completes_once(
        db: Database, tenant: Tenant, database_url: str, tmp_path: Path,
        workers: list[WorkerProcess]) -> None:
    manifest_id, _ = publish_manifest(db, tenant, "medium", seed=5)
    request = {"count": 40, "max_steps": 1000, "strategy": "random", "threads": 2}
    first = start_worker(workers, database_url, tmp_path, "first")
    job_id = insert_trajectory_job(db, tenant, PinnedClock().now, manifest_id, **request)
    wait_for(lambda: (job_row(db, job_id).progress or 0) > 0, 120, 0.02,
             "the first worker to be mid-batch")
    row = job_row(db, job_id)
    assert (row.status, row.attempt, owner_pid(db, job_id)) == ("running", 1, first.process.pid)
    orphans = descendants(first.process.pid)  # the child and its two sampling processes
    assert len(orphans) >= 3
    first.kill()
    wait_for(lambda: not any(alive(pid) for pid in orphans), 5, 0.05, "the orphans to exit")

    second = start_worker(workers, database_url, tmp_path, "second")
    done = wait_for(lambda: (r if (r := job_row(db, job_id)).status in ("completed", "failed")
                             else None), 180, 0.1, "the job to be rescued and finished")
    assert done.status == "completed", f"{done.error}\n{second.log()}"
    assert done.attempt == 2 and owner_pid(db, job_id) == second.process.pid
    assert db.run_read(trajectories_per_job) == {job_id: 40}
    assert done.result["trajectory_ids"] == db.run_read(trajectory_store.ids_of_job, job_id)
    counted, actual = db.run_read(lambda c: counts_match_jobs(c, tenant.workspace_id))
    assert counted == actual == {"completed": 2}  # the manifest job and this one

    # The rescued batch is the batch an uninterrupted single-process run gives.
    again = insert_trajectory_job(db, tenant, PinnedClock().now, manifest_id,
                                  **{**request, "threads": 1})
    wait_for(lambda: job_row(db, again).status == "completed", 180, 0.1, "the rerun")
    assert db.run_read(digests_of_job, again) == db.run_read(digests_of_job, job_id)
