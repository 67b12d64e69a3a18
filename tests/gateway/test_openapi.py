"""The OpenAPI document: generated from the bindings, promising what the gateway does."""

from __future__ import annotations

from typing import Any

import pytest
from worlds_gateway import InProcessBackend, create_gateway_app
from worlds_gateway.bindings import service_bindings
from worlds_gateway.openapi import comments_from_files

from tests.gateway.conftest import WORLDS, asgi_client
from tests.gateway.descriptors import descriptor_set, transcode_service

pytestmark = pytest.mark.anyio

WORLDS_PATH = "/api/v1/org/{org}/ws/{workspace}/worlds"
# What the gateway documents on any route, and what every route of WorldsService adds
# (its http_service option: the version gate and the rate limit).
EVERY_ROUTE = {"400", "401", "403", "404", "405", "422", "500", "502", "504"}
ADMISSION = {"426", "429"}
UUID4 = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return create_gateway_app(WORLDS, InProcessBackend(object())).openapi()


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _operations(doc: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        operation["operationId"]: (path, method, operation)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
    }


def _check_document(doc: dict[str, Any]) -> None:
    assert doc["openapi"] == "3.1.0"
    refs = _refs(doc)
    assert refs
    for ref in refs:
        assert _resolve(doc, ref) is not None
    for path, item in doc["paths"].items():
        declared = {p.strip("{}") for p in path.split("/") if p.startswith("{")}
        declared = {d.split("}")[0] for d in declared}
        for operation in item.values():
            params = operation.get("parameters", [])
            names = [(p["name"], p["in"]) for p in params]
            assert len(names) == len(set(names))
            assert {n for n, where in names if where == "path"} == declared
            assert all(p["required"] for p in params if p["in"] == "path")
            assert operation["responses"]


def test_the_document_is_consistent(doc) -> None:
    _check_document(doc)


def test_every_route_is_documented(doc) -> None:
    operations = _operations(doc)
    expected = {b.operation_id: b for b in service_bindings(WORLDS)}
    assert set(operations) == set(expected)
    # Every RPC of the real service has a route, the two server streams included, and
    # ListTrajectories a second one (its per-manifest additional binding); the five
    # inspection RPCs included.
    assert len(WORLDS.methods) == 22 and len(operations) == 23
    for operation_id, (path, method, _) in operations.items():
        binding = expected[operation_id]
        assert method == binding.http_method.lower()
        assert path == binding.template.openapi_path()


