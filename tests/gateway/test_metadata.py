"""HTTP headers → gRPC metadata and deadline."""

from __future__ import annotations

import base64

import pytest
from worlds_gateway.errors import RpcStatusError
from worlds_gateway.metadata import call_timeout, grpc_metadata, parse_grpc_timeout


def _headers(**values: str) -> list[tuple[bytes, bytes]]:
    return [(k.replace("_", "-").lower().encode(), v.encode("latin-1")) for k, v in values.items()]


def test_forwarded_headers() -> None:
    headers = _headers(
        authorization="Bearer k",
        x_api_key="k2",
        x_request_id="r",
        user_agent="ua/1",
        host="api.example",
        x_forwarded_for="10.0.0.1",
        grpc_metadata_Trace_Id="t",
        grpc_metadata_blob_bin=base64.b64encode(b"\x00\x01").decode().rstrip("="),
        grpc_metadata_bad_bin="!!!",
        grpc_metadata_grpc_status="0",
        grpc_metadata_authorization="Bearer spoof",
        grpc_metadata_nonascii="caf\u00e9",
        cookie="c",
        content_type="application/json",
    )
    headers.append(("grpc-metadata-caf\u00e9".encode("latin-1"), b"x"))  # not a valid key
    assert grpc_metadata(headers, ("192.0.2.1", 4000)) == [
        ("authorization", "Bearer k"),
        ("x-api-key", "k2"),
        ("x-request-id", "r"),
        ("grpcgateway-user-agent", "ua/1"),
        ("trace-id", "t"),
        ("blob-bin", b"\x00\x01"),
        ("x-forwarded-for", "10.0.0.1, 192.0.2.1"),
        ("x-forwarded-host", "api.example"),
    ]


def test_declared_headers_are_forwarded_and_must_be_printable() -> None:
    declared = {b"idempotency-key": "Idempotency-Key"}
    headers = _headers(idempotency_key="k-1", grpc_metadata_idempotency_key="spoof")
    assert grpc_metadata(headers, None, declared) == [("idempotency-key", "k-1")]
    # A route that declares nothing forwards no such header (its method does not read it).
    assert grpc_metadata(_headers(idempotency_key="k-1"), None) == []
    with pytest.raises(RpcStatusError) as raised:
        grpc_metadata(_headers(idempotency_key="caf\u00e9"), None, declared)
    assert raised.value.code == 3 and "Idempotency-Key" in raised.value.status.message


def test_without_a_client_address() -> None:
    assert grpc_metadata([], None) == []
    assert grpc_metadata(_headers(x_forwarded_for="a"), None) == [("x-forwarded-for", "a")]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("5S", 5.0), ("100m", 0.1), ("2M", 120.0), ("1H", 3600.0), ("250u", 250e-6),
     ("99999999n", 0.099999999), (" 3S ", 3.0)],
)
def test_grpc_timeout(value: str, seconds: float) -> None:
    assert parse_grpc_timeout(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["", "5", "S", "5s", "1.5S", "-1S", "123456789S", "5SS"])
def test_bad_grpc_timeout(value: str) -> None:
    with pytest.raises(RpcStatusError) as raised:
        parse_grpc_timeout(value)
    assert raised.value.code == 3


def test_call_timeout_defaults() -> None:
    assert call_timeout([], 30.0) == 30.0
    assert call_timeout([], None) is None
    assert call_timeout(_headers(grpc_timeout="1S"), None) == 1.0
