"""The REST contract of WorldsService routes, in both backend modes (see conftest)."""

from __future__ import annotations

import re

import pytest
from google.rpc import code_pb2

from tests.gateway.conftest import BASE, CREATED_AT, JOB_ID, MAX_BODY, SECRET, assert_envelope, locs

pytestmark = pytest.mark.anyio

JOB_FIELDS = {
    "id", "organization_id", "workspace_id", "project_id", "kind", "status", "progress",
    "resource_type", "resource_id", "result", "error", "created_by", "created_by_user",
    "created_at", "started_at", "completed_at", "cancel_requested_at", "updated_at",
}


async def create(client, body=None, **kwargs):
    return await client.post(f"{BASE}/manifests", json={} if body is None else body, **kwargs)


# -- routing --------------------------------------------------------------------------------------


async def test_create_is_202_with_location_and_every_job_field(client) -> None:
    response = await create(client, {"name": "lab", "seed": 7, "preset": "large"})
    assert response.status_code == 202, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["location"] == f"{BASE}/jobs/{JOB_ID}"
    job = response.json()
    assert set(job) == JOB_FIELDS
    assert job["organization_id"] == "org:acme" and job["workspace_id"] == "ws:lab"
    assert (job["kind"], job["status"], job["resource_type"]) == (
        "manifest_generation", "queued", "manifest",
    )
    for unset in ("project_id", "progress", "resource_id", "error", "created_by",
                  "created_by_user", "started_at", "completed_at", "cancel_requested_at"):
        assert job[unset] is None, unset
    assert job["created_at"] == CREATED_AT
    assert job["result"]["seed"] == "7" and job["result"]["preset"] == 3


async def test_path_variables_reach_their_fields(client) -> None:
    response = await client.get(f"{BASE}/jobs/{JOB_ID}")
    assert response.status_code == 200
    assert response.json()["id"] == JOB_ID
    encoded = await client.get(f"{BASE}/jobs/a%2Fb%20c")
    assert encoded.json()["id"] == "a/b c", "a single-segment variable is fully decoded"


async def test_unknown_routes_are_404_envelopes(client) -> None:
    for path in ("/api/v1/nowhere", f"{BASE}/jobs/a/b/c", f"{BASE}/jobs/", f"{BASE}/jobs//"):
        body = assert_envelope(await client.get(path), 404, "not_found")
        assert "errors" not in body


async def test_a_wrong_method_is_405_with_allow(client) -> None:
    response = await client.delete(f"{BASE}/manifests")
    assert_envelope(response, 405, "invalid_request")
    # POST (CreateManifestJob) and GET (ListManifests) are two RPCs on one path.
    assert response.headers["allow"] == "GET, POST"
    assert (await client.put(f"{BASE}/jobs/{JOB_ID}")).headers["allow"] == "GET"


# -- JSON conventions ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", [2**63 - 1, -(2**63), 0, 1])
async def test_int64_are_json_numbers(client, page: int) -> None:
    response = await client.get(f"{BASE}/jobs", params={"page": page})
    body = response.json()
    assert response.status_code == 200, body
    assert body["page"] == page and type(body["page"]) is int
    assert body["total"] == -(2**63)
    assert f'"page":{page},' in response.text, "a number, not a string"


async def test_list_shape_and_enum_filters(client) -> None:
    response = await client.get(
        f"{BASE}/jobs", params={"status": "cancelled", "kind": "trajectory_generation"}
    )
    body = response.json()
    assert set(body) == {"items", "page", "page_size", "total", "next_page_token"}
    (item,) = body["items"]
    assert set(item) == JOB_FIELDS
    assert (item["status"], item["kind"]) == ("cancelled", "trajectory_generation")
    assert body["page"] == 0 and body["page_size"] == 0, "unset query parameters stay unset"


async def test_null_and_empty_bodies(client) -> None:
    for body in ({}, {"name": None, "seed": None, "domains": None, "preset": None}):
        response = await create(client, body)
        assert response.status_code == 202
        assert response.json()["result"]["fields"] == ["org", "workspace"]
    bare = await client.post(f"{BASE}/manifests")
    assert bare.status_code == 202, "a POST without a body is {}"


