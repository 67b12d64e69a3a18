"""A per-kind execution timeout: an attempt that generates too long has its child killed and
fails; it is retried within max_attempts, and the job fails once they are used up."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.conftest import service_settings
from tests.support.jobs import wait_for
from tests.support.service import RunningService
from tests.support.tenants import create_tenant
from worlds.store.models import Job
from worlds.v1 import jobs_pb2, worlds_service_pb2_grpc
from worlds.v1 import worlds_service_pb2 as pb


def test_a_timed_out_attempt_is_retried_then_the_job_fails(tmp_path: Path, database_url: str) -> None:
    import grpc

    running = RunningService(service_settings(
        tmp_path, database_url, in_process_worker=True, max_attempts=2,
        job_timeouts=(("manifest_generation", 0.5),))).start()
    try:
        tenant = running.run_db(create_tenant)
        metrics = running.app.metrics
        with grpc.insecure_channel(running.grpc_target) as channel:
            client = worlds_service_pb2_grpc.WorldsServiceStub(channel)
            # An enterprise world takes far longer than half a second to generate.
            job = client.CreateManifestJob(pb.CreateManifestJobRequest(
                org=tenant.org, workspace=tenant.workspace, preset=jobs_pb2.PRESET_ENTERPRISE),
                metadata=[("x-api-key", tenant.owner.key)], timeout=10).job

        def row() -> Job:
            return running.run_db(lambda c: c.execute(select(Job).where(Job.id == job.id)).one())

        wait_for(lambda: row().status == "failed", timeout=90, interval=0.2)
        final = row()
        assert final.attempt == 2
        assert final.error is not None and "timed out after 0.5 s" in final.error
        retried = metrics.job_duration.labels("manifest_generation", "queued")._sum.get()  # type: ignore[attr-defined]
        assert retried > 0  # the first attempt was released for another
    finally:
        running.stop()
