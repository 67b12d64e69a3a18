"""PlatformService (platform.md) over REST (in-process and standalone gateway) and gRPC, on
both engines: exact shapes and types, membership scoping, bounds, and the upstream client's
scope check before a worlds command."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import grpc
import httpx

from tests.support.grpc_client import GrpcClient
from tests.support.rest_client import RestClient, assert_envelope, field_errors
from tests.support.service import RunningService
from tests.support.tenants import Tenant
from worlds.store import tenancy
from worlds.v1 import platform_service_pb2 as pb

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
USER_FIELDS = {"id", "email_address", "username", "full_name", "first_name", "last_name",
               "created_at"}
ORG_FIELDS = {"id", "name", "key", "created_at", "updated_at",
              "effective_max_sandbox_runtime_seconds", "max_sandbox_runtime_source_level",
              "effective_default_sandbox_runtime_seconds", "default_sandbox_runtime_source_level",
              "platform_max_sandbox_runtime_seconds", "platform_default_sandbox_runtime_seconds"}
WORKSPACE_FIELDS = {"id", "name", "key", "org_id", "created_at", "updated_at", "is_default",
                    "is_active", "description", "created_by", "org_name", "project_count"}
PROJECT_FIELDS = {"id", "key", "name", "created_at", "updated_at", "is_default", "workspace_id",
                  "description"}
SLUG = re.compile(r"^[a-z0-9-]+$")


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_the_current_user(rest: RestClient, tenant: Tenant) -> None:
    user = ok(rest.request("GET", "/api/v1/user", tenant.reader.key))
    assert set(user) == USER_FIELDS
    assert user["id"] == tenant.reader.user_id
    assert (user["email_address"], user["username"]) == ("reed@example.test", "reed")
    assert (user["full_name"], user["first_name"], user["last_name"]) == ("Reed", "Reed", None)
    assert RFC3339_UTC.match(user["created_at"])


def test_an_organization_has_the_fixed_sandbox_fields(rest: RestClient, tenant: Tenant) -> None:
    org = ok(rest.request("GET", f"/api/v1/org/{tenant.org}", tenant.owner.key))
    assert set(org) == ORG_FIELDS
    assert (org["id"], org["key"], org["name"]) == (tenant.organization_id, "acme", "Acme")
    for name in ("effective_max_sandbox_runtime_seconds",
                 "effective_default_sandbox_runtime_seconds",
                 "platform_max_sandbox_runtime_seconds", "platform_default_sandbox_runtime_seconds"):
        assert org[name] == 3600 and type(org[name]) is int
    assert org["max_sandbox_runtime_source_level"] == "platform"
    assert org["default_sandbox_runtime_source_level"] == "platform"
    assert RFC3339_UTC.match(org["created_at"]) and RFC3339_UTC.match(org["updated_at"])


def test_workspaces_list_only_the_callers_and_are_paginated(rest: RestClient, tenant: Tenant,
                                                            service: RunningService) -> None:
    page = ok(rest.request("GET", f"/api/v1/org/{tenant.org}/ws", tenant.owner.key))
    assert set(page) == {"workspaces", "page", "limit", "total", "total_pages", "has_next",
                         "has_previous"}
    assert [w["key"] for w in page["workspaces"]] == ["red"]  # not blue: not a member
    assert (page["page"], page["limit"], page["total"], page["total_pages"]) == (1, 20, 1, 1)
    assert (page["has_next"], page["has_previous"]) == (False, False)
    workspace = page["workspaces"][0]
    assert set(workspace) == WORKSPACE_FIELDS
    assert workspace == {**workspace, "id": tenant.workspace_id, "name": "Red",
                         "org_id": tenant.organization_id, "is_default": True,
                         "is_active": True, "description": None, "created_by": None,
                         "org_name": "Acme", "project_count": 2}
    # The outsider sees blue, which is not the org's default (red came first).
    blue = ok(rest.request("GET", f"/api/v1/org/{tenant.org}/ws", tenant.outsider.key))
    assert [(w["key"], w["is_default"]) for w in blue["workspaces"]] == [("blue", False)]

    def join_blue(conn: Any) -> None:
        ws_id = tenancy.workspace_id_by_slugs(conn, tenant.org, "blue")
        tenancy.set_membership(conn, tenant.owner.user_id, ws_id, tenancy.Role.READER,
                               datetime.now(UTC))

    service.run_db(join_blue)
    first = ok(rest.request("GET", f"/api/v1/org/{tenant.org}/ws?page_size=1", tenant.owner.key))
    second = ok(rest.request("GET", f"/api/v1/org/{tenant.org}/ws?page=2&page_size=1",
                             tenant.owner.key))
    past = ok(rest.request("GET", f"/api/v1/org/{tenant.org}/ws?page=3&page_size=1",
                           tenant.owner.key))
    assert [w["key"] for w in first["workspaces"] + second["workspaces"]] == ["red", "blue"]
    assert (first["total"], first["total_pages"], first["has_next"], first["has_previous"]) == (
        2, 2, True, False)
    assert (second["has_next"], second["has_previous"]) == (False, True)
    assert past["workspaces"] == [] and past["has_previous"] is True


BAD_PAGING = [
    ("page=0", {("query", "page"): "greater_than_equal"}),
    ("page_size=0", {("query", "page_size"): "greater_than_equal"}),
    ("page_size=101", {("query", "page_size"): "less_than_equal"}),
    ("page=x", {("query", "page"): "int_parsing"}),
]


def test_workspace_paging_bounds(rest: RestClient, tenant: Tenant) -> None:
    for query, errors in BAD_PAGING:
        response = rest.request("GET", f"/api/v1/org/{tenant.org}/ws?{query}", tenant.owner.key)
        body = assert_envelope(response, 422, "validation_error")
        assert field_errors(body) == errors, query


def test_paging_edges_are_accepted(rest: RestClient, tenant: Tenant) -> None:
    page = ok(rest.request("GET", f"/api/v1/org/{tenant.org}/ws?page=1&page_size=100",
                           tenant.owner.key))
    assert page["limit"] == 100 and len(page["workspaces"]) == 1
    page = ok(rest.request("GET", f"/api/v1/org/{tenant.org}/ws?page_size=1", tenant.owner.key))
    assert page["limit"] == 1


def test_one_workspace_and_its_projects(rest: RestClient, tenant: Tenant) -> None:
    base = f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}"
    workspace = ok(rest.request("GET", base, tenant.reader.key))
    assert set(workspace) == WORKSPACE_FIELDS and workspace["key"] == "red"
    projects = ok(rest.request("GET", base + "/projects", tenant.reader.key))
    assert isinstance(projects, list)  # a bare JSON array
    assert [(p["key"], p["is_default"]) for p in projects] == [("default", True), ("other", False)]
    for project in projects:
        assert set(project) == PROJECT_FIELDS
        assert project["workspace_id"] == tenant.workspace_id
        assert SLUG.match(project["key"])
    assert projects[0]["id"] == tenant.default_project_id
    project = ok(rest.request("GET", base + "/projects/other", tenant.reader.key))
    assert project == projects[1]
    assert_envelope(rest.request("GET", base + "/projects/nope", tenant.reader.key), 404,
                    "not_found")


def test_what_the_caller_may_not_see_is_404(rest: RestClient, tenant: Tenant) -> None:
    outsider = tenant.outsider.key  # owner of acme/blue only
    for path in ("/api/v1/org/acme/ws/red", "/api/v1/org/acme/ws/red/projects",
                 "/api/v1/org/acme/ws/red/projects/default", "/api/v1/org/nope",
                 "/api/v1/org/nope/ws", "/api/v1/org/nope/ws/red"):
        assert_envelope(rest.request("GET", path, outsider), 404, "not_found")


def test_reads_need_a_valid_key(rest: RestClient, tenant: Tenant) -> None:
    for path in ("/api/v1/user", "/api/v1/org/acme", "/api/v1/org/acme/ws",
                 "/api/v1/org/acme/ws/red/projects"):
        for key in (None, "wk_unknown", tenant.revoked_key):
            response = rest.request("GET", path, key)
            assert_envelope(response, 401, "authentication_error")
            assert response.headers["www-authenticate"] == "Bearer"


def test_health_and_readiness_need_no_key(rest: RestClient) -> None:
    assert ok(rest.request("GET", "/api/v1/health")) == {"status": "ok"}
    assert ok(rest.request("GET", "/api/v1/health/ready")) == {"status": "ok", "database": "ok"}


def test_the_upstream_clients_scope_check(rest: RestClient, tenant: Tenant) -> None:
    """As `dn worlds …` does before every command: org and user concurrently, the workspace
    list when none is named (it takes the default one), then a named project."""
    headers = {"X-API-Key": tenant.owner.key, "Accept": "application/json",
               "User-Agent": "dreadnode-sdk/1.0"}
    paths = [f"/api/v1/org/{tenant.org}", "/api/v1/user", f"/api/v1/org/{tenant.org}/ws"]
    with ThreadPoolExecutor(3) as pool:
        org, user, listing = pool.map(
            lambda path: rest.http.get(path, headers=headers, timeout=30), paths)
    for response in (org, user, listing):
        assert response.status_code == 200, response.text
    assert isinstance(org.json()["id"], str) and isinstance(user.json()["id"], str)
    workspaces = listing.json()["workspaces"]
    chosen = next((w for w in workspaces if w["is_default"]), workspaces[0])
    assert chosen["key"] == tenant.workspace and SLUG.match(chosen["key"])
    named = rest.http.get(f"/api/v1/org/{tenant.org}/ws/{chosen['key']}", headers=headers)
    assert named.status_code == 200 and named.json()["is_default"] is True
    missing = rest.http.get(f"/api/v1/org/{tenant.org}/ws/{chosen['key']}/projects/nope",
                            headers=headers)
    assert_envelope(missing, 404, "not_found")
    jobs = rest.http.get(f"/api/v1/org/{tenant.org}/ws/{chosen['key']}/worlds/jobs?page_size=50",
                         headers=headers)
    assert jobs.status_code == 200 and jobs.json()["items"] == []


def test_the_same_reads_over_grpc(grpc_client: GrpcClient, tenant: Tenant) -> None:
    key = tenant.owner.key
    user = grpc_client.call("GetCurrentUser", pb.GetCurrentUserRequest(), key).user
    assert user.id == tenant.owner.user_id and user.email_address == "owen@example.test"
    org = grpc_client.call("GetOrganization", pb.GetOrganizationRequest(org="acme"), key)
    assert org.organization.key == "acme"
    listing = grpc_client.call("ListWorkspaces", pb.ListWorkspacesRequest(org="acme"), key)
    assert [w.key for w in listing.workspaces] == ["red"] and listing.limit == 20
    workspace = grpc_client.call("GetWorkspace",
                                 pb.GetWorkspaceRequest(org="acme", workspace="red"), key)
    assert workspace.workspace.is_default and workspace.workspace.project_count == 2
    projects = grpc_client.call("ListProjects",
                                pb.ListProjectsRequest(org="acme", workspace="red"), key)
    assert [p.key for p in projects.projects] == ["default", "other"]
    project = grpc_client.call("GetProject", pb.GetProjectRequest(
        org="acme", workspace="red", project="default"), key)
    assert project.project.id == tenant.default_project_id
    assert grpc_client.call("GetHealth", pb.GetHealthRequest(), None).status == "ok"
    assert grpc_client.call("GetReadiness", pb.GetReadinessRequest(), None).database == "ok"
    for method, request in (
            ("GetProject", pb.GetProjectRequest(org="acme", workspace="red", project="nope")),
            ("GetWorkspace", pb.GetWorkspaceRequest(org="acme", workspace="blue")),
            ("GetOrganization", pb.GetOrganizationRequest(org="nope"))):
        assert grpc_client.fail(method, request, key).code == grpc.StatusCode.NOT_FOUND
    assert grpc_client.fail("GetCurrentUser", pb.GetCurrentUserRequest(),
                            None).code == grpc.StatusCode.UNAUTHENTICATED
    failure = grpc_client.fail("ListWorkspaces", pb.ListWorkspacesRequest(org="acme", page=0),
                               key)
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert failure.violations["page"][1] == "greater_than_equal"


def test_new_projects_get_slug_keys(service: RunningService, tenant: Tenant) -> None:
    now = datetime.now(UTC)

    def work(conn: Any) -> list[str]:
        tenancy.create_project(conn, tenant.workspace_id, "Red Team Q3!", now)
        return [row.key for row in tenancy.list_projects(conn, tenant.workspace_id)]

    assert service.run_db(work) == ["default", "other", "red-team-q3"]


def test_reflection_answers_as_v1_and_v1alpha(service: RunningService) -> None:
    from grpc_reflection.v1alpha import reflection_pb2 as rpb

    channel = grpc.insecure_channel(service.grpc_target)
    try:
        for version in ("v1", "v1alpha"):
            call = channel.stream_stream(
                f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
                request_serializer=rpb.ServerReflectionRequest.SerializeToString,
                response_deserializer=rpb.ServerReflectionResponse.FromString)
            listing, described = list(call(iter([
                rpb.ServerReflectionRequest(list_services=""),
                rpb.ServerReflectionRequest(file_containing_symbol="worlds.v1.PlatformService"),
            ]), timeout=10))
            names = {s.name for s in listing.list_services_response.service}
            assert {"worlds.v1.WorldsService", "worlds.v1.PlatformService",
                    "grpc.reflection.v1.ServerReflection",
                    "grpc.reflection.v1alpha.ServerReflection"} <= names, version
            assert described.file_descriptor_response.file_descriptor_proto, version
    finally:
        channel.close()
