"""Reading google.api.http rules (and the http_response option) from descriptors."""

from __future__ import annotations

import itertools

import pytest
from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor_pb2, descriptor_pool
from worlds_gateway.bindings import BindingError, StreamRule, resolve_field_path, service_bindings

from tests.gateway.conftest import WORLDS
from tests.gateway.descriptors import PROTO, transcode_file, transcode_service
from worlds.v1 import options_pb2

_names = itertools.count()


def service_with(
    rule: http_pb2.HttpRule,
    *,
    server_streaming: bool = False,
    stream: options_pb2.HttpStreamRule | None = None,
    output: str = ".gwtest.v1.ShelfResponse",
    route: options_pb2.HttpRouteRule | None = None,
    service_route: options_pb2.HttpRouteRule | None = None,
):
    """A one-method service over the test messages, annotated with ``rule`` (and ``stream``)."""
    transcode_file()  # the messages it uses
    name = f"gwtest/v1/bad_{next(_names)}.proto"
    file = descriptor_pb2.FileDescriptorProto(
        name=name, package="gwtest.v1", syntax="proto3",
        dependency=[PROTO, "google/api/annotations.proto", "worlds/v1/options.proto"],
    )
    service = file.service.add(name=f"Bad{next(_names)}")
    method = service.method.add(
        name="Do",
        input_type=".gwtest.v1.ShelfRequest",
        output_type=output,
        server_streaming=server_streaming,
    )
    method.options.Extensions[annotations_pb2.http].CopyFrom(rule)
    if stream is not None:
        method.options.Extensions[options_pb2.http_stream].CopyFrom(stream)
    if route is not None:
        method.options.Extensions[options_pb2.http_route].CopyFrom(route)
    if service_route is not None:
        service.options.Extensions[options_pb2.http_service].CopyFrom(service_route)
    return descriptor_pool.Default().Add(file).services_by_name[service.name]


def test_worlds_bindings() -> None:
    bindings = {b.method.name: b for b in service_bindings(WORLDS)}
    create = bindings["CreateManifestJob"]
    assert (create.http_method, create.body, create.response_body) == ("POST", "*", "job")
    assert create.success_code == 202
    assert create.location is not None
    assert set(create.location.request_fields) == {"org", "workspace"}
    assert set(create.location.response_fields) == {"job.id"}
    assert set(create.path_fields) == {"org", "workspace"}
    listing = bindings["ListJobs"]
    assert (listing.http_method, listing.body, listing.success_code) == ("GET", "", 200)
    assert listing.location is None


def test_additional_bindings_and_streaming_are_represented() -> None:
    bindings = service_bindings(transcode_service())
    assert [(b.operation_id, b.http_method) for b in bindings] == [
        ("Echo", "GET"), ("Echo_1", "POST"), ("Echo_2", "PUT"), ("Shelve", "POST"),
        ("Fetch", "GET"), ("Archive", "POST"), ("Watch", "GET"), ("Tail", "POST"),
    ]
    watch = bindings[-2]
    assert watch.server_streaming and not watch.client_streaming
    assert watch.stream == StreamRule(), "a stream without http_stream: no ids, no names"
    assert bindings[0].stream is None


def test_stream_rules() -> None:
    bindings = {b.method.name: b for b in service_bindings(WORLDS)}
    rule = bindings["WatchJob"].stream
    assert rule is not None
    assert (rule.resume_field, rule.event_id_field, rule.event_type_field, rule.heartbeat_type) == (
        "resume_token", "event_id", "type", "heartbeat"
    )
    assert [f.name for f in rule.resume_chain] == ["resume_token"]
    assert rule.event_types == ("snapshot", "changed", "heartbeat")
    assert bindings["WatchJob"].template.source.endswith("/worlds/jobs/{job_id}/watch")
    assert bindings["WatchJobs"].template.verb == "watch"
    assert bindings["WatchJobs"].template.source.endswith("/worlds/jobs:watch")
    assert all(b.stream is None for b in bindings.values() if not b.server_streaming)


_STREAM = http_pb2.HttpRule(get="/v1/x")


@pytest.mark.parametrize(
    ("rule", "stream", "streaming", "output", "complaint"),
    [
        (_STREAM, options_pb2.HttpStreamRule(resume_field="id"), False, None, "does not stream"),
        (_STREAM, options_pb2.HttpStreamRule(resume_field="nope"), True, None, "not a field"),
        (_STREAM, options_pb2.HttpStreamRule(resume_field="thing"), True, None, "singular string"),
        (http_pb2.HttpRule(get="/v1/{id}"), options_pb2.HttpStreamRule(resume_field="id"), True,
         None, "bound to the path"),
        (_STREAM, options_pb2.HttpStreamRule(event_id_field="nope"), True, None, "not a field"),
        (_STREAM, options_pb2.HttpStreamRule(event_type_field="thing.nums"), True, None,
         "singular string or enum"),
        (_STREAM, options_pb2.HttpStreamRule(event_type_field="thing.color", heartbeat_type="green"),
         True, None, "not one of red, dark_blue"),
        (_STREAM, options_pb2.HttpStreamRule(heartbeat_type="ping"), True, None,
         "needs event_type_field"),
        (http_pb2.HttpRule(get="/v1/x", response_body="where_label"),
         options_pb2.HttpStreamRule(event_id_field="id"), True, None, "non-message response_body"),
        (_STREAM, options_pb2.HttpStreamRule(event_type_field="signal"), True,
         ".gwtest.v1.TailEvent", "'done' is reserved"),
    ],
)
def test_bad_stream_rules_fail_at_startup(rule, stream, streaming, output, complaint) -> None:
    service = service_with(rule, server_streaming=streaming, stream=stream,
                           output=output or ".gwtest.v1.ShelfResponse")
    with pytest.raises(BindingError, match=complaint):
        service_bindings(service)


