"""ListJobs and GetJob over gRPC: pagination bounds, filters, order, exact totals, scoping."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import update

from tests.support.consistency import assert_counts_consistent
from tests.support.grpc_client import GrpcClient
from tests.support.service import RunningService
from tests.support.tenants import Tenant
from worlds.store.models import Job
from worlds.v1 import jobs_pb2
from worlds.v1 import worlds_service_pb2 as pb


def list_request(tenant: Tenant, **fields: object) -> pb.ListJobsRequest:
    return pb.ListJobsRequest(org=tenant.org, workspace=tenant.workspace, **fields)


def make_jobs(client: GrpcClient, tenant: Tenant, count: int, key: str | None = None,
              **fields: object) -> list[str]:
    return [client.call("CreateManifestJob", pb.CreateManifestJobRequest(
        org=tenant.org, workspace=tenant.workspace, **fields), key or tenant.owner.key).job.id
        for _ in range(count)]


def test_defaults_are_page_1_of_20(grpc_client: GrpcClient, tenant: Tenant) -> None:
    make_jobs(grpc_client, tenant, 21)
    response = grpc_client.call("ListJobs", list_request(tenant), tenant.reader.key)
    assert (response.page, response.page_size, response.total) == (1, 20, 21)
    assert len(response.items) == 20


@pytest.mark.parametrize(("fields", "field", "kind"), [
    ({"page": 0}, "page", "greater_than_equal"),
    ({"page": -5}, "page", "greater_than_equal"),
    ({"page_size": 0}, "page_size", "greater_than_equal"),
    ({"page_size": 101}, "page_size", "less_than_equal"),
    ({"status": 42}, "status", "enum"),
    ({"kind": jobs_pb2.JOB_KIND_UNSPECIFIED}, "kind", "enum"),
    ({"project_id": "nope"}, "project_id", "uuid_parsing"),
    ({"created_by": "nope"}, "created_by", "uuid_parsing"),
])
def test_out_of_range_parameters_are_rejected_not_clamped(grpc_client: GrpcClient, tenant: Tenant,
                                                          fields: dict[str, object], field: str,
                                                          kind: str) -> None:
    failure = grpc_client.fail("ListJobs", list_request(tenant, **fields), tenant.owner.key)
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert {name: reason for name, (_, reason) in failure.violations.items()} == {field: kind}


@pytest.mark.parametrize("page_size", [1, 100])
def test_page_size_edges_are_accepted(grpc_client: GrpcClient, tenant: Tenant, page_size: int) -> None:
    make_jobs(grpc_client, tenant, 2)
    response = grpc_client.call("ListJobs", list_request(tenant, page_size=page_size), tenant.owner.key)
    assert len(response.items) == min(page_size, 2) and response.page_size == page_size


def test_pages_walk_newest_first_without_gaps_or_repeats(grpc_client: GrpcClient, tenant: Tenant,
                                                          service: RunningService) -> None:
    ids = make_jobs(grpc_client, tenant, 7)
    # Give three jobs the same creation time: the id breaks the tie, descending.
    same = datetime(2030, 1, 1, tzinfo=UTC)
    service.run_db(lambda c: c.execute(update(Job).where(Job.id.in_(ids[:3])).values(created_at=same)))
    base = datetime(2020, 1, 1, tzinfo=UTC)
    for offset, job_id in enumerate(ids[3:]):
        stamp = base + timedelta(minutes=offset)
        service.run_db(lambda c, i=job_id, t=stamp: c.execute(
            update(Job).where(Job.id == i).values(created_at=t)))
    expected = sorted(ids[:3], reverse=True) + list(reversed(ids[3:]))
    seen = []
    for page in range(1, 5):
        response = grpc_client.call("ListJobs", list_request(tenant, page=page, page_size=2),
                                    tenant.owner.key)
        assert response.total == 7
        seen += [job.id for job in response.items]
    assert seen == expected


def test_a_page_past_the_end_is_empty_with_the_exact_total(grpc_client: GrpcClient,
                                                           tenant: Tenant) -> None:
    make_jobs(grpc_client, tenant, 3)
    for page in (2, 2**62):
        response = grpc_client.call("ListJobs", list_request(tenant, page=page, page_size=100),
                                    tenant.owner.key)
        assert (list(response.items), response.total, response.page) == ([], 3, page)


def test_each_filter_narrows_items_and_total(grpc_client: GrpcClient, tenant: Tenant,
                                             service: RunningService) -> None:
    by_owner = make_jobs(grpc_client, tenant, 3)
    by_cora = make_jobs(grpc_client, tenant, 2, key=tenant.contributor.key,
                        project_id=tenant.other_project_id)
    cancelled = by_owner[0]
    service.run_db(lambda c: c.execute(update(Job).where(Job.id == cancelled).values(status="cancelled")))
    # Keep the counters consistent with the direct update above.
    from worlds.core.jobstate import Status
    from worlds.store.dialect import dialect_for
    from worlds.store.jobs import get_job, move_count

    def fix_counts(conn: object) -> None:
        row = get_job(conn, tenant.workspace_id, cancelled)  # type: ignore[arg-type]
        move_count(dialect_for(service.app.db.engine), conn, row, Status.QUEUED, Status.CANCELLED)  # type: ignore[arg-type, union-attr]

    service.run_db(fix_counts)
    service.run_db(assert_counts_consistent, tenant.workspace_id)

    def ids(**fields: object) -> tuple[set[str], int]:
        response = grpc_client.call("ListJobs", list_request(tenant, page_size=100, **fields),
                                    tenant.owner.key)
        return {job.id for job in response.items}, response.total

    assert ids() == (set(by_owner + by_cora), 5)
    assert ids(created_by=tenant.contributor.user_id) == (set(by_cora), 2)
    assert ids(project_id=tenant.other_project_id) == (set(by_cora), 2)
    assert ids(project_id=tenant.default_project_id) == (set(by_owner), 3)
    assert ids(status=jobs_pb2.JOB_STATUS_CANCELLED) == ({cancelled}, 1)
    assert ids(status=jobs_pb2.JOB_STATUS_QUEUED) == (set(by_owner[1:] + by_cora), 4)
    assert ids(kind=jobs_pb2.JOB_KIND_MANIFEST_GENERATION) == (set(by_owner + by_cora), 5)
    assert ids(kind=jobs_pb2.JOB_KIND_TRAJECTORY_GENERATION) == (set(), 0)
    assert ids(status=jobs_pb2.JOB_STATUS_QUEUED, created_by=tenant.owner.user_id) == (set(by_owner[1:]), 2)


def test_jobs_of_other_workspaces_are_invisible(grpc_client: GrpcClient, tenant: Tenant) -> None:
    theirs = grpc_client.call("CreateManifestJob", pb.CreateManifestJobRequest(
        org=tenant.org, workspace=tenant.other_workspace), tenant.outsider.key).job.id
    assert grpc_client.call("ListJobs", list_request(tenant), tenant.owner.key).total == 0
    failure = grpc_client.fail("GetJob", pb.GetJobRequest(
        org=tenant.org, workspace=tenant.workspace, job_id=theirs), tenant.owner.key)
    assert failure.code == grpc.StatusCode.NOT_FOUND


def test_get_job_returns_the_same_record_as_create(grpc_client: GrpcClient, tenant: Tenant) -> None:
    created = grpc_client.call("CreateManifestJob", pb.CreateManifestJobRequest(
        org=tenant.org, workspace=tenant.workspace, name="n"), tenant.owner.key).job
    fetched = grpc_client.call("GetJob", pb.GetJobRequest(
        org=tenant.org, workspace=tenant.workspace, job_id=created.id), tenant.reader.key).job
    assert fetched == created


def test_get_job_rejects_a_malformed_id_and_misses_an_unknown_one(grpc_client: GrpcClient,
                                                                 tenant: Tenant) -> None:
    bad = grpc_client.fail("GetJob", pb.GetJobRequest(
        org=tenant.org, workspace=tenant.workspace, job_id="42"), tenant.owner.key)
    assert bad.code == grpc.StatusCode.INVALID_ARGUMENT and list(bad.violations) == ["job_id"]
    unknown = grpc_client.fail("GetJob", pb.GetJobRequest(
        org=tenant.org, workspace=tenant.workspace, job_id=str(uuid.uuid4())), tenant.owner.key)
    assert (unknown.code, unknown.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")


def test_page_tokens_walk_the_same_order_as_pages(grpc_client: GrpcClient, tenant: Tenant,
                                                  service: RunningService) -> None:
    ids = make_jobs(grpc_client, tenant, 7)
    # Ties on created_at must be broken by id across a token boundary too.
    same = datetime(2030, 1, 1, tzinfo=UTC)
    service.run_db(lambda c: c.execute(update(Job).where(Job.id.in_(ids[:4])).values(created_at=same)))
    by_page = [job.id for page in range(1, 5) for job in grpc_client.call(
        "ListJobs", list_request(tenant, page=page, page_size=2), tenant.owner.key).items]
    by_token, token, pages = [], None, 0
    while True:
        fields = {"page_token": token} if token else {}
        response = grpc_client.call("ListJobs", list_request(tenant, page_size=2, **fields),
                                    tenant.owner.key)
        pages += 1
        by_token += [job.id for job in response.items]
        assert response.total == 7 and response.page == (0 if token else 1)
        if not response.HasField("next_page_token"):
            break
        token = response.next_page_token
    assert by_token == by_page and len(by_token) == 7 and pages == 4


def test_the_last_page_has_no_next_token(grpc_client: GrpcClient, tenant: Tenant) -> None:
    make_jobs(grpc_client, tenant, 2)
    response = grpc_client.call("ListJobs", list_request(tenant, page_size=2), tenant.owner.key)
    assert len(response.items) == 2 and not response.HasField("next_page_token")


@pytest.mark.parametrize("token", ["garbage", "eyJ4IjoxfQ", "W10", "WyJub3QgYSBkYXRlIiwiYSIsImIiXQ"])
def test_a_token_this_service_did_not_issue_is_rejected(grpc_client: GrpcClient, tenant: Tenant,
                                                        token: str) -> None:
    failure = grpc_client.fail("ListJobs", list_request(tenant, page_token=token), tenant.owner.key)
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(failure.violations) == {"page_token"}


def test_a_token_is_bound_to_its_filters_and_exclusive_with_page(grpc_client: GrpcClient,
                                                                  tenant: Tenant) -> None:
    make_jobs(grpc_client, tenant, 3)
    token = grpc_client.call("ListJobs", list_request(tenant, page_size=1),
                             tenant.owner.key).next_page_token
    other = grpc_client.fail("ListJobs", list_request(
        tenant, page_token=token, status=jobs_pb2.JOB_STATUS_QUEUED), tenant.owner.key)
    assert set(other.violations) == {"page_token"}
    both = grpc_client.fail("ListJobs", list_request(tenant, page_token=token, page=2),
                            tenant.owner.key)
    assert set(both.violations) == {"page"}
