"""CreateTrajectoryJob's checks and the trajectory reads at their edges, on both engines:
each bad input gets the contract's status and names its field, nothing is enqueued on
any error, and nothing of one workspace is visible from another."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from tests.support.grpc_client import GrpcClient
from tests.support.jobs import wait_for
from tests.support.rest_client import RestClient, assert_envelope, field_errors
from tests.support.service import RunningService
from tests.support.tenants import Tenant
from worlds.v1 import trajectories_pb2
from worlds.v1 import worlds_service_pb2 as pb

UNKNOWN = "00000000-0000-4000-8000-00000000beef"


@pytest.fixture
def http(service: RunningService) -> Any:
    client = RestClient(service.base_url)
    yield client
    client.close()


def base(tenant: Tenant, workspace: str | None = None) -> str:
    return f"/api/v1/org/{tenant.org}/ws/{workspace or tenant.workspace}/worlds"


def post(http: RestClient, tenant: Tenant, body: dict[str, Any], key: str | None = None) -> Any:
    return http.request("POST", f"{base(tenant)}/trajectories", key or tenant.owner.key, json=body)


def job_total(grpc_client: GrpcClient, tenant: Tenant) -> int:
    return int(grpc_client.call("ListJobs", pb.ListJobsRequest(
        org=tenant.org, workspace=tenant.workspace), tenant.owner.key).total)


def test_every_accepted_goal_form_is_enqueued(http: RestClient, tenant: Tenant,
                                              manifest: dict[str, Any]) -> None:
    world = manifest["world"]
    domain = world.spec.domains[0]
    host_id, host = next(iter(world.hosts.items()))
    user_id, user = next((k, p) for k, p in world.principals.items()
                         if p["principal_type"] == "user")
    group = next(p["sam"] for p in world.principals.values()
                 if p["principal_type"] == "group" and p["sam"].lower() == "domain users")
    goals = ["Domain Admins", f"Domain Admins@{domain}", "Enterprise Admins", group,
             f"{group}@{domain}", f"host:{host['hostname']}", f"host:{host_id}",
             f"principal:{user['sam']}", f"principal:{user_id}", "dcsync", f"dcsync:{domain}"]
    for goal in goals:
        response = post(http, tenant, {"manifest_id": manifest["id"], "goal": goal,
                                       "max_steps": 3})
        assert response.status_code == 202, (goal, response.text)
    jobs = http.request("GET", f"{base(tenant)}/jobs", tenant.owner.key,
                        params={"kind": "trajectory_generation", "page_size": 100}).json()
    assert jobs["total"] == len(goals)


@pytest.mark.parametrize("goal", ["host:NO-SUCH-HOST", "principal:nobody.at.all",
                                  "No Such Group", "Domain Admins@elsewhere.example",
                                  "dcsync:elsewhere.example"])
def test_a_goal_naming_nothing_is_422_on_goal_and_enqueues_nothing(
        http: RestClient, grpc_client: GrpcClient, tenant: Tenant, manifest: dict[str, Any],
        goal: str) -> None:
    before = job_total(grpc_client, tenant)
    body = assert_envelope(post(http, tenant, {"manifest_id": manifest["id"], "goal": goal}),
                           422, "validation_error")
    assert field_errors(body) == {("body", "goal"): "goal"}
    message = body["errors"][0]["msg"]
    assert "accepted forms" in message and "host:<hostname or id>" in message
    assert job_total(grpc_client, tenant) == before


def test_the_request_bounds_come_from_the_protos(http: RestClient, tenant: Tenant,
                                                 manifest: dict[str, Any]) -> None:
    cases = [({"count": 0}, "count"), ({"count": 101}, "count"), ({"max_steps": 0}, "max_steps"),
             ({"max_steps": 1001}, "max_steps"), ({"threads": 17}, "threads"),
             ({"threads": 0}, "threads"), ({"strategy": "bold"}, "strategy"),
             ({"mode": "shell"}, "mode"), ({"goal": ""}, "goal"), ({"name": ""}, "name"),
             ({"project_id": "x"}, "project_id"), ({"colour": "red"}, "colour")]
    for fields, name in cases:
        body = assert_envelope(post(http, tenant, {"manifest_id": manifest["id"], **fields}),
                               422, "validation_error")
        assert ("body", name) in field_errors(body), (fields, body)
    body = assert_envelope(post(http, tenant, {}), 422, "validation_error")
    assert ("body", "manifest_id") in field_errors(body)


def test_defaults_are_the_contracts(service: RunningService, http: RestClient, tenant: Tenant,
                                    manifest: dict[str, Any]) -> None:
    response = post(http, tenant, {"manifest_id": manifest["id"]})
    assert response.status_code == 202
    job = response.json()
    assert (job["resource_type"], job["project_id"]) == ("trajectory", tenant.default_project_id)
    db = service.app.db
    assert db is not None
    from tests.support.jobs import job_row

    assert job_row(db, job["id"]).params == {
        "manifest_id": manifest["id"], "goal": "Domain Admins", "count": 1, "strategy": "random",
        "max_steps": 100, "seed": 42, "threads": 1, "only_successful": False, "mode": "kali"}


def test_agent_mode_needs_a_runtime_this_server_does_not_host(
        http: RestClient, grpc_client: GrpcClient, tenant: Tenant,
        manifest: dict[str, Any]) -> None:
    before = job_total(grpc_client, tenant)
    body = assert_envelope(post(http, tenant, {"manifest_id": manifest["id"], "mode": "agent"}),
                           422, "validation_error")
    assert field_errors(body) == {("body", "runtime_id"): "missing",
                                  ("body", "capability_name"): "missing"}
    body = assert_envelope(post(http, tenant, {"manifest_id": manifest["id"], "mode": "agent",
                                               "runtime_id": "rt-1"}), 422, "validation_error")
    assert field_errors(body) == {("body", "capability_name"): "missing"}
    body = assert_envelope(post(http, tenant, {
        "manifest_id": manifest["id"], "mode": "agent", "runtime_id": "rt-1",
        "capability_name": "exploit", "agent_name": "a", "agent_model": "m",
        "agent_policy": {"max_tokens": 5}}), 404, "not_found")
    assert "runtime" in body["detail"] and "not found" in body["detail"]
    failure = grpc_client.fail("CreateTrajectoryJob", trajectories_pb2.CreateTrajectoryJobRequest(
        org=tenant.org, workspace=tenant.workspace, manifest_id=manifest["id"],
        mode=trajectories_pb2.TRAJECTORY_MODE_AGENT), tenant.owner.key)
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(failure.violations) == {"runtime_id", "capability_name"}
    assert job_total(grpc_client, tenant) == before


def test_project_id_must_be_the_manifests(http: RestClient, grpc_client: GrpcClient,
                                          tenant: Tenant, manifest: dict[str, Any]) -> None:
    before = job_total(grpc_client, tenant)
    for project_id in (tenant.other_project_id, UNKNOWN):
        body = assert_envelope(post(http, tenant, {"manifest_id": manifest["id"],
                                                   "project_id": project_id}),
                               422, "validation_error")
        assert field_errors(body) == {("body", "project_id"): "project_mismatch"}
    assert job_total(grpc_client, tenant) == before
    response = post(http, tenant, {"manifest_id": manifest["id"],
                                   "project_id": tenant.default_project_id})
    assert response.status_code == 202 and response.json()["project_id"] == \
        tenant.default_project_id


def test_nothing_crosses_workspaces(http: RestClient, grpc_client: GrpcClient, tenant: Tenant,
                                    manifest: dict[str, Any]) -> None:
    job = post(http, tenant, {"manifest_id": manifest["id"], "max_steps": 3}).json()
    done = wait_for(lambda: (j if (j := http.request("GET", f"{base(tenant)}/jobs/{job['id']}",
                                                     tenant.owner.key).json())["status"]
                             == "completed" else None), 60, 0.05, "the job")
    trajectory_id = done["resource_id"]
    outsider, other = tenant.outsider.key, base(tenant, tenant.other_workspace)
    for path in (f"/trajectories/{trajectory_id}", f"/trajectories/{trajectory_id}/replay",
                 f"/manifests/{manifest['id']}/trajectories",
                 f"/manifests/{manifest['id']}/commands"):
        assert_envelope(http.request("GET", other + path, outsider), 404, "not_found")
    assert_envelope(http.request("POST", f"{other}/trajectories", outsider,
                                 json={"manifest_id": manifest["id"]}), 404, "not_found")
    listed = http.request("GET", f"{other}/trajectories", outsider).json()
    assert listed["total"] == 0 and listed["items"] == []
    # Nor with the outsider's key in this workspace: it is not theirs to see.
    assert_envelope(http.request("GET", f"{base(tenant)}/trajectories/{trajectory_id}",
                                 outsider), 404, "not_found")


def test_unknown_ids_are_404_and_bad_ids_422(http: RestClient, tenant: Tenant) -> None:
    for path in (f"/trajectories/{UNKNOWN}", f"/trajectories/{UNKNOWN}/replay",
                 f"/manifests/{UNKNOWN}/trajectories", f"/manifests/{UNKNOWN}/commands"):
        assert_envelope(http.request("GET", base(tenant) + path, tenant.reader.key),
                        404, "not_found")
    assert_envelope(post(http, tenant, {"manifest_id": UNKNOWN}), 404, "not_found")
    for path in ("/trajectories/nope", "/trajectories/nope/replay"):
        assert_envelope(http.request("GET", base(tenant) + path, tenant.reader.key),
                        422, "validation_error")
    body = assert_envelope(http.request("GET", f"{base(tenant)}/trajectories", tenant.reader.key,
                                        params={"page_size": 101}), 422, "validation_error")
    assert ("query", "page_size") in field_errors(body)
    # A reader may read but not create.
    assert_envelope(post(http, tenant, {"manifest_id": UNKNOWN}, tenant.reader.key), 403,
                    "permission_denied")
