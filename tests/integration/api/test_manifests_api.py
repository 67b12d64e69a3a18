"""The manifest and cancel RPCs at their edges, on both engines: every bad input is
INVALID_ARGUMENT or NOT_FOUND with the contract's details (never INTERNAL), pages
past the end are empty, and the REST routes give the contract's envelope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import grpc
import httpx
import pytest

from tests.support.grpc_client import GrpcClient
from tests.support.jobs import insert_job
from tests.support.service import RunningService
from tests.support.tenants import Tenant
from worlds.core.lease import Lease
from worlds.generator import generate_world, resolve_spec
from worlds.store import artifacts
from worlds.store import manifests as manifest_store
from worlds.store import queue as queue_store
from worlds.store.dialect import dialect_for
from worlds.v1 import worlds_service_pb2 as pb

UNKNOWN = "00000000-0000-4000-8000-00000000beef"


@pytest.fixture
def manifest(service: RunningService, tenant: Tenant) -> dict[str, Any]:
    """A completed job's manifest (a small world), published by the store's own path."""
    db = service.app.db
    assert db is not None
    dialect = dialect_for(db.engine)
    world = generate_world(resolve_spec(None, 30, 8, None, 21))
    encoded = artifacts.encode_world(world)
    now = datetime.now(UTC)
    job_id = insert_job(db, tenant, now, seed=21, num_users=30, num_hosts=8)
    row = db.run_write(lambda c: queue_store.claim(dialect, c, "w", now, now, ["manifest_generation"]))
    lease = Lease(row.id, row.attempt, "w")
    manifest_id = "11111111-1111-4111-8111-111111111111"
    db.run_write(lambda c: queue_store.complete(dialect, c, lease, now, manifest_store.NewManifest(
        id=manifest_id, organization_id=tenant.organization_id, workspace_id=tenant.workspace_id,
        project_id=tenant.default_project_id, created_by=tenant.owner.user_id,
        source_job_id=job_id, name=None, preset=None, seed=21, stats=encoded.stats,
        artifact_refs=encoded.refs), encoded.chunks))
    user = next(key for key, p in world.principals.items() if p["principal_type"] == "user")
    return {"id": manifest_id, "job_id": job_id, "world": world, "user": user,
            "host": next(iter(world.hosts))}


def scoped(tenant: Tenant, **fields: Any) -> dict[str, Any]:
    return {"org": tenant.org, "workspace": tenant.workspace, **fields}


def bad_requests(tenant: Tenant, m: dict[str, Any]) -> list[tuple[str, Any, dict[str, str]]]:
    """(method, request, {field: violation type}) for every new RPC."""
    mid = m["id"]
    cases: list[tuple[str, Any, dict[str, str]]] = [
        ("CancelJob", pb.CancelJobRequest(**scoped(tenant, job_id="nope")),
         {"job_id": "uuid_parsing"}),
        ("ListManifests", pb.ListManifestsRequest(**scoped(tenant, page=0)),
         {"page": "greater_than_equal"}),
        ("ListManifests", pb.ListManifestsRequest(**scoped(tenant, page_size=0)),
         {"page_size": "greater_than_equal"}),
        ("ListManifests", pb.ListManifestsRequest(**scoped(tenant, page_size=101)),
         {"page_size": "less_than_equal"}),
        ("ListManifests", pb.ListManifestsRequest(**scoped(tenant, project_id="x", created_by="y")),
         {"project_id": "uuid_parsing", "created_by": "uuid_parsing"}),
        ("GetManifest", pb.GetManifestRequest(**scoped(tenant, manifest_id="1234")),
         {"manifest_id": "uuid_parsing"}),
    ]
    for method, request_type, most in (("ListGraphNodes", pb.ListGraphNodesRequest, 5000),
                                       ("ListGraphEdges", pb.ListGraphEdgesRequest, 20000)):
        cases += [
            (method, request_type(**scoped(tenant, manifest_id=mid, limit=0)),
             {"limit": "greater_than_equal"}),
            (method, request_type(**scoped(tenant, manifest_id=mid, limit=most + 1)),
             {"limit": "less_than_equal"}),
            (method, request_type(**scoped(tenant, manifest_id=mid, offset=-1)),
             {"offset": "greater_than_equal"}),
            (method, request_type(**scoped(tenant, manifest_id="x", limit=-5)),
             {"manifest_id": "uuid_parsing", "limit": "greater_than_equal"}),
        ]
    for method, request_type, field in (("GetHostDetails", pb.GetHostDetailsRequest, "host_id"),
                                        ("GetPrincipalDetails", pb.GetPrincipalDetailsRequest,
                                         "principal_id")):
        cases += [
            (method, request_type(**scoped(tenant, manifest_id=mid, **{field: ""})),
             {field: "string_too_short"}),
            (method, request_type(**scoped(tenant, manifest_id=mid, **{field: "h" * 129})),
             {field: "string_too_long"}),
            (method, request_type(**scoped(tenant, manifest_id="", **{field: "x"})),
             {"manifest_id": "uuid_parsing"}),
        ]
    return cases


def test_bad_inputs_are_invalid_argument_with_one_violation_per_field(
        grpc_client: GrpcClient, tenant: Tenant, manifest: dict[str, Any]) -> None:
    for method, request, expected in bad_requests(tenant, manifest):
        failure = grpc_client.fail(method, request, tenant.owner.key)
        assert failure.code == grpc.StatusCode.INVALID_ARGUMENT, (method, request)
        assert {f: kind for f, (_, kind) in failure.violations.items()} == expected, method


def test_unknown_ids_are_not_found(grpc_client: GrpcClient, tenant: Tenant,
                                   manifest: dict[str, Any]) -> None:
    mid = manifest["id"]
    cases = [
        ("CancelJob", pb.CancelJobRequest(**scoped(tenant, job_id=UNKNOWN))),
        ("GetManifest", pb.GetManifestRequest(**scoped(tenant, manifest_id=UNKNOWN))),
        ("ListGraphNodes", pb.ListGraphNodesRequest(**scoped(tenant, manifest_id=UNKNOWN))),
        ("ListGraphEdges", pb.ListGraphEdgesRequest(**scoped(tenant, manifest_id=UNKNOWN))),
        ("GetHostDetails", pb.GetHostDetailsRequest(**scoped(tenant, manifest_id=UNKNOWN,
                                                             host_id=manifest["host"]))),
        ("GetHostDetails", pb.GetHostDetailsRequest(**scoped(tenant, manifest_id=mid,
                                                             host_id="d9-c99999"))),
        # A user is a principal, not a host.
        ("GetHostDetails", pb.GetHostDetailsRequest(**scoped(tenant, manifest_id=mid,
                                                             host_id=manifest["user"]))),
        ("GetPrincipalDetails", pb.GetPrincipalDetailsRequest(
            **scoped(tenant, manifest_id=mid, principal_id="no-such-principal"))),
        ("GetPrincipalDetails", pb.GetPrincipalDetailsRequest(
            **scoped(tenant, manifest_id=UNKNOWN, principal_id=manifest["user"]))),
    ]
    for method, request in cases:
        failure = grpc_client.fail(method, request, tenant.reader.key if method != "CancelJob"
                                   else tenant.owner.key)
        assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND"), method

    # Another workspace: its members see nothing of this one's manifest or job.
    blue = {"org": tenant.org, "workspace": tenant.other_workspace}
    for method, request in [
        ("GetManifest", pb.GetManifestRequest(**blue, manifest_id=mid)),
        ("ListGraphNodes", pb.ListGraphNodesRequest(**blue, manifest_id=mid)),
        ("GetPrincipalDetails", pb.GetPrincipalDetailsRequest(
            **blue, manifest_id=mid, principal_id=manifest["user"])),
        ("CancelJob", pb.CancelJobRequest(**blue, job_id=manifest["job_id"])),
    ]:
        assert grpc_client.fail(method, request, tenant.outsider.key).code == \
            grpc.StatusCode.NOT_FOUND, method
    listed = grpc_client.call("ListManifests", pb.ListManifestsRequest(**blue), tenant.outsider.key)
    assert listed.total == 0


def test_pages_cover_the_graph_and_end_empty(grpc_client: GrpcClient, tenant: Tenant,
                                             manifest: dict[str, Any]) -> None:
    world, mid = manifest["world"], manifest["id"]
    for method, field, items, most in (("ListGraphNodes", "nodes", world.nodes, 5000),
                                       ("ListGraphEdges", "edges", world.edges, 20000)):
        request_type = getattr(pb, f"{method}Request")
        everything = getattr(grpc_client.call(method, request_type(**scoped(
            tenant, manifest_id=mid, limit=most)), tenant.reader.key), field)
        assert [item.data.id for item in everything] == [item["id"] for item in items]
        default = getattr(grpc_client.call(method, request_type(**scoped(
            tenant, manifest_id=mid)), tenant.reader.key), field)
        assert len(default) == min(1000, len(items))
        window = getattr(grpc_client.call(method, request_type(**scoped(
            tenant, manifest_id=mid, limit=3, offset=len(items) - 2)), tenant.reader.key), field)
        assert [item.data.id for item in window] == [item["id"] for item in items[-2:]]
        for offset in (len(items), 2**62):
            past = getattr(grpc_client.call(method, request_type(**scoped(
                tenant, manifest_id=mid, offset=offset)), tenant.reader.key), field)
            assert list(past) == []


def test_rest_routes_speak_the_contract(service: RunningService, tenant: Tenant,
                                        manifest: dict[str, Any]) -> None:
    base = f"{service.base_url}/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds"
    headers = {"X-API-Key": tenant.owner.key}
    mid, world = manifest["id"], manifest["world"]
    with httpx.Client(headers=headers, timeout=10) as http:
        body = http.get(f"{base}/manifests/{mid}").json()
        assert body["id"] == mid and body["manifest_kind"] == "active_directory"
        assert body["seed"] == 21 and body["preset"] is None
        assert body["stats"]["total_edges"] == len(world.edges)
        assert http.get(f"{base}/manifests").json()["total"] == 1

        nodes = http.get(f"{base}/manifests/{mid}/graph/nodes", params={"limit": 2}).json()
        assert [n["data"]["id"] for n in nodes["nodes"]] == [n["id"] for n in world.nodes[:2]]
        edges = http.get(f"{base}/manifests/{mid}/graph/edges", params={"offset": 1, "limit": 1})
        assert edges.json() == {"edges": [{"data": world.edges[1]}], "count": 1,
                                "total": len(world.edges)}
        host = http.get(f"{base}/manifests/{mid}/hosts/{manifest['host']}/details").json()
        assert host["host_id"] == manifest["host"] and "inbound_edges" in host

        bad = http.get(f"{base}/manifests/{mid}/graph/nodes", params={"limit": 5001})
        assert bad.status_code == 422 and bad.json()["type"] == "validation_error"
        assert bad.json()["errors"][0]["loc"] == ["query", "limit"]
        missing = http.get(f"{base}/manifests/{mid}/principals/nobody/details")
        assert (missing.status_code, missing.json()["type"]) == (404, "not_found")

        done = http.post(f"{base}/jobs/{manifest['job_id']}/cancel")
        assert (done.status_code, done.json()["type"]) == (409, "conflict")
        assert done.json()["detail"] == "Job is already completed"
        queued = insert_job(service.app.db, tenant, datetime.now(UTC))  # type: ignore[arg-type]
        cancelled = http.post(f"{base}/jobs/{queued}/cancel")
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["completed_at"] is not None
        denied = http.post(f"{base}/jobs/{queued}/cancel", headers={"X-API-Key": tenant.reader.key})
        assert (denied.status_code, denied.json()["type"]) == (403, "permission_denied")
