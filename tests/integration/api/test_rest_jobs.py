"""The REST contract for jobs, through the gateway (in-process and standalone), on both engines."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.support.rest_client import RestClient, assert_envelope, field_errors
from tests.support.tenants import Tenant

JOB_FIELDS = {
    "id", "organization_id", "workspace_id", "project_id", "kind", "status", "progress",
    "resource_type", "resource_id", "result", "error", "created_by", "created_by_user",
    "created_at", "started_at", "completed_at", "cancel_requested_at", "updated_at",
}
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def base(tenant: Tenant, workspace: str | None = None) -> str:
    return f"/api/v1/org/{tenant.org}/ws/{workspace or tenant.workspace}/worlds"


def create(rest: RestClient, tenant: Tenant, body: Any = None, key: str | None = None,
           **kwargs: Any) -> Any:
    return rest.request("POST", base(tenant) + "/manifests", key or tenant.owner.key,
                        json={} if body is None else body, **kwargs)


def test_create_answers_202_with_location_and_the_full_job_record(rest: RestClient,
                                                                  tenant: Tenant) -> None:
    response = create(rest, tenant, {
        "name": "lab", "project_id": tenant.other_project_id, "preset": "enterprise",
        "seed": 2**63 - 1, "num_users": 50000, "num_hosts": 10000, "domains": ["corp.example"]})
    assert response.status_code == 202, response.text
    job = response.json()
    assert set(job) == JOB_FIELDS
    assert response.headers["location"] == f"{base(tenant)}/jobs/{job['id']}"
    assert job["kind"] == "manifest_generation" and job["status"] == "queued"
    assert job["resource_type"] == "manifest"
    assert job["project_id"] == tenant.other_project_id
    assert job["organization_id"] == tenant.organization_id
    assert job["workspace_id"] == tenant.workspace_id
    assert job["result"] == {}
    for unset in ("progress", "resource_id", "error", "started_at", "completed_at",
                  "cancel_requested_at"):
        assert job[unset] is None, unset
    assert job["created_by"] == tenant.owner.user_id
    assert job["created_by_user"] == {"id": tenant.owner.user_id, "email": "owen@example.test",
                                      "username": "owen", "full_name": "Owen"}
    assert RFC3339_UTC.match(job["created_at"])


@pytest.mark.parametrize("body", [{}, {"preset": None, "seed": None, "domains": None, "name": None}])
def test_an_empty_or_all_null_body_is_valid(rest: RestClient, tenant: Tenant, body: dict) -> None:
    response = create(rest, tenant, body)
    assert response.status_code == 202, response.text
    assert response.json()["project_id"] == tenant.default_project_id


def test_a_post_without_any_body_is_treated_as_empty(rest: RestClient, tenant: Tenant) -> None:
    response = rest.request("POST", base(tenant) + "/manifests", tenant.owner.key)
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("fields", [
    {"num_users": 1}, {"num_users": 50000}, {"num_hosts": 1}, {"num_hosts": 10000},
    {"seed": -(2**63)}, {"seed": 0}, {"name": "n" * 255}, {"preset": "small"}, {"preset": "medium"},
    {"preset": "large"}, {"domains": [f"d{i}.example" for i in range(16)]},
], ids=lambda f: f"{next(iter(f))}={str(next(iter(f.values())))[:12]}")
def test_bounds_are_inclusive(rest: RestClient, tenant: Tenant, fields: dict) -> None:
    assert create(rest, tenant, fields).status_code == 202


@pytest.mark.parametrize(("body", "loc", "kind"), [
    ({"num_users": 0}, ("body", "num_users"), "greater_than_equal"),
    ({"num_users": 50001}, ("body", "num_users"), "less_than_equal"),
    ({"num_hosts": 0}, ("body", "num_hosts"), "greater_than_equal"),
    ({"num_hosts": 10001}, ("body", "num_hosts"), "less_than_equal"),
    ({"name": ""}, ("body", "name"), "string_too_short"),
    ({"name": "n" * 256}, ("body", "name"), "string_too_long"),
    ({"domains": [f"d{i}.example" for i in range(17)]}, ("body", "domains"), "too_long"),
    ({"domains": ["a.example", "A.example"]}, ("body", "domains"), "unique_items"),
    ({"project_id": "nope"}, ("body", "project_id"), "uuid_parsing"),
    ({"project_id": str(uuid.uuid4())}, ("body", "project_id"), "project_not_found"),
])
def test_broken_bounds_are_422_naming_the_field(rest: RestClient, tenant: Tenant, body: dict,
                                                loc: tuple, kind: str) -> None:
    envelope = assert_envelope(create(rest, tenant, body), 422, "validation_error")
    assert envelope["detail"] == f"{loc[1]}: {envelope['errors'][0]['msg']}"
    assert field_errors(envelope) == {loc: kind}
    assert all(error["msg"] for error in envelope["errors"])
    listing = rest.request("GET", base(tenant) + "/jobs", tenant.owner.key).json()
    assert listing["total"] == 0, "a rejected request leaves nothing behind"


@pytest.mark.parametrize(("body", "field"), [
    ({"seed": "7x"}, "seed"), ({"seed": "7"}, "seed"), ({"seed": 1.5}, "seed"),
    ({"seed": 2**63}, "seed"), ({"seed": -(2**63) - 1}, "seed"), ({"seed": True}, "seed"),
    ({"domains": "corp.local"}, "domains"), ({"num_users": "10"}, "num_users"),
    ({"name": 5}, "name"), ({"preset": "huge"}, "preset"), ({"preset": 1}, "preset"),
    ({"preset": "PRESET_SMALL"}, "preset"),
])
def test_values_of_the_wrong_type_are_422_naming_the_field(rest: RestClient, tenant: Tenant,
                                                           body: dict, field: str) -> None:
    envelope = assert_envelope(create(rest, tenant, body), 422, "validation_error")
    assert [error["loc"] for error in envelope["errors"]] == [["body", field]]


def test_a_domain_item_error_names_its_index(rest: RestClient, tenant: Tenant) -> None:
    envelope = assert_envelope(create(rest, tenant, {"domains": ["ok.example", 7, "bad name"]}),
                               422, "validation_error")
    assert envelope["errors"][0]["loc"] == ["body", "domains", 1]


@pytest.mark.parametrize("body", [{"sede": 7}, {"org": "other"}, {"status": "completed"}])
def test_unknown_fields_are_rejected(rest: RestClient, tenant: Tenant, body: dict) -> None:
    envelope = assert_envelope(create(rest, tenant, body), 422, "validation_error")
    assert field_errors(envelope) == {("body", next(iter(body))): "extra_forbidden"}


@pytest.mark.parametrize("content", [b"{", b"not json", b'{"a": 1}}'])
def test_malformed_json_is_400(rest: RestClient, tenant: Tenant, content: bytes) -> None:
    response = rest.request("POST", base(tenant) + "/manifests", tenant.owner.key, content=content,
                            headers={"Content-Type": "application/json"})
    body = assert_envelope(response, 400, "invalid_request")
    assert "errors" not in body


def test_a_wrong_content_type_is_415(rest: RestClient, tenant: Tenant) -> None:
    response = rest.request("POST", base(tenant) + "/manifests", tenant.owner.key, content=b"{}",
                            headers={"Content-Type": "text/plain"})
    assert_envelope(response, 415, "invalid_request")


def test_an_oversized_body_is_413(rest: RestClient, tenant: Tenant) -> None:
    response = create(rest, tenant, {"name": "x" * (2 << 20)})
    assert_envelope(response, 413, "invalid_request")


def test_unknown_routes_and_wrong_methods(rest: RestClient, tenant: Tenant) -> None:
    assert_envelope(rest.request("GET", "/api/v1/nowhere", tenant.owner.key), 404, "not_found")
    assert_envelope(rest.request("GET", base(tenant) + "/jobs/a/b/c", tenant.owner.key), 404, "not_found")
    wrong = rest.request("DELETE", base(tenant) + "/manifests", tenant.owner.key)
    assert_envelope(wrong, 405, "invalid_request")
    assert "POST" in wrong.headers["allow"]


# -- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {}, {"X-API-Key": "wk_nonsense"}, {"Authorization": "Bearer wk_nonsense"},
    {"Authorization": "Basic Zm9vOmJhcg=="}, {"Authorization": "Bearer"},
])
def test_missing_or_bad_credentials_are_401(rest: RestClient, tenant: Tenant, headers: dict) -> None:
    response = rest.request("GET", base(tenant) + "/jobs", headers=headers)
    assert_envelope(response, 401, "authentication_error")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_revoked_key_is_401(rest: RestClient, tenant: Tenant) -> None:
    assert_envelope(rest.request("GET", base(tenant) + "/jobs", tenant.revoked_key), 401,
                    "authentication_error")


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
def test_either_header_carries_the_key(rest: RestClient, tenant: Tenant, header: str) -> None:
    assert rest.request("GET", base(tenant) + "/jobs", tenant.reader.key, header=header).status_code == 200


def test_non_members_get_404_and_readers_403(rest: RestClient, tenant: Tenant) -> None:
    assert_envelope(create(rest, tenant, {}, key=tenant.outsider.key), 404, "not_found")
    assert_envelope(rest.request("GET", base(tenant) + "/jobs", tenant.outsider.key), 404, "not_found")
    assert_envelope(create(rest, tenant, {}, key=tenant.reader.key), 403, "permission_denied")


def test_another_workspaces_job_is_404(rest: RestClient, tenant: Tenant) -> None:
    theirs = rest.request("POST", base(tenant, tenant.other_workspace) + "/manifests",
                          tenant.outsider.key, json={}).json()["id"]
    assert_envelope(rest.request("GET", f"{base(tenant)}/jobs/{theirs}", tenant.owner.key),
                    404, "not_found")


# -- reading ----------------------------------------------------------------------------------


def test_get_job_matches_create(rest: RestClient, tenant: Tenant) -> None:
    created = create(rest, tenant, {"name": "x"})
    fetched = rest.request("GET", created.headers["location"], tenant.reader.key)
    assert fetched.status_code == 200 and fetched.json() == created.json()


def test_a_malformed_job_id_is_422_in_the_path(rest: RestClient, tenant: Tenant) -> None:
    envelope = assert_envelope(rest.request("GET", base(tenant) + "/jobs/42", tenant.owner.key),
                               422, "validation_error")
    assert field_errors(envelope) == {("path", "job_id"): "uuid_parsing"}


def test_list_shape_order_and_total(rest: RestClient, tenant: Tenant) -> None:
    ids = [create(rest, tenant, {}).json()["id"] for _ in range(3)]
    response = rest.request("GET", base(tenant) + "/jobs", tenant.reader.key)
    body = response.json()
    assert set(body) == {"items", "page", "page_size", "total", "next_page_token"}
    assert (body["page"], body["page_size"], body["total"]) == (1, 20, 3)
    assert body["next_page_token"] is None
    assert [item["id"] for item in body["items"]] == list(reversed(ids))
    assert all(set(item) == JOB_FIELDS for item in body["items"])


@pytest.mark.parametrize(("query", "loc", "kind"), [
    ("page=0", ("query", "page"), "greater_than_equal"),
    ("page=abc", ("query", "page"), "int_parsing"),
    ("page_size=0", ("query", "page_size"), "greater_than_equal"),
    ("page_size=101", ("query", "page_size"), "less_than_equal"),
    ("page_size=1.5", ("query", "page_size"), "int_parsing"),
    ("status=done", ("query", "status"), "enum"),
    ("kind=other", ("query", "kind"), "enum"),
    ("project_id=nope", ("query", "project_id"), "uuid_parsing"),
    ("created_by=nope", ("query", "created_by"), "uuid_parsing"),
])
def test_bad_query_parameters_are_422(rest: RestClient, tenant: Tenant, query: str, loc: tuple,
                                      kind: str) -> None:
    envelope = assert_envelope(rest.request("GET", f"{base(tenant)}/jobs?{query}", tenant.owner.key),
                               422, "validation_error")
    assert field_errors(envelope) == {loc: kind}


def test_filters_by_query(rest: RestClient, tenant: Tenant) -> None:
    mine = create(rest, tenant, {}).json()["id"]
    cora = create(rest, tenant, {"project_id": tenant.other_project_id},
                  key=tenant.contributor.key).json()["id"]

    def ids(query: str) -> tuple[list[str], int]:
        body = rest.request("GET", f"{base(tenant)}/jobs?{query}", tenant.owner.key).json()
        return [item["id"] for item in body["items"]], body["total"]

    assert ids(f"created_by={tenant.contributor.user_id}") == ([cora], 1)
    assert ids(f"project_id={tenant.default_project_id}") == ([mine], 1)
    assert ids("status=queued&kind=manifest_generation&page_size=100") == ([cora, mine], 2)
    assert ids("status=running") == ([], 0)
    assert ids("page=2&page_size=1") == ([mine], 2)


@pytest.mark.parametrize("value", ["a\x00b", "bell\x07", "esc\x1b[0m", "del\x7f", "c1\x85"])
def test_control_characters_in_a_string_field_are_422(rest: RestClient, tenant: Tenant,
                                                      value: str) -> None:
    envelope = assert_envelope(create(rest, tenant, {"name": value}), 422, "validation_error")
    assert field_errors(envelope) == {("body", "name"): "control_characters"}


def test_tab_and_newline_are_text_not_control_characters(rest: RestClient, tenant: Tenant) -> None:
    assert create(rest, tenant, {"name": "two\tcolumns\nand lines"}).status_code == 202


@pytest.mark.parametrize("where", ["org", "workspace"])
def test_a_nul_in_a_path_variable_is_422_on_every_engine(rest: RestClient, tenant: Tenant,
                                                         where: str) -> None:
    """Not a 404 (SQLite compares it) nor a 500 (PostgreSQL refuses it)."""
    org, workspace = tenant.org, tenant.workspace
    if where == "org":
        org += "%00"
    else:
        workspace += "%00"
    for method, path in (("GET", "/jobs"), ("POST", "/manifests")):
        response = rest.request(method, f"/api/v1/org/{org}/ws/{workspace}/worlds{path}",
                                tenant.owner.key, **({"json": {}} if method == "POST" else {}))
        assert_envelope(response, 422, "validation_error")


def test_a_bad_create_never_fails_the_good_ones_it_is_batched_with(rest: RestClient,
                                                                   tenant: Tenant) -> None:
    from concurrent.futures import ThreadPoolExecutor

    bodies = [{"name": f"good {i}"} for i in range(24)]
    bodies[11] = {"name": "bad\x00"}
    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(lambda body: create(rest, tenant, body).status_code, bodies))
    assert statuses == [422 if i == 11 else 202 for i in range(24)]


def test_page_tokens_over_rest(rest: RestClient, tenant: Tenant) -> None:
    ids = [create(rest, tenant, {}).json()["id"] for _ in range(3)]
    first = rest.request("GET", base(tenant) + "/jobs?page_size=2", tenant.reader.key).json()
    token = first["next_page_token"]
    assert isinstance(token, str) and token
    second = rest.request("GET", base(tenant) + f"/jobs?page_size=2&page_token={token}",
                          tenant.reader.key).json()
    assert [item["id"] for item in first["items"] + second["items"]] == list(reversed(ids))
    assert (second["page"], second["next_page_token"]) == (0, None)
    envelope = assert_envelope(rest.request(
        "GET", base(tenant) + "/jobs?page_token=bogus", tenant.reader.key), 422, "validation_error")
    assert field_errors(envelope) == {("query", "page_token"): "page_token"}
