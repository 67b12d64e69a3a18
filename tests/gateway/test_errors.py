"""The one status → HTTP table (golden), and the envelope it renders."""

from __future__ import annotations

import pytest
from google.protobuf import duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from worlds_gateway.errors import (
    DETAILS_KEY,
    ERROR_TYPES,
    Violation,
    make_status,
    split_field_path,
    status_for_http,
    status_from_call,
    to_http,
)

# Every gRPC code (and one from the future) without details: the spec's table, anything the
# spec does not list is 500.
GOLDEN = {
    code_pb2.OK: (500, "internal_error"),
    code_pb2.CANCELLED: (500, "internal_error"),
    code_pb2.UNKNOWN: (500, "internal_error"),
    code_pb2.INVALID_ARGUMENT: (400, "invalid_request"),
    code_pb2.DEADLINE_EXCEEDED: (504, "gateway_timeout"),
    code_pb2.NOT_FOUND: (404, "not_found"),
    code_pb2.ALREADY_EXISTS: (409, "conflict"),
    code_pb2.PERMISSION_DENIED: (403, "permission_denied"),
    code_pb2.RESOURCE_EXHAUSTED: (429, "rate_limited"),
    code_pb2.FAILED_PRECONDITION: (409, "conflict"),
    code_pb2.ABORTED: (409, "conflict"),
    code_pb2.OUT_OF_RANGE: (500, "internal_error"),
    code_pb2.UNIMPLEMENTED: (500, "internal_error"),
    code_pb2.INTERNAL: (500, "internal_error"),
    code_pb2.UNAVAILABLE: (502, "bad_gateway"),
    code_pb2.DATA_LOSS: (500, "internal_error"),
    code_pb2.UNAUTHENTICATED: (401, "authentication_error"),
    99: (500, "internal_error"),
}


def test_the_golden_table_names_every_code() -> None:
    assert set(code_pb2.Code.values()) <= set(GOLDEN)


@pytest.mark.parametrize(("code", "expected"), sorted(GOLDEN.items()))
def test_status_to_http_golden(code: int, expected: tuple[int, str]) -> None:
    for status in (status_pb2.Status(code=code, message="m"), make_status(code, "m", "ANY")):
        http = to_http(status)
        assert (http.status_code, http.body["type"]) == expected
        assert http.body["code"] == expected[0]
        assert "errors" not in http.body


# (code, ErrorInfo reason) overrides; the reason only counts in our domain.
@pytest.mark.parametrize(
    ("code", "reason", "expected"),
    [
        (code_pb2.FAILED_PRECONDITION, "UPGRADE_REQUIRED", (426, "upgrade_required")),
        (code_pb2.UNIMPLEMENTED, "METHOD_NOT_ALLOWED", (405, "invalid_request")),
        (code_pb2.INVALID_ARGUMENT, "PAYLOAD_TOO_LARGE", (413, "invalid_request")),
        (code_pb2.INVALID_ARGUMENT, "UNSUPPORTED_MEDIA_TYPE", (415, "invalid_request")),
        (code_pb2.NOT_FOUND, "ROUTE_NOT_FOUND", (404, "not_found")),
        (code_pb2.ABORTED, "UPGRADE_REQUIRED", (409, "conflict")),
    ],
)
def test_reason_overrides(code: int, reason: str, expected: tuple[int, str]) -> None:
    http = to_http(make_status(code, "m", reason))
    assert (http.status_code, http.body["type"]) == expected


def test_a_reason_from_another_domain_does_not_override() -> None:
    status = status_pb2.Status(code=code_pb2.FAILED_PRECONDITION, message="m")
    info = error_details_pb2.ErrorInfo(reason="UPGRADE_REQUIRED", domain="example.com")
    status.details.add().Pack(info)
    assert to_http(status).status_code == 409


def test_violations_make_422_with_located_errors() -> None:
    status = make_status(
        code_pb2.INVALID_ARGUMENT,
        "whatever the servicer said",
        "VALIDATION_FAILED",
        violations=[Violation("domains[2]", "must be a DNS name", "dns_name"),
                    Violation("a.b", "bad", "")],
    )
    http = to_http(status, lambda field, reason: ["body", *split_field_path(field)])
    assert http.status_code == 422
    assert http.body == {
        "code": 422,
        "detail": "domains[2]: must be a DNS name",
        "type": "validation_error",
        "errors": [
            {"loc": ["body", "domains", 2], "msg": "must be a DNS name", "type": "dns_name"},
            {"loc": ["body", "a", "b"], "msg": "bad", "type": "value_error"},
        ],
    }


