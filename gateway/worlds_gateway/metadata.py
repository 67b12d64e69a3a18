"""HTTP request headers → gRPC call metadata and deadline.

What is forwarded, after grpc-gateway's ``runtime/context.go``:

- ``Authorization``, ``X-API-Key``, ``X-Request-ID``, ``Idempotency-Key``: as the same
  (lowercase) metadata keys; the contract's two ways of sending an API key (``worlds-api.md``,
  "Authentication"), the request's id and a create's idempotency key.
- ``Grpc-Metadata-<Key>: v`` → ``<key>: v`` (prefix stripped), except reserved keys (``grpc-*``,
  the ones this module sets itself) so a client cannot spoof ``x-forwarded-for``. ``-bin`` keys
  carry base64 and are decoded to bytes, as gRPC requires.
- ``X-Forwarded-For``: the incoming chain with the client's address appended;
  ``X-Forwarded-Host``: the ``Host`` header.
- ``User-Agent`` → ``grpcgateway-user-agent``. Not ``user-agent``: grpc's channel always
  replaces that key with its own user agent, so the HTTP client's value would reach the servicer
  in-process but not over a channel, and both modes must see the same metadata.
- ``Grpc-Timeout`` (gRPC's wire format, e.g. ``5S``, ``100m``) → the call's timeout.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence

from google.rpc import code_pb2

from .errors import RpcStatusError, make_status

Metadata = Sequence[tuple[str, str | bytes]]

USER_AGENT_KEY = "grpcgateway-user-agent"
_DIRECT = {
    b"authorization": "authorization",
    b"x-api-key": "x-api-key",
    b"x-request-id": "x-request-id",
    b"idempotency-key": "idempotency-key",
    b"user-agent": USER_AGENT_KEY,
}
_CREDENTIALS = frozenset({"authorization", "x-api-key"})
_UNPRINTABLE = "<unprintable>"
_PREFIX = b"grpc-metadata-"
_RESERVED = frozenset({*_DIRECT.values(), "x-forwarded-for", "x-forwarded-host", "user-agent"})
_KEY = re.compile(r"[0-9a-z_.\-]+")
_TIMEOUT = re.compile(r"([0-9]{1,8})([HMSmun])")
_TIMEOUT_UNITS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}


def _printable(value: str) -> bool:
    # gRPC metadata values are printable ASCII (0x20-0x7E); anything else is dropped, not sent.
    return value.isascii() and value.isprintable()


def grpc_metadata(
    headers: Sequence[tuple[bytes, bytes]], client: tuple[str, int] | None
) -> list[tuple[str, str | bytes]]:
    """The metadata a call made for this HTTP request carries (see the module docstring)."""
    metadata: list[tuple[str, str | bytes]] = []
    forwarded_for = ""
    host = ""
    for raw_name, raw_value in headers:
        value = raw_value.decode("latin-1")
        key = _DIRECT.get(raw_name)
        if key is not None:
            if _printable(value):
                metadata.append((key, value))
            elif key in _CREDENTIALS:
                # Dropped, it would leave the other credential header to win unchecked:
                # forwarded as a value no key matches, so the call is refused.
                metadata.append((key, _UNPRINTABLE))
        elif raw_name == b"x-forwarded-for":
            forwarded_for = f"{forwarded_for}, {value}" if forwarded_for else value
        elif raw_name == b"host":
            host = value
        elif raw_name.startswith(_PREFIX):
            passed = _passthrough(raw_name[len(_PREFIX) :].decode("latin-1"), value)
            if passed is not None:
                metadata.append(passed)
    if client is not None:
        address = client[0]
        forwarded_for = f"{forwarded_for}, {address}" if forwarded_for else address
    if forwarded_for and _printable(forwarded_for):
        metadata.append(("x-forwarded-for", forwarded_for))
    if host and _printable(host):
        metadata.append(("x-forwarded-host", host))
    return metadata


def _passthrough(key: str, value: str) -> tuple[str, str | bytes] | None:
    key = key.lower()
    if not _KEY.fullmatch(key) or key.startswith("grpc-") or key in _RESERVED:
        return None
    if key.endswith("-bin"):
        try:
            text = value.strip().replace("-", "+").replace("_", "/")
            return key, base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError):
            return None
    return (key, value) if _printable(value) else None


def parse_grpc_timeout(value: str) -> float:
    """Seconds of a ``Grpc-Timeout`` value (gRPC over HTTP/2: ``TimeoutValue TimeoutUnit``)."""
    match = _TIMEOUT.fullmatch(value.strip())
    if match is None:
        raise RpcStatusError(
            make_status(
                code_pb2.INVALID_ARGUMENT,
                "Grpc-Timeout must be 1 to 8 digits and a unit (H, M, S, m, u, n)",
                "INVALID_TIMEOUT",
            )
        )
    return int(match.group(1)) * _TIMEOUT_UNITS[match.group(2)]


def call_timeout(headers: Sequence[tuple[bytes, bytes]], default: float | None) -> float | None:
    """The call's timeout: ``Grpc-Timeout`` when sent, else ``default``."""
    for name, value in headers:
        if name == b"grpc-timeout":
            return parse_grpc_timeout(value.decode("latin-1"))
    return default
