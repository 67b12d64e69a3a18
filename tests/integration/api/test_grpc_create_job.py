"""CreateManifestJob over gRPC: every field, every bound at both edges, the auth matrix."""

from __future__ import annotations

import uuid

import grpc
import pytest
from sqlalchemy import select

from tests.support.grpc_client import GrpcClient
from tests.support.jobs import wait_for
from tests.support.service import RunningService
from tests.support.tenants import Tenant
from worlds.store.models import ApiKey, Job
from worlds.v1 import jobs_pb2
from worlds.v1 import worlds_service_pb2 as pb


def create(tenant: Tenant, **fields: object) -> pb.CreateManifestJobRequest:
    return pb.CreateManifestJobRequest(org=tenant.org, workspace=tenant.workspace, **fields)


def test_create_returns_the_queued_job_with_every_field(grpc_client: GrpcClient, tenant: Tenant) -> None:
    response = grpc_client.call("CreateManifestJob", create(
        tenant, name="red team lab", project_id=tenant.other_project_id, preset=jobs_pb2.PRESET_MEDIUM,
        seed=42, num_users=120, num_hosts=30, domains=["corp.example", "dev.corp.example"],
    ), tenant.owner.key)
    job = response.job
    assert uuid.UUID(job.id).version == 4
    assert job.organization_id == tenant.organization_id
    assert job.workspace_id == tenant.workspace_id
    assert job.project_id == tenant.other_project_id
    assert job.kind == jobs_pb2.JOB_KIND_MANIFEST_GENERATION
    assert job.status == jobs_pb2.JOB_STATUS_QUEUED
    assert job.resource_type == jobs_pb2.RESOURCE_TYPE_MANIFEST
    assert not job.HasField("progress")
    assert not job.HasField("resource_id")
    assert not job.HasField("error")
    assert dict(job.result) == {}
    assert job.created_by == tenant.owner.user_id
    assert job.created_by_user.id == tenant.owner.user_id
    assert job.created_by_user.username == "owen"
    assert job.created_by_user.email == "owen@example.test"
    assert job.created_by_user.full_name == "Owen"
    assert job.HasField("created_at")
    for unset in ("started_at", "completed_at", "cancel_requested_at"):
        assert not job.HasField(unset)


def test_an_empty_request_is_valid_and_uses_the_default_project(
        grpc_client: GrpcClient, tenant: Tenant, service: RunningService) -> None:
    job = grpc_client.call("CreateManifestJob", create(tenant), tenant.contributor.key).job
    assert job.project_id == tenant.default_project_id
    params = service.run_db(lambda c: c.execute(select(Job.params).where(Job.id == job.id)).scalar_one())
    # No seed given: the server picks one and records it so the world can be regenerated.
    assert isinstance(params["seed"], int) and params["seed_submitted"] is False
    assert params["preset"] is None and params["domains"] is None


@pytest.mark.parametrize("seed", [-(2**63), -1, 0, 2**63 - 1])
def test_any_signed_64_bit_seed_is_kept_exactly(grpc_client: GrpcClient, tenant: Tenant,
                                                service: RunningService, seed: int) -> None:
    job = grpc_client.call("CreateManifestJob", create(tenant, seed=seed), tenant.owner.key).job
    params = service.run_db(lambda c: c.execute(select(Job.params).where(Job.id == job.id)).scalar_one())
    assert params["seed"] == seed and params["seed_submitted"] is True


VALID_EDGES = [
    {"num_users": 1}, {"num_users": 50000}, {"num_hosts": 1}, {"num_hosts": 10000},
    {"name": "x"}, {"name": "n" * 255}, {"domains": [f"d{i}.example" for i in range(16)]},
    {"domains": ["a" * 63 + ".example"]},
]


@pytest.mark.parametrize("fields", VALID_EDGES, ids=lambda f: next(iter(f)))
def test_values_on_the_edge_of_every_bound_are_accepted(grpc_client: GrpcClient, tenant: Tenant,
                                                        fields: dict[str, object]) -> None:
    job = grpc_client.call("CreateManifestJob", create(tenant, **fields), tenant.owner.key).job
    assert job.status == jobs_pb2.JOB_STATUS_QUEUED


INVALID = [
    ({"num_users": 0}, "num_users", "greater_than_equal", "must be between 1 and 50000"),
    ({"num_users": 50001}, "num_users", "less_than_equal", "must be between 1 and 50000"),
    ({"num_users": -(2**63)}, "num_users", "greater_than_equal", "must be between 1 and 50000"),
    ({"num_hosts": 0}, "num_hosts", "greater_than_equal", "must be between 1 and 10000"),
    ({"num_hosts": 10001}, "num_hosts", "less_than_equal", "must be between 1 and 10000"),
    ({"name": ""}, "name", "string_too_short", "must not be empty"),
    ({"name": "n" * 256}, "name", "string_too_long", "must have at most 255 characters"),
    ({"domains": [f"d{i}.example" for i in range(17)]}, "domains", "too_long", "must have at most 16 items"),
    ({"domains": ["corp.example", "CORP.example"]}, "domains", "unique_items", "must not contain duplicates"),
    ({"domains": ["ok.example", "not a name"]}, "domains[1]", "dns_name", "must be a valid DNS name"),
    ({"domains": ["-bad.example"]}, "domains[0]", "dns_name", "must be a valid DNS name"),
    ({"project_id": "not-a-uuid"}, "project_id", "uuid_parsing", "must be a UUID (version 4)"),
    ({"project_id": "00000000-0000-1000-8000-000000000000"}, "project_id", "uuid_parsing",
     "must be a UUID (version 4)"),
    ({"project_id": str(uuid.uuid4())}, "project_id", "project_not_found",
     "no such project in this workspace"),
    ({"preset": 99}, "preset", "enum", None),
    ({"preset": jobs_pb2.PRESET_UNSPECIFIED}, "preset", "enum", None),
]


