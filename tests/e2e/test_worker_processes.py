"""`worlds worker` as separate processes against one database: a worker SIGKILLed
mid-generation is rescued by another and its job completes exactly once; a SIGTERM
releases the running job; several workers on PostgreSQL run 200 jobs exactly once;
a worker process next to the API process on SQLite picks up and cancels jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import service_settings
from tests.support.grpc_client import GrpcClient
from tests.support.jobs import (
    WORLDS,
    PinnedClock,
    WorkerProcess,
    counts_match_jobs,
    create_job,
    insert_job,
    job_row,
    manifests_per_job,
    wait_for,
    wait_for_status,
)
from tests.support.served import free_port
from tests.support.service import RunningService
from tests.support.tenants import Tenant, create_tenant
from worlds.store.engine import Database
from worlds.store.models import Job
from worlds.v1 import jobs_pb2
from worlds.v1 import worlds_service_pb2 as pb

pytestmark = pytest.mark.slow

# Short leases so that a dead worker's job comes back within seconds.
FAST = {"WORLDS_LEASE_SECONDS": "2", "WORLDS_POLL_INTERVAL": "0.5"}


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return db.run_write(create_tenant)


@pytest.fixture
def workers(database_url: str, tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.stop()


def start_worker(workers: list[WorkerProcess], database_url: str, tmp_path: Path, name: str,
                 **env: str) -> WorkerProcess:
    worker = WorkerProcess(database_url, tmp_path, name, **{**FAST, **env})
    workers.append(worker)
    worker.wait_started()
    return worker


def child_pids(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(c) for c in (task / "children").read_text().split())
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


def owner_pid(db: Database, job_id: str) -> int | None:
    owner = job_row(db, job_id).lease_owner
    return int(owner.split(":")[1]) if owner else None


def test_a_sigkilled_worker_is_rescued_and_the_job_completes_once(
        db: Database, tenant: Tenant, database_url: str, tmp_path: Path,
        workers: list[WorkerProcess]) -> None:
    first = start_worker(workers, database_url, tmp_path, "first")
    job_id = insert_job(db, tenant, PinnedClock().now, preset="large")
    wait_for(lambda: (job_row(db, job_id).progress or 0) > 0.05, 60, 0.02,
             "the first worker to be mid-generation")
    row = job_row(db, job_id)
    assert (row.status, row.attempt, owner_pid(db, job_id)) == ("running", 1, first.process.pid)

    orphans = child_pids(first.process.pid)  # the generation process, mid-world
    assert orphans
    first.kill()
    # Nobody can stop the child of a SIGKILLed worker: it notices and exits by itself.
    wait_for(lambda: not any(alive(pid) for pid in orphans), 5, 0.05, "the orphans to exit")
    second = start_worker(workers, database_url, tmp_path, "second")
    done = wait_for(lambda: (r if (r := job_row(db, job_id)).status in ("completed", "failed")
                             else None), 60, 0.05, "the job to be rescued and finished")
    assert done.status == "completed", f"{done.error}\n{second.log()}"
    assert done.attempt == 2 and owner_pid(db, job_id) == second.process.pid
    assert db.run_read(manifests_per_job) == {job_id: 1}
    assert "rescued job" in second.log()
    counted, actual = db.run_read(lambda c: counts_match_jobs(c, tenant.workspace_id))
    assert counted == actual == {"completed": 1}


def test_sigterm_releases_the_running_job_without_counting_the_attempt(
        db: Database, tenant: Tenant, database_url: str, tmp_path: Path,
        workers: list[WorkerProcess]) -> None:
    # The default grace (10 s) would let a large world finish; give it none.
    first = WorkerProcess(database_url, tmp_path, "first", "--grace-period", "0", **FAST)
    first.wait_started()
    job_id = insert_job(db, tenant, PinnedClock().now, preset="large")
    wait_for(lambda: (job_row(db, job_id).progress or 0) > 0.05, 60, 0.02, "mid-generation")
    assert first.stop() == 0
    row = job_row(db, job_id)
    # Released at once: no waiting for the lease, and the stop does not count as an attempt.
    assert (row.status, row.attempt, row.lease_owner) == ("queued", 0, None)
    start_worker(workers, database_url, tmp_path, "second")
    done = wait_for(lambda: (r if (r := job_row(db, job_id)).status == "completed" else None),
                    60, 0.05, "the released job to complete")
    assert done.attempt == 1
    assert db.run_read(manifests_per_job) == {job_id: 1}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_workers_on_postgresql_run_200_jobs_exactly_once(
        db: Database, tenant: Tenant, database_url: str, tmp_path: Path,
        workers: list[WorkerProcess]) -> None:
    for name in ("a", "b", "c"):
        start_worker(workers, database_url, tmp_path, name)
    clock = PinnedClock()
    ids = [insert_job(db, tenant, clock.advance(0.001), num_users=3, num_hosts=1, seed=i)
           for i in range(200)]

    def finished() -> bool:
        return db.run_read(lambda c: c.execute(select(func.count()).select_from(Job).where(
            Job.status.in_(["queued", "running"]))).scalar_one()) == 0

    wait_for(finished, 120, 0.2, "200 jobs to finish")
    rows = [job_row(db, job_id) for job_id in ids]
    assert {row.status for row in rows} == {"completed"}
    assert {row.attempt for row in rows} == {1}, "no job ran twice"
    assert db.run_read(manifests_per_job) == {job_id: 1 for job_id in ids}
    owners = {row.lease_owner.split(":")[1] for row in rows}
    assert len(owners) >= 2, "the work was shared"
    counted, actual = db.run_read(lambda c: counts_match_jobs(c, tenant.workspace_id))
    assert counted == actual == {"completed": 200}


@pytest.fixture
def api(tmp_path: Path, database_url: str) -> Iterator[RunningService]:
    running = RunningService(service_settings(tmp_path, database_url)).start()  # no worker
    try:
        yield running
    finally:
        running.stop()


def test_a_worker_process_serves_the_api_process(api: RunningService, database_url: str,
                                                  tmp_path: Path,
                                                  workers: list[WorkerProcess]) -> None:
    """The all-in-one server without its worker, plus `worlds worker` on the same
    database: on SQLite (polling only) and on PostgreSQL (NOTIFY)."""
    tenant = api.run_db(create_tenant)
    start_worker(workers, database_url, tmp_path, "worker", WORLDS_POLL_INTERVAL="1")
    client = GrpcClient(api.grpc_target)
    try:
        small = create_job(client, tenant, num_users=10, num_hosts=3)
        done = wait_for_status(client, tenant, small.id, ["completed"], 30)
        assert done.resource_id

        big = create_job(client, tenant, preset=jobs_pb2.PRESET_LARGE)
        wait_for(lambda: client.call("GetJob", pb.GetJobRequest(
            org=tenant.org, workspace=tenant.workspace, job_id=big.id), tenant.owner.key)
            .job.progress > 0.05, 60, 0.02, "the large world to be mid-generation")
        began = time.monotonic()
        client.call("CancelJob", pb.CancelJobRequest(org=tenant.org, workspace=tenant.workspace,
                                                     job_id=big.id), tenant.owner.key)
        job = wait_for_status(client, tenant, big.id, ["cancelled", "completed"], 10, 0.01)
        assert job.status == jobs_pb2.JOB_STATUS_CANCELLED
        assert time.monotonic() - began < 1.0
        failure = client.fail("CancelJob", pb.CancelJobRequest(
            org=tenant.org, workspace=tenant.workspace, job_id=big.id), tenant.owner.key)
        assert failure.code == grpc.StatusCode.FAILED_PRECONDITION
    finally:
        client.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("enabled", [True, False])
def test_serve_runs_jobs_in_process_unless_disabled(tmp_path: Path, database_url: str,
                                                    enabled: bool) -> None:
    """`worlds serve` as a user runs it: jobs complete through REST, or stay queued
    with WORLDS_IN_PROCESS_WORKER_ENABLED=false; SIGTERM exits cleanly either way."""
    http_port, grpc_port = free_port(), free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [WORLDS, "serve", "--data-dir", str(tmp_path), "--database-url", database_url,
         "--grpc-address", f"127.0.0.1:{grpc_port}", "--http-address", f"127.0.0.1:{http_port}"],
        env={**os.environ, "WORLDS_BOOTSTRAP_API_KEY": "wk_e2e",
             "WORLDS_IN_PROCESS_WORKER_ENABLED": str(enabled).lower()},
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}/api/v1/org/local/ws/main/worlds"
    try:
        with httpx.Client(headers={"X-API-Key": "wk_e2e"}, timeout=5) as http:
            def up() -> bool:
                try:
                    return http.get(f"{base}/jobs").status_code == 200
                except httpx.TransportError:
                    return False

            wait_for(up, 30, 0.1, "serve to listen")
            job = http.post(f"{base}/manifests", json={"num_users": 20, "num_hosts": 4}).json()
            if enabled:
                done = wait_for(lambda: (j if (j := http.get(f"{base}/jobs/{job['id']}").json())
                                         ["status"] == "completed" else None), 30, 0.05,
                                "the in-process worker to complete the job")
                manifest = http.get(f"{base}/manifests/{done['resource_id']}").json()
                assert manifest["source_job_id"] == job["id"]
            else:
                time.sleep(1.5)  # more than a poll interval
                assert http.get(f"{base}/jobs/{job['id']}").json()["status"] == "queued"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        log.close()
