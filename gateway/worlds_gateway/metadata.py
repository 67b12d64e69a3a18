"""HTTP request headers → gRPC call metadata and deadline.

What is forwarded, after grpc-gateway's ``runtime/context.go``:

- ``Authorization``, ``X-API-Key``, ``X-Request-ID``: as the same (lowercase) metadata keys;
  the contract's two ways of sending an API key (``worlds-api.md``, "Authentication") and the
  request's id.
- The headers the route's method declares (``worlds.v1.http_route.headers``, e.g. a create's
  ``Idempotency-Key``): as the metadata key of their lowercase name. A declared header whose
  value metadata cannot carry (anything but printable ASCII) is a 400: dropping it would make
  the call silently behave as if it had not been sent (a create without its idempotency key).
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
from collections.abc import Mapping, Sequence

from google.rpc import code_pb2

from .errors import RpcStatusError, make_status

Metadata = Sequence[tuple[str, str | bytes]]

USER_AGENT_KEY = "grpcgateway-user-agent"
_DIRECT = {
    b"authorization": "authorization",
    b"x-api-key": "x-api-key",
    b"x-request-id": "x-request-id",
    b"user-agent": USER_AGENT_KEY,
}
_CREDENTIALS = frozenset({"authorization", "x-api-key"})
_UNPRINTABLE = "<unprintable>"
_PREFIX = b"grpc-metadata-"
_RESERVED = frozenset({*_DIRECT.values(), "x-forwarded-for", "x-forwarded-host", "user-agent"})
_KEY = re.compile(r"[0-9a-z_.\-]+")
# Headers the gateway reads itself (the call's deadline, the body, content negotiation, a
# stream's resume token) or that describe the connection: no method can declare them.
_GATEWAY_HEADERS = frozenset({
    "grpc-timeout", "content-type", "content-length", "accept", "last-event-id", "host",
    "connection", "transfer-encoding", "te", "x-forwarded-for", "x-forwarded-host",
})
_TIMEOUT = re.compile(r"([0-9]{1,8})([HMSmun])")
_TIMEOUT_UNITS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}


def _printable(value: str) -> bool:
    # gRPC metadata values are printable ASCII (0x20-0x7E); anything else is dropped, not sent.
    return value.isascii() and value.isprintable()


def declarable_header(key: str) -> str | None:
    """Why a method cannot declare the header of lowercase name ``key``; None when it can."""
    if not _KEY.fullmatch(key) or key.endswith("-bin"):
        return "is not a valid text metadata key (lowercase letters, digits, - _ .)"
    if key.startswith("grpc-") or key in _RESERVED or key in _GATEWAY_HEADERS:
        return "is one the gateway handles itself"
    return None


def grpc_metadata(
    headers: Sequence[tuple[bytes, bytes]],
    client: tuple[str, int] | None,
    declared: Mapping[bytes, str] | None = None,
) -> list[tuple[str, str | bytes]]:
    """The metadata a call made for this HTTP request carries (see the module docstring).

    ``declared``: the lowercase names of the headers the route's method declares, each with
    the name to show in an error.
    """
    metadata: list[tuple[str, str | bytes]] = []
    forwarded_for = ""
    host = ""
    for raw_name, raw_value in headers:
        value = raw_value.decode("latin-1")
        if declared and raw_name in declared:
            if not _printable(value):
                raise RpcStatusError(make_status(
                    code_pb2.INVALID_ARGUMENT,
                    f"{declared[raw_name]} must be printable ASCII", "INVALID_HEADER"))
            metadata.append((raw_name.decode("latin-1"), value))
            continue
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
            passed = _passthrough(raw_name[len(_PREFIX) :].decode("latin-1"), value, declared)
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


def _passthrough(
    key: str, value: str, declared: Mapping[bytes, str] | None
) -> tuple[str, str | bytes] | None:
    key = key.lower()
    if not _KEY.fullmatch(key) or key.startswith("grpc-") or key in _RESERVED:
        return None
    if declared and key.encode("latin-1") in declared:
        return None  # the route reads this header itself: no second way to set it
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