@pytest.mark.parametrize("seed", [2**63 - 1, -(2**63), 0, 7.0])
async def test_int64_input_range(client, seed) -> None:
    response = await create(client, {"seed": seed})
    assert response.status_code == 202, response.text
    assert response.json()["result"]["seed"] == str(int(seed))


# -- body errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"{", b"not json", b'{"a": 1}}', b"\xff\xfe{", b"NaN",
                                     b'{"seed": Infinity}'])
async def test_malformed_json_is_400(client, content: bytes) -> None:
    response = await client.post(
        f"{BASE}/manifests", content=content, headers={"content-type": "application/json"}
    )
    body = assert_envelope(response, 400, "invalid_request")
    assert "errors" not in body


@pytest.mark.parametrize("content", [b"[]", b"[{}]", b'"x"', b"7", b"null", b"true"])
async def test_json_that_is_not_an_object_is_422_at_body(client, content: bytes) -> None:
    # Decision: the contract keeps 400 for bodies that are not JSON at all; well-formed JSON of
    # the wrong shape is a validation error, located at the body itself (as FastAPI does).
    response = await client.post(
        f"{BASE}/manifests", content=content, headers={"content-type": "application/json"}
    )
    body = assert_envelope(response, 422, "validation_error")
    assert locs(body) == {("body",): "dict_type"}


@pytest.mark.parametrize(
    ("body", "field", "type_"),
    [
        ({"seed": "7x"}, "seed", "int_type"),
        ({"seed": "7"}, "seed", "int_type"),
        ({"seed": True}, "seed", "int_type"),
        ({"seed": 1.5}, "seed", "int_from_float"),
        ({"seed": 2**63}, "seed", "int_overflow"),
        ({"seed": -(2**63) - 1}, "seed", "int_overflow"),
        ({"num_users": [1]}, "num_users", "int_type"),
        ({"name": 5}, "name", "string_type"),
        ({"name": {"a": 1}}, "name", "string_type"),
        ({"domains": "corp.local"}, "domains", "list_type"),
        ({"domains": {"a": 1}}, "domains", "list_type"),
        ({"preset": "huge"}, "preset", "enum"),
        ({"preset": "PRESET_SMALL"}, "preset", "enum"),
        ({"preset": "Small"}, "preset", "enum"),
        ({"preset": "unspecified"}, "preset", "enum"),
        ({"preset": 1}, "preset", "enum"),
        ({"preset": 0}, "preset", "enum"),
    ],
)
async def test_wrong_types_are_422_naming_the_field(client, body, field, type_) -> None:
    envelope = assert_envelope(await create(client, body), 422, "validation_error")
    assert envelope["detail"] == f"{field}: {envelope['errors'][0]['msg']}"
    assert locs(envelope) == {("body", field): type_}


async def test_messages_say_what_is_wrong(client) -> None:
    envelope = (await create(client, {"seed": 2**64, "preset": "huge"})).json()
    messages = {error["loc"][1]: error["msg"] for error in envelope["errors"]}
    assert messages == {
        "seed": "must fit a signed 64-bit integer",
        "preset": "must be one of: small, medium, large, enterprise",
    }


async def test_every_violation_is_reported_at_once(client) -> None:
    body = {"seed": "x", "preset": "huge", "domains": ["ok.example", 7, None], "colour": 1}
    envelope = assert_envelope(await create(client, body), 422, "validation_error")
    assert locs(envelope) == {
        ("body", "seed"): "int_type",
        ("body", "preset"): "enum",
        ("body", "domains", 1): "string_type",
        ("body", "domains", 2): "string_type",
        ("body", "colour"): "extra_forbidden",
    }


@pytest.mark.parametrize("key", ["sede", "org", "workspace", "status", "projectId"])
async def test_unknown_and_path_bound_keys_are_rejected_in_the_body(client, key: str) -> None:
    envelope = assert_envelope(await create(client, {key: "x"}), 422, "validation_error")
    assert locs(envelope) == {("body", key): "extra_forbidden"}


async def test_servicer_violations_are_located_by_the_binding(client) -> None:
    envelope = assert_envelope(await create(client, {"name": "fail:violations"}), 422,
                               "validation_error")
    assert envelope["errors"] == [
        {"loc": ["body", "num_hosts"], "msg": "must be between 1 and 10000",
         "type": "less_than_equal"},
        {"loc": ["body", "domains", 2], "msg": "must be a DNS name", "type": "dns_name"},
        {"loc": ["path", "org"], "msg": "no such organization", "type": "org_parsing"},
    ]