def test_violations_only_count_for_invalid_argument() -> None:
    status = make_status(code_pb2.NOT_FOUND, "gone", "X", violations=[Violation("a", "b", "c")])
    assert to_http(status).body == {"code": 404, "detail": "gone", "type": "not_found"}


@pytest.mark.parametrize("code", [code_pb2.INTERNAL, code_pb2.UNKNOWN, code_pb2.DATA_LOSS,
                                  code_pb2.UNAVAILABLE, code_pb2.DEADLINE_EXCEEDED])
def test_5xx_details_are_fixed_text(code: int) -> None:
    leak = "Traceback: psycopg.OperationalError at db-7.internal:5432 SELECT 1"
    assert "db-7" not in to_http(make_status(code, leak, "X")).body["detail"]


def test_an_empty_message_gets_a_default_detail() -> None:
    assert to_http(status_pb2.Status(code=code_pb2.NOT_FOUND)).body["detail"] == "Not found"


def test_headers() -> None:
    assert to_http(make_status(code_pb2.UNAUTHENTICATED, "", "X")).headers == (
        ("WWW-Authenticate", "Bearer"),
    )
    no_retry = to_http(make_status(code_pb2.RESOURCE_EXHAUSTED, "", "X"))
    assert no_retry.headers == ()
    for delay, expected in ((0.0, "0"), (0.001, "1"), (1.0, "1"), (1.2, "2"), (30.0, "30")):
        status = make_status(code_pb2.RESOURCE_EXHAUSTED, "", "X", retry_delay=delay)
        assert to_http(status).headers == (("Retry-After", expected),)
    allow = make_status(code_pb2.UNIMPLEMENTED, "", "METHOD_NOT_ALLOWED", metadata={"allow": "GET"})
    assert to_http(allow).headers == (("Allow", "GET"),)
    assert to_http(allow).raw_headers()[0] == (b"content-type", b"application/json")


def test_retry_info_with_nanos_only() -> None:
    status = status_pb2.Status(code=code_pb2.RESOURCE_EXHAUSTED)
    status.details.add().Pack(
        error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(nanos=1))
    )
    assert to_http(status).headers == (("Retry-After", "1"),)


@pytest.mark.parametrize("http_status", sorted(ERROR_TYPES))
def test_status_for_http_reads_the_table_backwards(http_status: int) -> None:
    if http_status == 422:
        # A bare 422 (no violations to carry) can only be a 400.
        assert to_http(status_for_http(422)).status_code == 400
        return
    assert to_http(status_for_http(http_status, "m")).status_code == http_status


def test_status_for_http_of_unlisted_statuses() -> None:
    assert to_http(status_for_http(418)).status_code == 400
    assert to_http(status_for_http(503)).status_code == 500


def test_status_from_call_prefers_the_rich_trailer() -> None:
    rich = make_status(code_pb2.NOT_FOUND, "rich", "JOB_NOT_FOUND")
    trailer = ((DETAILS_KEY, rich.SerializeToString()),)
    assert status_from_call(code_pb2.NOT_FOUND, "plain", trailer) == rich
    # A trailer that contradicts the call's code, or cannot be parsed, is ignored.
    for bad in (((DETAILS_KEY, rich.SerializeToString()),), ((DETAILS_KEY, b"\xff\xff"),)):
        fallback = status_from_call(code_pb2.INTERNAL, "plain", bad)
        assert (fallback.code, fallback.message) == (code_pb2.INTERNAL, "plain")
    unavailable = status_from_call(code_pb2.UNAVAILABLE, "connect failed", None)
    info = error_details_pb2.ErrorInfo()
    unavailable.details[0].Unpack(info)
    assert (info.reason, info.domain) == ("BACKEND_UNAVAILABLE", "worlds")


def test_split_field_path() -> None:
    assert split_field_path("") == []
    assert split_field_path("a") == ["a"]
    assert split_field_path("a.b[2].c") == ["a", "b", 2, "c"]
    assert split_field_path("m[key]") == ["m", "key"]
