"""Idempotent creates: a retried CreateManifestJob with the same `Idempotency-Key` returns the
original job (REST header, gRPC metadata), a reused key with another body is a conflict naming
the key, keys are per workspace and expire, and concurrent retries make one job — in one
group-commit batch and across transactions."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import func, select, update
from worlds_gateway.context import InProcessContext

from tests.support.grpc_client import GrpcClient
from tests.support.rest_client import RestClient, assert_envelope
from tests.support.service import RunningService
from tests.support.tenants import Tenant
from worlds.store.models import IdempotencyKey, Job
from worlds.v1 import worlds_service_pb2 as pb


def create(tenant: Tenant, **fields: object) -> pb.CreateManifestJobRequest:
    return pb.CreateManifestJobRequest(org=tenant.org, workspace=tenant.workspace, **fields)


def grpc_create(client: GrpcClient, request: pb.CreateManifestJobRequest, key: str,
                idempotency_key: str | None) -> pb.CreateManifestJobResponse:
    metadata = [("x-api-key", key)]
    if idempotency_key is not None:
        metadata.append(("idempotency-key", idempotency_key))
    return client.stub.CreateManifestJob(request, metadata=metadata, timeout=30)


def job_count(service: RunningService, workspace_id: str) -> int:
    return service.run_db(lambda c: c.execute(
        select(func.count()).select_from(Job).where(Job.workspace_id == workspace_id)).scalar_one())


def test_a_retry_with_the_same_key_returns_the_original_job(
        grpc_client: GrpcClient, tenant: Tenant, service: RunningService) -> None:
    request = create(tenant, name="lab", num_users=5)
    first = grpc_create(grpc_client, request, tenant.owner.key, "retry-1").job
    again = grpc_create(grpc_client, request, tenant.owner.key, "retry-1").job
    assert again.id == first.id
    assert again.created_by_user.username == first.created_by_user.username == "owen"
    assert job_count(service, tenant.workspace_id) == 1
    # Without a key every create is a new job.
    other = grpc_create(grpc_client, request, tenant.owner.key, None).job
    assert other.id != first.id


def test_an_unseeded_retry_keeps_the_seed_the_server_chose(
        grpc_client: GrpcClient, tenant: Tenant, service: RunningService) -> None:
    first = grpc_create(grpc_client, create(tenant), tenant.owner.key, "unseeded").job
    again = grpc_create(grpc_client, create(tenant), tenant.owner.key, "unseeded").job
    assert again.id == first.id
    assert job_count(service, tenant.workspace_id) == 1


def test_the_same_key_with_another_body_is_a_conflict_naming_the_key(
        grpc_client: GrpcClient, tenant: Tenant) -> None:
    grpc_create(grpc_client, create(tenant, num_users=5), tenant.owner.key, "k-42")
    with pytest.raises(grpc.RpcError) as caught:
        grpc_create(grpc_client, create(tenant, num_users=6), tenant.owner.key, "k-42")
    from tests.support.grpc_client import decode_failure
    failure = decode_failure(caught.value)
    assert failure.code == grpc.StatusCode.FAILED_PRECONDITION
    assert failure.reason == "IDEMPOTENCY_KEY_REUSED"
    assert failure.metadata == {"idempotency_key": "k-42"}
    assert "k-42" in failure.message


def test_keys_are_scoped_to_the_workspace(grpc_client: GrpcClient, tenant: Tenant) -> None:
    mine = grpc_create(grpc_client, create(tenant), tenant.owner.key, "shared").job
    theirs = grpc_create(grpc_client, pb.CreateManifestJobRequest(
        org=tenant.org, workspace=tenant.other_workspace), tenant.outsider.key, "shared").job
    assert theirs.id != mine.id and theirs.workspace_id != mine.workspace_id


def test_a_failed_create_does_not_use_up_its_key(grpc_client: GrpcClient, tenant: Tenant) -> None:
    with pytest.raises(grpc.RpcError):
        grpc_create(grpc_client, create(tenant, num_users=0), tenant.owner.key, "fix-me")
    # The same key on the corrected request is a new request, not a conflict.
    job = grpc_create(grpc_client, create(tenant, num_users=1), tenant.owner.key, "fix-me").job
    assert job.id


def test_an_expired_key_makes_a_new_job(grpc_client: GrpcClient, tenant: Tenant,
                                        service: RunningService) -> None:
    first = grpc_create(grpc_client, create(tenant), tenant.owner.key, "old").job
    row = service.run_db(lambda c: c.execute(select(IdempotencyKey)).one())
    assert row.expires_at - row.created_at == timedelta(hours=24)
    past = datetime.now(UTC) - timedelta(seconds=1)
    service.run_db(lambda c: c.execute(update(IdempotencyKey).values(expires_at=past)))
    second = grpc_create(grpc_client, create(tenant, num_users=9), tenant.owner.key, "old").job
    assert second.id != first.id
    third = grpc_create(grpc_client, create(tenant, num_users=9), tenant.owner.key, "old").job
    assert third.id == second.id


@pytest.mark.parametrize("value", ["", " ", "x" * 256])
def test_a_malformed_key_is_rejected(grpc_client: GrpcClient, tenant: Tenant, value: str) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        grpc_create(grpc_client, create(tenant), tenant.owner.key, value)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_duplicates_inside_one_group_commit_batch_make_one_job(
        tenant: Tenant, service: RunningService) -> None:
    servicer = service.app.servicer
    assert servicer is not None
    metadata = [("x-api-key", tenant.owner.key), ("idempotency-key", "batch")]

    async def together() -> list[pb.CreateManifestJobResponse]:
        # Submitted before the batch starts draining: all of them run in one transaction.
        calls = [servicer.CreateManifestJob(create(tenant, seed=1), InProcessContext(metadata))
                 for _ in range(8)]
        calls.append(servicer.CreateManifestJob(
            create(tenant, seed=2), InProcessContext([*metadata[:1], ("idempotency-key", "b2")])))
        return await asyncio.gather(*calls)

    responses = service.call(together())
    ids = {r.job.id for r in responses[:8]}
    assert len(ids) == 1
    assert responses[8].job.id not in ids
    assert job_count(service, tenant.workspace_id) == 2


def test_concurrent_retries_make_one_job(grpc_client: GrpcClient, tenant: Tenant,
                                         service: RunningService) -> None:
    barrier = threading.Barrier(16)

    def one(_: int) -> str:
        barrier.wait()
        return grpc_create(grpc_client, create(tenant, seed=3), tenant.owner.key, "race").job.id

    with ThreadPoolExecutor(16) as pool:
        ids = set(pool.map(one, range(16)))
    assert len(ids) == 1
    assert job_count(service, tenant.workspace_id) == 1


def test_rest_idempotency_key_header(rest: RestClient, tenant: Tenant, service: RunningService) -> None:
    path = f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/manifests"
    headers = {"Idempotency-Key": "rest-1"}
    first = rest.request("POST", path, tenant.owner.key, json={"preset": "small"}, headers=headers)
    again = rest.request("POST", path, tenant.owner.key, json={"preset": "small"}, headers=headers)
    assert first.status_code == again.status_code == 202, first.text
    assert again.json()["id"] == first.json()["id"]
    assert job_count(service, tenant.workspace_id) == 1
    reused = rest.request("POST", path, tenant.owner.key, json={"preset": "medium"}, headers=headers)
    body = assert_envelope(reused, 409, "conflict")
    assert "rest-1" in body["detail"]


@pytest.mark.parametrize("value", ["caf\u00e9", "tab\there"])
def test_a_rest_key_metadata_cannot_carry_is_a_400_not_dropped(
        rest: RestClient, tenant: Tenant, service: RunningService, value: str) -> None:
    # Dropping it would run the create as if no key had been sent: a retry would make a
    # second job while the client believes it is protected.
    path = f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/manifests"
    headers = [(b"x-api-key", tenant.owner.key.encode()), (b"idempotency-key", value.encode())]
    response = rest.http.post(path, json={"preset": "small"}, headers=headers)
    body = assert_envelope(response, 400, "invalid_request")
    assert "Idempotency-Key" in body["detail"]
    assert job_count(service, tenant.workspace_id) == 0
