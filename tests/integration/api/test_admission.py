"""Rate limits and the client version gate, on a real service (both engines), over gRPC and
over REST through both gateways: a spent budget is 429 / RESOURCE_EXHAUSTED with a Retry-After
/ RetryInfo after which the call succeeds again; a watch stream takes one token when it opens;
an older client is 426 / FAILED_PRECONDITION UPGRADE_REQUIRED; a client that names no
version passes."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from tests.conftest import service_settings
from tests.support.grpc_client import decode_failure
from tests.support.rest_client import assert_envelope, start_standalone_gateway
from tests.support.service import RunningService
from tests.support.tenants import Tenant, create_tenant
from worlds.v1 import worlds_service_pb2 as pb
from worlds.v1 import worlds_service_pb2_grpc


@pytest.fixture
def limited(tmp_path: Path, database_url: str) -> Iterator[RunningService]:
    # One request per 2 s, 3 at once (slow enough that the test's own pace refills nothing).
    running = RunningService(service_settings(tmp_path, database_url, rate_limit=0.5,
                                              rate_burst=3)).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def gated(tmp_path: Path, database_url: str) -> Iterator[RunningService]:
    running = RunningService(service_settings(
        tmp_path, database_url, min_client_versions=("worlds=0.2.0", "dreadnode-sdk=1.2"))).start()
    try:
        yield running
    finally:
        running.stop()


def stub(target: str, user_agent: str | None = None
         ) -> tuple[grpc.Channel, worlds_service_pb2_grpc.WorldsServiceStub]:
    options = [("grpc.primary_user_agent", user_agent)] if user_agent else []
    channel = grpc.insecure_channel(target, options=options)
    return channel, worlds_service_pb2_grpc.WorldsServiceStub(channel)


def list_request(tenant: Tenant) -> pb.ListJobsRequest:
    return pb.ListJobsRequest(org=tenant.org, workspace=tenant.workspace)


def retry_delay(error: grpc.RpcError) -> float:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    for detail in status.details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            return info.retry_delay.ToNanoseconds() / 1e9
    raise AssertionError("no RetryInfo")


def test_grpc_calls_past_the_burst_are_refused_with_retry_info(limited: RunningService) -> None:
    tenant = limited.run_db(create_tenant)
    channel, client = stub(limited.grpc_target)
    metadata = [("x-api-key", tenant.owner.key)]
    try:
        for _ in range(3):
            client.ListJobs(list_request(tenant), metadata=metadata, timeout=10)
        with pytest.raises(grpc.RpcError) as caught:
            client.ListJobs(list_request(tenant), metadata=metadata, timeout=10)
        failure = decode_failure(caught.value)
        assert failure.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert failure.reason == "RATE_LIMITED"
        delay = retry_delay(caught.value)
        assert 0 < delay <= 2.0
        # Another key has a budget of its own.
        client.ListJobs(list_request(tenant), metadata=[("x-api-key", tenant.contributor.key)],
                        timeout=10)
        # After the advertised delay, the call goes through.
        time.sleep(delay)
        client.ListJobs(list_request(tenant), metadata=metadata, timeout=10)
    finally:
        channel.close()


@pytest.mark.parametrize("gateway", ["in-process", "standalone"])
def test_rest_calls_past_the_burst_get_429_with_retry_after(limited: RunningService,
                                                            gateway: str) -> None:
    tenant = limited.run_db(create_tenant)
    standalone = start_standalone_gateway(limited) if gateway == "standalone" else None
    base = standalone.base_url if standalone else limited.base_url
    path = f"{base}/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/jobs"
    headers = {"X-API-Key": tenant.owner.key}
    try:
        statuses = [httpx.get(path, headers=headers, timeout=10).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        refused = httpx.get(path, headers=headers, timeout=10)
        assert_envelope(refused, 429, "rate_limited")
        retry_after = int(refused.headers["Retry-After"])
        # The next token is due in at most 2 s, rounded up to whole seconds.
        assert 1 <= retry_after <= 2
        time.sleep(retry_after)
        assert httpx.get(path, headers=headers, timeout=10).status_code == 200
    finally:
        if standalone is not None:
            standalone.stop()


def test_a_watch_stream_takes_one_token_when_it_opens(tmp_path: Path, database_url: str) -> None:
    # A slow refill (one token per 100 s): what is left shows what was taken.
    running = RunningService(service_settings(tmp_path, database_url, rate_limit=0.01,
                                              rate_burst=3)).start()
    try:
        tenant = running.run_db(create_tenant)
        channel, client = stub(running.grpc_target)
        metadata = [("x-api-key", tenant.owner.key)]
        try:
            watch = client.WatchJobs(pb.WatchJobsRequest(org=tenant.org, workspace=tenant.workspace),
                                     metadata=metadata, timeout=30)
            # A workspace watch starts from now: its first message marks that start, and
            # only a job created after it is sure to be seen.
            next(watch)
            created = client.CreateManifestJob(pb.CreateManifestJobRequest(
                org=tenant.org, workspace=tenant.workspace), metadata=metadata, timeout=10)
            received = 0
            for response in watch:
                if response.HasField("event") and response.event.job.id == created.job.id:
                    received += 1
                    break
            watch.cancel()
            assert received == 1
            client.ListJobs(list_request(tenant), metadata=metadata, timeout=10)  # the third token
            with pytest.raises(grpc.RpcError) as caught:
                client.ListJobs(list_request(tenant), metadata=metadata, timeout=10)
            assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        finally:
            channel.close()
    finally:
        running.stop()


@pytest.mark.parametrize(("agent", "refused"), [
    ("worlds/0.1.9", True),
    ("worlds/0.2.0", False),
    ("worlds/1.0.0rc1", False),
    ("dreadnode-sdk/1.1.0", True),
    ("dreadnode-sdk/1.2", False),
    ("curl/8.0", False),
    ("worlds/not-a-version", False),
    (None, False),
])
def test_grpc_version_gate(gated: RunningService, agent: str | None, refused: bool) -> None:
    tenant = gated.run_db(create_tenant)
    channel, client = stub(gated.grpc_target, agent)
    try:
        call = lambda: client.ListJobs(list_request(tenant),  # noqa: E731
                                       metadata=[("x-api-key", tenant.owner.key)], timeout=10)
        if not refused:
            call()
            return
        with pytest.raises(grpc.RpcError) as caught:
            call()
        failure = decode_failure(caught.value)
        assert failure.code == grpc.StatusCode.FAILED_PRECONDITION
        assert failure.reason == "UPGRADE_REQUIRED"
        assert failure.metadata["client"] == agent.partition("/")[0]  # type: ignore[union-attr]
    finally:
        channel.close()


@pytest.mark.parametrize("gateway", ["in-process", "standalone"])
def test_rest_version_gate(gated: RunningService, gateway: str) -> None:
    tenant = gated.run_db(create_tenant)
    standalone = start_standalone_gateway(gated) if gateway == "standalone" else None
    base = standalone.base_url if standalone else gated.base_url
    path = f"{base}/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/jobs"
    try:
        old = httpx.get(path, headers={"X-API-Key": tenant.owner.key, "User-Agent": "worlds/0.1.0"},
                        timeout=10)
        body = assert_envelope(old, 426, "upgrade_required")
        assert "0.2.0" in body["detail"]
        sdk = httpx.get(path, timeout=10, headers={"X-API-Key": tenant.owner.key,
                                                   "User-Agent": "python dreadnode-sdk/1.0.3"})
        assert_envelope(sdk, 426, "upgrade_required")
        for agent in ("worlds/0.2.1", "python-httpx/0.28.1"):
            ok = httpx.get(path, headers={"X-API-Key": tenant.owner.key, "User-Agent": agent},
                           timeout=10)
            assert ok.status_code == 200, (agent, ok.text)
    finally:
        if standalone is not None:
            standalone.stop()


def test_the_cli_says_its_version() -> None:
    from worlds import __version__
    from worlds.client.http import USER_AGENT

    assert f"worlds/{__version__}" == USER_AGENT
    assert math.isfinite(float(__version__.split(".")[0]))


def test_one_budget_covers_both_services(limited: RunningService) -> None:
    tenant = limited.run_db(create_tenant)
    headers = {"X-API-Key": tenant.owner.key}
    jobs = f"{limited.base_url}/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/jobs"
    user = f"{limited.base_url}/api/v1/user"
    assert [httpx.get(url, headers=headers, timeout=10).status_code
            for url in (jobs, jobs, user)] == [200, 200, 200]
    assert_envelope(httpx.get(user, headers=headers, timeout=10), 429, "rate_limited")
