"""Retention: `worlds prune --older-than` (and the rescuer's --job-retention) delete finished
jobs with their manifests, chunks and idempotency keys, keep list totals exact, and never touch
queued or running jobs; on both engines."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import grpc
from sqlalchemy import func, select

from tests.conftest import service_settings
from tests.support.jobs import WORLDS, counts_match_jobs, insert_job, wait_for
from tests.support.service import RunningService
from tests.support.tenants import create_tenant
from worlds.store.models import IdempotencyKey, Job, Manifest, ManifestChunk
from worlds.v1 import worlds_service_pb2 as pb
from worlds.v1 import worlds_service_pb2_grpc


def count(service: RunningService, model: type) -> int:
    return service.run_db(lambda c: c.execute(select(func.count()).select_from(model)).scalar_one())


def test_prune_deletes_finished_jobs_and_their_artifacts(tmp_path: Path, database_url: str) -> None:
    running = RunningService(service_settings(tmp_path, database_url, in_process_worker=True)).start()
    try:
        tenant = running.run_db(create_tenant)
        with grpc.insecure_channel(running.grpc_target) as channel:
            client = worlds_service_pb2_grpc.WorldsServiceStub(channel)
            done = client.CreateManifestJob(pb.CreateManifestJobRequest(
                org=tenant.org, workspace=tenant.workspace, num_users=5, num_hosts=3), timeout=10,
                metadata=[("x-api-key", tenant.owner.key), ("idempotency-key", "k1")]).job
        wait_for(lambda: running.run_db(lambda c: c.execute(
            select(Job.status).where(Job.id == done.id)).scalar_one()) == "completed", timeout=60)
        assert count(running, Manifest) == 1 and count(running, ManifestChunk) > 0
    finally:
        running.stop()
    # A queued job (no worker runs now) must survive.
    from worlds.store.engine import Database, create_db_engine

    db = Database(create_db_engine(database_url))
    try:
        queued = insert_job(db, tenant, datetime.now(UTC))
    finally:
        db.close()
    pruned = subprocess.run([WORLDS, "prune", "--older-than", "0", "--database-url", database_url,
                             "--data-dir", str(tmp_path / "data")],
                            capture_output=True, text=True, timeout=60)
    assert pruned.returncode == 0, pruned.stderr
    assert "deleted 1 finished job(s)" in pruned.stdout
    db = Database(create_db_engine(database_url))
    try:
        with db.transaction(write=False) as conn:
            assert [r.id for r in conn.execute(select(Job.id))] == [queued]
            assert conn.execute(select(func.count()).select_from(Manifest)).scalar_one() == 0
            assert conn.execute(select(func.count()).select_from(ManifestChunk)).scalar_one() == 0
            assert conn.execute(select(func.count()).select_from(IdempotencyKey)).scalar_one() == 0
            counted, actual = counts_match_jobs(conn, tenant.workspace_id)
            assert counted == actual == {"queued": 1}
    finally:
        db.close()
