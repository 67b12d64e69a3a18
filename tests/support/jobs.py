"""Helpers for queue, worker and manifest tests: a pinned clock, jobs inserted
directly, waiting on a job through the API, and `worlds worker` subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from tests.support.tenants import Tenant
from worlds.core.jobstate import Kind, ResourceType
from worlds.store import jobs as job_store
from worlds.store.dialect import dialect_for
from worlds.store.engine import Database
from worlds.store.models import Job, JobCount, Manifest
from worlds.v1 import worlds_service_pb2 as pb

WORLDS = str(Path(sys.executable).parent / "worlds")
TERMINAL = ("completed", "failed", "cancelled")


@dataclass
class PinnedClock:
    """A clock that moves only when told to."""

    now: datetime = field(default_factory=lambda: datetime(2030, 1, 1, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def insert_job(db: Database, tenant: Tenant, now: datetime, *, max_attempts: int = 3,
               **params: Any) -> str:
    """A queued manifest job created at `now`, straight into the store."""
    values = {"preset": None, "seed": 7, "num_users": None, "num_hosts": None, "domains": None}
    values.update(params)
    dialect = dialect_for(db.engine)
    job = db.run_write(lambda conn: job_store.insert_job(dialect, conn, job_store.NewJob(
        organization_id=tenant.organization_id, workspace_id=tenant.workspace_id,
        project_id=tenant.default_project_id, created_by=tenant.owner.user_id,
        kind=Kind.MANIFEST_GENERATION, resource_type=ResourceType.MANIFEST, name="test",
        params=values, max_attempts=max_attempts), now))
    return job["id"]


def job_row(db: Database, job_id: str) -> Any:
    return db.run_read(lambda conn: conn.execute(select(Job).where(Job.id == job_id)).one())


def counts_match_jobs(conn: Connection, workspace_id: str) -> tuple[dict[str, int], dict[str, int]]:
    """(job_counts summed per status, jobs counted per status) of a workspace."""
    counted = {status: int(n) for status, n in conn.execute(
        select(JobCount.status, func.sum(JobCount.n)).where(JobCount.workspace_id == workspace_id)
        .group_by(JobCount.status)) if n}
    actual = {status: int(n) for status, n in conn.execute(
        select(Job.status, func.count()).where(Job.workspace_id == workspace_id)
        .group_by(Job.status))}
    return counted, actual


def manifests_per_job(conn: Connection) -> Counter[str]:
    return Counter(conn.execute(select(Manifest.source_job_id)).scalars())


def wait_for(predicate: Callable[[], Any], timeout: float, interval: float = 0.02,
             what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def get_job(client: Any, tenant: Tenant, job_id: str) -> Any:
    return client.call("GetJob", pb.GetJobRequest(org=tenant.org, workspace=tenant.workspace,
                                                  job_id=job_id), tenant.owner.key).job


def status_name(job: Any) -> str:
    from worlds.v1 import jobs_pb2

    return jobs_pb2.JobStatus.Name(job.status).removeprefix("JOB_STATUS_").lower()


def wait_for_status(client: Any, tenant: Tenant, job_id: str, statuses: Iterable[str],
                    timeout: float = 60, interval: float = 0.02) -> Any:
    wanted = set(statuses)
    return wait_for(lambda: (job if status_name(job := get_job(client, tenant, job_id)) in wanted
                             else None), timeout, interval, f"job {job_id} to be {wanted}")


def create_job(client: Any, tenant: Tenant, **fields: Any) -> Any:
    return client.call("CreateManifestJob", pb.CreateManifestJobRequest(
        org=tenant.org, workspace=tenant.workspace, **fields), tenant.owner.key).job


class WorkerProcess:
    """`worlds worker` as a subprocess, its log kept in a file for failure reports."""

    def __init__(self, database_url: str, log_dir: Path, name: str, *args: str, **env: str) -> None:
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [WORLDS, "worker", "--database-url", database_url, "--data-dir", str(log_dir), *args],
            env={**os.environ, "WORLDS_LOG_LEVEL": "INFO", **env},
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_started(self, timeout: float = 30) -> None:
        wait_for(lambda: "running (" in self.log() or self.process.poll() is not None,
                 timeout, 0.05, "the worker to start")
        if self.process.poll() is not None:
            raise AssertionError(f"worker exited at start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        """SIGKILL, like an OOM killer or a lost machine: no clean-up runs."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()
        return self.process.returncode