def test_create_manifest_job(doc) -> None:
    path, method, operation = _operations(doc)["CreateManifestJob"]
    assert (path, method) == (f"{WORLDS_PATH}/manifests", "post")
    assert [(p["name"], p["in"], p["schema"]) for p in operation["parameters"]] == [
        ("org", "path", {"type": "string"}),
        ("workspace", "path", {"type": "string"}),
        ("Idempotency-Key", "header", {"type": "string", "minLength": 1, "maxLength": 255,
                                       "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$"}),
    ]
    body = _resolve(doc, operation["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    assert body["additionalProperties"] is False
    props = body["properties"]
    assert set(props) == {"name", "project_id", "preset", "seed", "num_users", "num_hosts",
                          "domains", "security_level"}
    assert props["name"] == {"type": ["string", "null"], "minLength": 1, "maxLength": 255}
    assert props["project_id"]["format"] == "uuid" and "null" in props["project_id"]["type"]
    assert props["preset"] == {
        "type": ["string", "null"], "enum": ["small", "medium", "large", "enterprise", None]
    }
    assert props["seed"] == {"type": ["integer", "null"], "format": "int64"}
    assert (props["num_users"]["minimum"], props["num_users"]["maximum"]) == (1, 50000)
    assert (props["num_hosts"]["minimum"], props["num_hosts"]["maximum"]) == (1, 10000)
    domains = props["domains"]
    assert domains["type"] == ["array", "null"]
    assert (domains["maxItems"], domains["uniqueItems"]) == (16, True)
    assert domains["items"]["format"] == "hostname"
    responses = operation["responses"]
    assert set(responses) == EVERY_ROUTE | ADMISSION | {"202", "409", "413", "415"}
    accepted = responses["202"]
    assert accepted["headers"]["Location"]["required"] is True
    assert accepted["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Job"}


def test_the_job_schema_promises_every_field(doc) -> None:
    job = doc["components"]["schemas"]["Job"]
    assert set(job["required"]) == set(job["properties"]) and len(job["required"]) == 18
    props = job["properties"]
    assert props["project_id"]["type"] == ["string", "null"]
    assert props["kind"] == {"type": "string", "enum": ["manifest_generation",
                                                        "trajectory_generation"]}
    assert props["resource_type"]["enum"] == ["manifest", "trajectory", "trajectory_batch", None]
    assert props["progress"]["type"] == ["number", "null"]
    assert props["created_at"] == {"type": ["string", "null"], "format": "date-time"}
    assert props["result"] == {"type": "object", "additionalProperties": True}
    assert props["created_by_user"] == {
        "anyOf": [{"$ref": "#/components/schemas/User"}, {"type": "null"}]
    }


def test_query_parameters_carry_their_rules(doc) -> None:
    _, _, operation = _operations(doc)["ListJobs"]
    query = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
    assert query["page"] == {"type": "integer", "format": "int64", "minimum": 1, "default": 1}
    assert query["page_size"] == {
        "type": "integer", "format": "int64", "minimum": 1, "maximum": 100, "default": 20
    }
    assert query["status"]["enum"] == ["queued", "running", "completed", "failed", "cancelled"]
    assert query["project_id"] == {"type": "string", "format": "uuid"}
    assert set(operation["responses"]) == EVERY_ROUTE | ADMISSION | {"200"}


@pytest.mark.parametrize("operation_id", ["WatchJob", "WatchJobs"])
def test_streams_are_documented(doc, operation_id: str) -> None:
    path, method, operation = _operations(doc)[operation_id]
    assert method == "get" and path.endswith(("/watch", ":watch"))
    header = next(p for p in operation["parameters"] if p["in"] == "header")
    assert header["name"] == "Last-Event-ID" and header["required"] is False
    assert header["schema"] == {"type": "string", "minLength": 1, "maxLength": 64}
    assert "resume_token" in header["description"]
    assert "resume_token" in {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    responses = operation["responses"]
    # Failures before the stream starts are ordinary error responses; an expired resume
    # token is the method's own 409, an unknown one a 422 the method explains.
    assert set(responses) == EVERY_ROUTE | ADMISSION | {"200", "409"}
    assert "RESUME_TOKEN_EXPIRED" in responses["409"]["description"]
    assert responses["422"]["description"].startswith("Field-level validation failed")
    assert "did not issue" in responses["422"]["description"]
    content = responses["200"]["content"]
    assert set(content) == {"application/x-ndjson", "text/event-stream"}
    event_ref = {"$ref": "#/components/schemas/JobEvent"}
    assert content["application/x-ndjson"]["schema"] == {
        "oneOf": [event_ref, {"$ref": "#/components/schemas/StreamError"}]
    }
    sse = content["text/event-stream"]
    assert sse["schema"]["type"] == "string"
    assert "`: heartbeat`" in sse["schema"]["description"]
    assert sse["x-sse-events"] == {
        "snapshot": {"data": event_ref},
        "changed": {"data": event_ref},
        "error": {"data": {"$ref": "#/components/schemas/ErrorEnvelope"}},
        "done": {"data": {"type": "object", "maxProperties": 0}},
    }
    event = doc["components"]["schemas"]["JobEvent"]
    assert event["properties"]["type"]["enum"] == ["snapshot", "changed", "heartbeat"]
    assert set(event["required"]) == {"type", "event_id", "job"}
    stream_error = doc["components"]["schemas"]["StreamError"]
    assert stream_error["properties"] == {"error": {"$ref": "#/components/schemas/ErrorEnvelope"}}


def test_declared_statuses_and_headers_come_from_the_protos(doc) -> None:
    operations = _operations(doc)
    for operation_id, (_, _, operation) in operations.items():
        responses = operation["responses"]
        # The service's http_service: every route, with why; the gateway's own, unexplained.
        assert set(responses) >= ADMISSION, operation_id
        assert responses["426"]["$ref"] == "#/components/responses/UpgradeRequired"
        assert "UPGRADE_REQUIRED" in responses["426"]["description"]
        assert "Retry-After" in responses["429"]["description"]
        assert set(responses["404"]) == {"$ref"}
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        creates = {"CreateManifestJob", "CreateTrajectoryJob"}
        assert ("Idempotency-Key" in headers) == (operation_id in creates), operation_id
        conflicts = creates | {"CancelJob", "WatchJob", "WatchJobs"}
        assert ("409" in responses) == (operation_id in conflicts), operation_id
    create = operations["CreateTrajectoryJob"][2]["responses"]["409"]
    assert create["description"].startswith("The `Idempotency-Key` was already used")
    assert create["description"].endswith("(`conflict`)")
    assert "JOB_ALREADY_FINISHED" in operations["CancelJob"][2]["responses"]["409"]["description"]


def test_a_field_that_cannot_be_left_out_is_required(doc) -> None:
    # Plain (no presence) fields whose zero value their rules refuse: absent is invalid.
    _, _, subgraph = _operations(doc)["GetSubgraph"]
    query = {p["name"]: p for p in subgraph["parameters"] if p["in"] == "query"}
    assert query["center"]["required"] is True and query["depth"]["required"] is False
    body = doc["components"]["schemas"]["CreateTrajectoryJobRequestBody"]
    assert body["required"] == ["manifest_id"]
    assert body["properties"]["manifest_id"]["type"] == "string"  # null would leave it unset
    assert "required" not in doc["components"]["schemas"]["CreateManifestJobRequestBody"]


def test_the_text_pattern_is_every_request_string_without_its_own() -> None:
    doc = create_gateway_app(WORLDS, InProcessBackend(object()), text_pattern="^[a-z]*$").openapi()
    operations = _operations(doc)
    params = {p["name"]: p["schema"] for p in operations["GetSubgraph"][2]["parameters"]}
    assert params["org"] == {"type": "string", "pattern": "^[a-z]*$"}
    assert params["center"]["pattern"] == "^[a-z]*$" and params["center"]["maxLength"] == 128
    assert params["manifest_id"] == {"type": "string", "format": "uuid"}
    body = doc["components"]["schemas"]["CreateManifestJobRequestBody"]["properties"]
    assert body["name"]["pattern"] == "^[a-z]*$"
    assert body["project_id"]["pattern"] == UUID4  # a format replaces it
    assert "pattern" not in body["domains"]["items"]
    assert "pattern" not in body["preset"]  # enums are not text
    header = next(p for p in operations["CreateManifestJob"][2]["parameters"] if p["in"] == "header")
    assert header["schema"]["pattern"] != "^[a-z]*$"  # headers are metadata: printable ASCII
    # Responses document what the server prints, not what it accepts.
    assert "pattern" not in doc["components"]["schemas"]["Job"]["properties"]["id"]


def test_error_responses_share_the_envelope(doc) -> None:
    responses = doc["components"]["responses"]
    for response in responses.values():
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert "WWW-Authenticate" in responses["AuthenticationError"]["headers"]
    assert "Retry-After" in responses["RateLimited"]["headers"]
    assert "Allow" in responses["MethodNotAllowed"]["headers"]
    envelope = doc["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["code", "detail", "type"]
    assert "validation_error" in envelope["properties"]["type"]["enum"]


def test_security_schemes(doc) -> None:
    schemes = doc["components"]["securitySchemes"]
    assert schemes["BearerAuth"] == {"type": "http", "scheme": "bearer",
                                     "description": "`Authorization: Bearer <api-key>`"}
    assert schemes["ApiKeyAuth"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert doc["security"] == [{"BearerAuth": []}, {"ApiKeyAuth": []}]


def test_an_annotated_test_service_is_documented_with_comments() -> None:
    comments = comments_from_files(descriptor_set(source_info=True).file)
    app = create_gateway_app(transcode_service(), InProcessBackend(object()), comments=comments)
    doc = app.openapi()
    _check_document(doc)
    path, method, shelve = _operations(doc)["Shelve"]
    assert (path, method) == ("/v1/{parent}/items/{thing.name}", "post")
    assert shelve["summary"] == "A body field, a nested path field and a response_body."
    assert "201" in shelve["responses"] and "Location" in shelve["responses"]["201"]["headers"]
    body = shelve["requestBody"]["content"]["application/json"]["schema"]
    assert body["anyOf"][0] == {"$ref": "#/components/schemas/EverythingInput"}
    everything = doc["components"]["schemas"]["Everything"]
    assert everything["description"] == "One field of every kind."
    assert everything["properties"]["child"]["anyOf"][0] == {
        "$ref": "#/components/schemas/Everything"
    }
    _, _, fetch = _operations(doc)["Fetch"]
    names = {p["name"] for p in fetch["parameters"]}
    assert {"id", "parent", "where.tags", "thing.i64", "thing.inner.label", "thing.at"} <= names
    # Not mappable to a query: repeated messages, maps, Struct; recursion is cut for the docs.
    assert not {"thing.inners", "thing.counts", "thing.doc", "thing.child.name"} & names
    tags = next(p for p in fetch["parameters"] if p["name"] == "where.tags")
    assert tags["schema"] == {"type": "array", "items": {"type": "string"}}
    assert (tags["style"], tags["explode"]) == ("form", True)
    _, _, tail = _operations(doc)["Tail"]
    assert tail["summary"].startswith("Server streaming framed by worlds.v1.http_stream")
    header = next(p for p in tail["parameters"] if p["in"] == "header")
    assert header["schema"] == {"type": "integer", "format": "int64"}
    events = tail["responses"]["200"]["content"]["text/event-stream"]["x-sse-events"]
    assert set(events) == {"message", "error", "done"}, "a string type: names are open"
    _, _, watch = _operations(doc)["Watch"]
    assert not [p for p in watch["parameters"] if p["in"] == "header"]
    assert "413" in tail["responses"] and "413" not in watch["responses"]


async def test_openapi_json_and_docs_are_served() -> None:
    app = create_gateway_app(WORLDS, InProcessBackend(object()))
    async with asgi_client(app) as client:
        served = await client.get("/openapi.json")
        docs = await client.get("/docs")
    assert served.status_code == 200 and served.headers["content-type"] == "application/json"
    assert served.json() == app.openapi()
    assert docs.status_code == 200 and "/openapi.json" in docs.text and "swagger" in docs.text