# -- query errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "loc", "type_"),
    [
        ("page=abc", ("query", "page"), "int_parsing"),
        ("page=1.5", ("query", "page"), "int_parsing"),
        ("page=%2B1", ("query", "page"), "int_parsing"),
        ("page=", ("query", "page"), "int_parsing"),
        ("page=9223372036854775808", ("query", "page"), "int_overflow"),
        ("page_size=1&page_size=2", ("query", "page_size"), "multiple_values"),
        ("status=done", ("query", "status"), "enum"),
        ("status=QUEUED", ("query", "status"), "enum"),
        ("kind=1", ("query", "kind"), "enum"),
    ],
)
async def test_bad_query_parameters_are_422_in_query(client, query, loc, type_) -> None:
    envelope = assert_envelope(await client.get(f"{BASE}/jobs?{query}"), 422, "validation_error")
    assert locs(envelope) == {loc: type_}


async def test_unknown_query_parameters_are_ignored(client) -> None:
    response = await client.get(f"{BASE}/jobs?page=2&utm_source=x&org=other&job_id=1")
    assert response.status_code == 200
    assert response.json()["items"][0]["organization_id"] == "acme", "the path wins"


# -- HTTP-level errors ------------------------------------------------------------------------------


async def test_an_oversized_body_is_413(client) -> None:
    assert_envelope(await create(client, {"name": "x" * MAX_BODY}), 413, "invalid_request")


async def test_an_oversized_chunked_body_is_413(client) -> None:
    async def chunks():
        yield b'{"name": "'
        for _ in range(MAX_BODY // 100 + 1):
            yield b"x" * 100
        yield b'"}'

    response = await client.post(
        f"{BASE}/manifests", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_envelope(response, 413, "invalid_request")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1",
     "application/jsonx", None],
)
async def test_a_body_that_is_not_json_is_415(client, content_type) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post(f"{BASE}/manifests", content=b"{}", headers=headers)
    assert_envelope(response, 415, "invalid_request")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8",
                                          "Application/JSON;charset=UTF-8"])
async def test_json_with_a_utf8_charset_is_accepted(client, content_type: str) -> None:
    response = await client.post(
        f"{BASE}/manifests", content=b"{}", headers={"content-type": content_type}
    )
    assert response.status_code == 202


# -- the status table, end to end ---------------------------------------------------------------

TABLE = {
    "CANCELLED": (500, "internal_error"),
    "UNKNOWN": (500, "internal_error"),
    "INVALID_ARGUMENT": (400, "invalid_request"),
    "DEADLINE_EXCEEDED": (504, "gateway_timeout"),
    "NOT_FOUND": (404, "not_found"),
    "ALREADY_EXISTS": (409, "conflict"),
    "PERMISSION_DENIED": (403, "permission_denied"),
    "RESOURCE_EXHAUSTED": (429, "rate_limited"),
    "FAILED_PRECONDITION": (409, "conflict"),
    "ABORTED": (409, "conflict"),
    "OUT_OF_RANGE": (500, "internal_error"),
    "UNIMPLEMENTED": (500, "internal_error"),
    "INTERNAL": (500, "internal_error"),
    "UNAVAILABLE": (502, "bad_gateway"),
    "DATA_LOSS": (500, "internal_error"),
    "UNAUTHENTICATED": (401, "authentication_error"),
}


@pytest.mark.parametrize("code", sorted(TABLE))
@pytest.mark.parametrize("style", ["rich", "plain"])
async def test_every_grpc_code_maps_through_the_table(client, code: str, style: str) -> None:
    name = f"fail:{code}" if style == "rich" else f"fail:plain:{code}"
    status, type_ = TABLE[code]
    envelope = assert_envelope(await create(client, {"name": name}), status, type_)
    if status < 500:
        assert envelope["detail"] == (f"servicer says {code}" if style == "rich" else f"plain {code}")
    else:
        assert code not in envelope["detail"], "5xx details are fixed text"