@pytest.mark.parametrize(("fields", "field", "kind", "message"), INVALID,
                         ids=[f"{case[1]}-{case[2]}-{i}" for i, case in enumerate(INVALID)])
def test_each_broken_bound_is_one_field_violation(grpc_client: GrpcClient, tenant: Tenant,
                                                  service: RunningService, fields: dict[str, object],
                                                  field: str, kind: str, message: str | None) -> None:
    failure = grpc_client.fail("CreateManifestJob", create(tenant, **fields), tenant.owner.key)
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert (failure.reason, failure.domain) == ("VALIDATION_FAILED", "worlds")
    assert list(failure.violations) == [field]
    description, reason = failure.violations[field]
    assert reason == kind
    if message is not None:
        assert description == message
    assert service.run_db(lambda c: c.execute(select(Job.id)).all()) == []


def test_every_bad_field_is_reported_at_once(grpc_client: GrpcClient, tenant: Tenant) -> None:
    failure = grpc_client.fail("CreateManifestJob", create(
        tenant, num_users=0, num_hosts=10001, name=""), tenant.owner.key)
    assert set(failure.violations) == {"num_users", "num_hosts", "name"}


# -- authentication and authorisation ------------------------------------------------


def test_the_key_is_accepted_as_bearer_token_and_as_x_api_key(grpc_client: GrpcClient,
                                                              tenant: Tenant) -> None:
    for header in ("bearer", "x-api-key"):
        job = grpc_client.call("CreateManifestJob", create(tenant), tenant.owner.key, header=header).job
        assert job.created_by == tenant.owner.user_id


@pytest.mark.parametrize(("metadata", "reason"), [
    ([], "MISSING_CREDENTIALS"),
    ([("authorization", "Bearer wk_nonsense")], "INVALID_API_KEY"),
    ([("x-api-key", "wk_nonsense")], "INVALID_API_KEY"),
    ([("authorization", "Basic dXNlcjpwdw==")], "MALFORMED_CREDENTIALS"),
    ([("authorization", "Bearer ")], "MALFORMED_CREDENTIALS"),
])
def test_calls_without_a_valid_key_are_unauthenticated(grpc_client: GrpcClient, tenant: Tenant,
                                                       metadata: list[tuple[str, str]],
                                                       reason: str) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        grpc_client.stub.CreateManifestJob(create(tenant), metadata=metadata)
    from tests.support.grpc_client import decode_failure

    failure = decode_failure(caught.value)
    assert failure.code == grpc.StatusCode.UNAUTHENTICATED
    assert failure.reason == reason


def test_a_revoked_key_is_unauthenticated(grpc_client: GrpcClient, tenant: Tenant) -> None:
    failure = grpc_client.fail("ListJobs", pb.ListJobsRequest(org=tenant.org, workspace=tenant.workspace),
                               tenant.revoked_key)
    assert (failure.code, failure.reason) == (grpc.StatusCode.UNAUTHENTICATED, "API_KEY_REVOKED")


def test_authentication_comes_before_validation(grpc_client: GrpcClient, tenant: Tenant) -> None:
    failure = grpc_client.fail("CreateManifestJob", create(tenant, num_users=0), "wk_nonsense")
    assert failure.code == grpc.StatusCode.UNAUTHENTICATED


def test_a_non_member_cannot_tell_the_workspace_exists(grpc_client: GrpcClient, tenant: Tenant) -> None:
    existing = grpc_client.fail("CreateManifestJob", create(tenant), tenant.outsider.key)
    missing = grpc_client.fail("CreateManifestJob", pb.CreateManifestJobRequest(
        org=tenant.org, workspace="nope"), tenant.outsider.key)
    assert existing.code == missing.code == grpc.StatusCode.NOT_FOUND
    assert existing.reason == missing.reason == "NOT_FOUND"


def test_a_reader_may_list_but_not_create(grpc_client: GrpcClient, tenant: Tenant) -> None:
    failure = grpc_client.fail("CreateManifestJob", create(tenant), tenant.reader.key)
    assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "PERMISSION_DENIED")
    listing = grpc_client.call("ListJobs", pb.ListJobsRequest(org=tenant.org, workspace=tenant.workspace),
                               tenant.reader.key)
    assert listing.total == 0


def test_the_last_use_of_a_key_is_recorded(grpc_client: GrpcClient, tenant: Tenant,
                                           service: RunningService) -> None:
    grpc_client.call("CreateManifestJob", create(tenant), tenant.contributor.key)
    # Recorded off the request path, so shortly after the call rather than before it returns.
    wait_for(lambda: service.run_db(lambda c: c.execute(
        select(ApiKey.last_used_at).where(ApiKey.user_id == tenant.contributor.user_id)).scalar_one()),
        timeout=5, what="the key's last use to be recorded")