def test_field_sources_and_locations() -> None:
    shelve = next(b for b in service_bindings(transcode_service()) if b.operation_id == "Shelve")
    assert shelve.field_source("parent") == "path"
    assert shelve.field_source("thing.name") == "path"
    assert shelve.field_source("thing.i32") == "body"
    assert shelve.field_source("where.label") == "query"
    assert shelve.locate("thing.inners[1].count") == ["body", "inners", 1, "count"]
    assert shelve.locate("thing.name") == ["path", "thing", "name"]
    assert shelve.locate("") == ["body"]
    assert shelve.locate("parent", "extra_forbidden") == ["body", "parent"]


def test_resolve_field_path() -> None:
    request = WORLDS.methods_by_name["CreateManifestJob"].output_type
    assert [f.name for f in resolve_field_path(request, "job.created_by_user.email")] == [
        "job", "created_by_user", "email",
    ]
    with pytest.raises(KeyError):
        resolve_field_path(request, "job.nope")
    with pytest.raises(KeyError):
        resolve_field_path(request, "job.id.deeper")


def test_custom_verbs_and_unannotated_methods() -> None:
    custom = http_pb2.HttpRule(custom=http_pb2.CustomHttpPattern(kind="head", path="/v1/{id}"))
    (binding,) = service_bindings(service_with(custom))
    assert binding.http_method == "HEAD"
    assert "Hidden" not in {b.method.name for b in service_bindings(transcode_service())}


@pytest.mark.parametrize(
    ("rule", "complaint"),
    [
        (http_pb2.HttpRule(get="/v1/{nope}"), "not a field"),
        (http_pb2.HttpRule(get="/v1/{thing}"), "singular scalar"),
        (http_pb2.HttpRule(get="/v1/{thing.nums}"), "singular scalar"),
        (http_pb2.HttpRule(get="/v1/x", body="nope"), "body"),
        (http_pb2.HttpRule(get="/v1/x", response_body="nope"), "response_body"),
        (http_pb2.HttpRule(post="/v1/{id}", body="id"), "also in the path"),
        (http_pb2.HttpRule(get="v1/x"), "must start"),
        (http_pb2.HttpRule(body="*"), "without a path"),
        (
            http_pb2.HttpRule(
                get="/v1/x",
                additional_bindings=[
                    http_pb2.HttpRule(
                        get="/v1/y", additional_bindings=[http_pb2.HttpRule(get="/v1/z")]
                    )
                ],
            ),
            "one level",
        ),
        (
            http_pb2.HttpRule(get="/v1/x", additional_bindings=[http_pb2.HttpRule(get="/v1/x")]),
            "both bind",
        ),
    ],
)
def test_bad_annotations_fail_at_startup(rule: http_pb2.HttpRule, complaint: str) -> None:
    with pytest.raises(BindingError, match=complaint):
        service_bindings(service_with(rule))


def _route(*errors: tuple[int, str], headers: tuple[str, ...] = ()) -> options_pb2.HttpRouteRule:
    return options_pb2.HttpRouteRule(
        errors=[options_pb2.HttpError(status=status, description=text) for status, text in errors],
        headers=[options_pb2.HttpHeader(name=name) for name in headers])


def test_route_rules_merge_the_service_and_the_method() -> None:
    service = service_with(http_pb2.HttpRule(get="/shelves"),
                           service_route=_route((429, "limited."), headers=("X-Tenant",)),
                           route=_route((409, "busy."), (429, "also."), headers=("Idempotency-Key",)))
    (binding,) = service_bindings(service)
    assert binding.errors == {429: ("limited.", "also."), 409: ("busy.",)}
    assert [(h.name, h.key) for h in binding.headers] == [
        ("X-Tenant", "x-tenant"), ("Idempotency-Key", "idempotency-key")]


@pytest.mark.parametrize(("route", "message"), [
    (_route((200, "fine")), "error status 200"),
    (_route((418, "teapot")), "error status 418"),
    (_route(headers=("Authorization",)), "handles itself"),
    (_route(headers=("Grpc-Timeout",)), "handles itself"),
    (_route(headers=("Last-Event-ID",)), "handles itself"),
    (_route(headers=("Trace-Bin",)), "not a valid text metadata key"),
    (_route(headers=("Bad Name",)), "not a valid text metadata key"),
    (_route(headers=("Idempotency-Key", "idempotency-key")), "declared twice"),
])
def test_bad_route_rules_fail_at_start(route: options_pb2.HttpRouteRule, message: str) -> None:
    with pytest.raises(BindingError, match=message):
        service_bindings(service_with(http_pb2.HttpRule(get="/shelves"), route=route))