async def test_upgrade_required_is_426(client) -> None:
    envelope = assert_envelope(await create(client, {"name": "fail:UPGRADE_REQUIRED"}), 426,
                               "upgrade_required")
    assert envelope["detail"] == "too old"


async def test_401_says_how_to_authenticate(client) -> None:
    response = await create(client, {"name": "fail:UNAUTHENTICATED"})
    assert_envelope(response, 401, "authentication_error")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_429_says_when_to_retry(client) -> None:
    response = await create(client, {"name": "fail:rate"})
    assert_envelope(response, 429, "rate_limited")
    assert response.headers["retry-after"] == "2", "1.2 s rounded up"


async def test_set_code_without_abort_fails_the_call(client) -> None:
    envelope = assert_envelope(await create(client, {"name": "fail:setcode"}), 403,
                               "permission_denied")
    assert envelope["detail"] == "not yours"


async def test_a_crashing_servicer_is_a_generic_500(client, caplog) -> None:
    response = await create(client, {"name": "boom"})
    envelope = assert_envelope(response, 500, "internal_error")
    assert envelope["detail"] == "Internal server error"
    assert "pg-internal" not in response.text and "SELECT" not in response.text
    assert SECRET not in response.text


async def test_a_not_found_from_the_servicer_keeps_its_message(client) -> None:
    envelope = assert_envelope(await client.get(f"{BASE}/jobs/missing"), 404, "not_found")
    assert envelope["detail"] == "no such job"


# -- metadata and deadlines ---------------------------------------------------------------------


async def test_headers_reach_the_servicer_as_metadata(client) -> None:
    response = await client.get(
        f"{BASE}/jobs/whoami",
        headers={
            "Authorization": "Bearer wk_secret",
            "X-API-Key": "wk_other",
            "X-Request-ID": "req-1",
            "X-Forwarded-For": "198.51.100.1",
            "User-Agent": "worlds-client/1.2",
            "Grpc-Metadata-Tenant-Hint": "blue",
            "Grpc-Metadata-X-Forwarded-For": "spoofed",
            "Grpc-Metadata-Grpc-Internal": "nope",
            "Cookie": "session=1",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["result"]["metadata"] == {
        "authorization": "Bearer wk_secret",
        "x-api-key": "wk_other",
        "x-request-id": "req-1",
        "x-forwarded-for": "198.51.100.1, 203.0.113.7",
        "x-forwarded-host": "gateway.test",
        "grpcgateway-user-agent": "worlds-client/1.2",
        "tenant-hint": "blue",
    }


async def test_the_default_deadline_reaches_the_servicer(client) -> None:
    remaining = (await client.get(f"{BASE}/jobs/whoami")).json()["result"]["time_remaining"]
    assert 4.0 < remaining <= 5.1


async def test_grpc_timeout_sets_the_deadline(client) -> None:
    remaining = (
        await client.get(f"{BASE}/jobs/whoami", headers={"Grpc-Timeout": "2S"})
    ).json()["result"]["time_remaining"]
    # grpc rounds the wire timeout up, so a channel may report slightly more than asked.
    assert 1.0 < remaining <= 2.1


@pytest.mark.parametrize("path", [f"{BASE}/jobs/sleep", f"{BASE}/manifests"])
async def test_a_passed_deadline_is_504(client, path: str) -> None:
    headers = {"Grpc-Timeout": "150m"}
    if path.endswith("manifests"):
        response = await client.post(path, json={"name": "sleep"}, headers=headers)
    else:
        response = await client.get(path, headers=headers)
    envelope = assert_envelope(response, 504, "gateway_timeout")
    assert envelope["detail"] == "The request deadline was exceeded"


@pytest.mark.parametrize("value", ["5", "1s", "123456789S", "-1S", "S"])
async def test_a_malformed_grpc_timeout_is_400(client, value: str) -> None:
    response = await client.get(f"{BASE}/jobs/{JOB_ID}", headers={"Grpc-Timeout": value})
    assert_envelope(response, 400, "invalid_request")


def test_the_table_covers_every_code() -> None:
    assert set(TABLE) | {"OK"} == set(code_pb2.Code.keys())


def test_location_is_a_path() -> None:
    assert re.fullmatch(r"/api/v1/org/[^/]+/ws/[^/]+/worlds/jobs/[^/]+", f"{BASE}/jobs/{JOB_ID}")
