"""/metrics on its own address: request counters for gRPC and REST (each request counted once,
by the layer it arrived at), queue gauges read at scrape time, and job counters that move when
a worker runs a job; on both engines."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import service_settings
from tests.support.jobs import wait_for
from tests.support.service import RunningService
from tests.support.tenants import Tenant, create_tenant
from worlds.v1 import worlds_service_pb2 as pb
from worlds.v1 import worlds_service_pb2_grpc

JOBS_ROUTE = "/api/v1/org/{org}/ws/{workspace}/worlds/jobs"


def scrape(service: RunningService) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    assert service.app.metrics_server is not None
    text = httpx.get(f"http://127.0.0.1:{service.app.metrics_server.port}/metrics", timeout=10).text
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
          **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metered(tmp_path: Path, database_url: str) -> Iterator[RunningService]:
    running = RunningService(service_settings(tmp_path, database_url,
                                              metrics_address="127.0.0.1:0")).start()
    try:
        yield running
    finally:
        running.stop()


def test_requests_and_the_queue_are_measured(metered: RunningService) -> None:
    tenant: Tenant = metered.run_db(create_tenant)
    channel = grpc.insecure_channel(metered.grpc_target)
    client = worlds_service_pb2_grpc.WorldsServiceStub(channel)
    try:
        before = scrape(metered)
        assert value(before, "worlds_queue_depth") == 0
        assert value(before, "worlds_queue_oldest_age_seconds") == 0
        metadata = [("x-api-key", tenant.owner.key)]
        client.CreateManifestJob(pb.CreateManifestJobRequest(org=tenant.org, workspace=tenant.workspace),
                                 metadata=metadata, timeout=10)
        client.ListJobs(pb.ListJobsRequest(org=tenant.org, workspace=tenant.workspace),
                        metadata=metadata, timeout=10)
        with pytest.raises(grpc.RpcError):
            client.ListJobs(pb.ListJobsRequest(org=tenant.org, workspace=tenant.workspace), timeout=10)
        rest = httpx.get(metered.base_url + JOBS_ROUTE.format(org=tenant.org, workspace=tenant.workspace),
                         headers={"X-API-Key": tenant.owner.key}, timeout=10)
        assert rest.status_code == 200
        httpx.get(metered.base_url + "/no/such/route", timeout=10)
        time.sleep(0.05)
        after = scrape(metered)
    finally:
        channel.close()
    assert value(after, "worlds_rpc_requests_total", method="CreateManifestJob", code="OK") == 1
    # The REST request went in-process: counted by the gateway only, not as a gRPC call.
    assert value(after, "worlds_rpc_requests_total", method="ListJobs", code="OK") == 1
    assert value(after, "worlds_rpc_requests_total", method="ListJobs", code="UNAUTHENTICATED") == 1
    assert value(after, "worlds_rpc_duration_seconds_count", method="ListJobs") == 2
    assert value(after, "worlds_http_requests_total", method="GET", route=JOBS_ROUTE, status="200") == 1
    assert value(after, "worlds_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert value(after, "worlds_http_request_duration_seconds_count", method="GET", route=JOBS_ROUTE) == 1
    assert value(after, "worlds_queue_depth") == 1
    assert value(after, "worlds_queue_oldest_age_seconds") > 0
    assert value(after, "worlds_jobs", kind="manifest_generation", status="queued") == 1
    assert value(after, "worlds_db_pool_size") >= 1
    assert value(after, "worlds_watchers") == 0


def test_job_metrics_move_when_a_worker_runs_a_job(tmp_path: Path, database_url: str) -> None:
    running = RunningService(service_settings(tmp_path, database_url, in_process_worker=True,
                                              metrics_address="127.0.0.1:0")).start()
    try:
        tenant: Tenant = running.run_db(create_tenant)
        channel = grpc.insecure_channel(running.grpc_target)
        client = worlds_service_pb2_grpc.WorldsServiceStub(channel)
        try:
            metadata = [("x-api-key", tenant.owner.key)]
            client.CreateManifestJob(pb.CreateManifestJobRequest(
                org=tenant.org, workspace=tenant.workspace, num_users=5, num_hosts=3),
                metadata=metadata, timeout=10)
            wait_for(lambda: value(scrape(running), "worlds_jobs", kind="manifest_generation",
                                   status="completed") == 1, timeout=60, interval=0.2)
        finally:
            channel.close()
        samples = scrape(running)
        assert value(samples, "worlds_job_attempts_total", kind="manifest_generation") == 1
        assert value(samples, "worlds_job_duration_seconds_count", kind="manifest_generation",
                     outcome="completed") == 1
        assert value(samples, "worlds_queue_depth") == 0
        assert value(samples, "worlds_job_lease_losses_total") == 0
    finally:
        running.stop()
