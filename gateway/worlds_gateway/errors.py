"""Every gateway failure as a ``google.rpc.Status``, and the one table that maps it to HTTP.

The flow follows grpc-gateway's ``runtime/errors.go``: whatever goes wrong (a malformed body, an
unknown route, a servicer abort, an unreachable backend) first becomes a ``google.rpc.Status``
carrying an ``ErrorInfo`` (``domain = "worlds"``, an UPPER_SNAKE ``reason``) and, for field
problems, a ``BadRequest``. Then :func:`to_http` maps that Status to the HTTP status, headers and
envelope of the contract (``/work/shared/spec/worlds-api.md``, "The error envelope"). Nothing
else in the gateway builds an error response.

Exception tree::

    RpcStatusError          a failed call or request, carrying its google.rpc.Status
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from google.protobuf import duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2

DOMAIN = "worlds"
"""``ErrorInfo.domain`` of every error this project raises (AIP-193: one fixed domain)."""

# Reasons the gateway itself raises. Servicer reasons live with the servicer.
REASON_VALIDATION = "VALIDATION_FAILED"
REASON_MALFORMED_REQUEST = "MALFORMED_REQUEST"
REASON_ROUTE_NOT_FOUND = "ROUTE_NOT_FOUND"
REASON_METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
REASON_PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
REASON_UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
REASON_UPGRADE_REQUIRED = "UPGRADE_REQUIRED"
REASON_BACKEND_UNAVAILABLE = "BACKEND_UNAVAILABLE"
REASON_DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
REASON_INTERNAL = "INTERNAL"
# Raised by the HTTP server in front of the gateway, before a request reaches it.
REASON_HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE"
REASON_REQUEST_TIMEOUT = "REQUEST_TIMEOUT"

VALIDATION_DETAIL = "Request validation failed"

EXTRA_FORBIDDEN = "extra_forbidden"
"""Violation reason of a name the request message does not have."""

_CODE_NAMES = frozenset(code_pb2.Code.values())

_Detail = TypeVar("_Detail", bound=Message)


class RpcStatusError(Exception):
    """A call (or the request that would have made it) failed with ``status``."""

    def __init__(self, status: status_pb2.Status) -> None:
        name = code_pb2.Code.Name(status.code) if status.code in _CODE_NAMES else str(status.code)
        super().__init__(f"{name}: {status.message}")
        self.status = status

    @property
    def code(self) -> int:
        return self.status.code


@dataclass(frozen=True, slots=True)
class Violation:
    """One bad field: a ``BadRequest.FieldViolation`` before it is packed.

    ``field`` is the dotted path in the request message, items as ``domains[2]``;
    ``reason`` is the machine-readable type of the envelope (``int_type``, ``less_than_equal``).
    """

    field: str
    description: str
    reason: str


def make_status(
    code: int,
    message: str,
    reason: str,
    *,
    violations: Iterable[Violation] = (),
    metadata: Mapping[str, str] | None = None,
    retry_delay: float | None = None,
) -> status_pb2.Status:
    """Build a ``google.rpc.Status`` with an ``ErrorInfo`` and, if given, a ``BadRequest``."""
    status = status_pb2.Status(code=code, message=message)
    info = error_details_pb2.ErrorInfo(reason=reason, domain=DOMAIN, metadata=metadata or {})
    status.details.add().Pack(info)
    field_violations = [
        error_details_pb2.BadRequest.FieldViolation(
            field=_utf8(v.field), description=_utf8(v.description), reason=v.reason
        )
        for v in violations
    ]
    if field_violations:
        status.details.add().Pack(error_details_pb2.BadRequest(field_violations=field_violations))
    if retry_delay is not None:
        delay = duration_pb2.Duration()
        delay.FromNanoseconds(int(retry_delay * 1e9))
        status.details.add().Pack(error_details_pb2.RetryInfo(retry_delay=delay))
    return status


def _utf8(text: str) -> str:
    # A field path can quote a client's key, and valid JSON can carry lone surrogates
    # ("\ud800"), which protobuf strings cannot hold: show them escaped instead.
    try:
        text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode()
    return text


def validation_error(violations: Sequence[Violation]) -> RpcStatusError:
    """The gateway's own field-level rejection (422 once mapped)."""
    return RpcStatusError(
        make_status(
            code_pb2.INVALID_ARGUMENT, VALIDATION_DETAIL, REASON_VALIDATION, violations=violations
        )
    )


def _detail(status: status_pb2.Status, kind: type[_Detail]) -> _Detail | None:
    detail = kind()
    for any_ in status.details:
        if any_.Unpack(detail):  # False when the Any holds another type
            return detail
    return None


def error_info(status: status_pb2.Status) -> error_details_pb2.ErrorInfo | None:
    return _detail(status, error_details_pb2.ErrorInfo)


def field_violations(status: status_pb2.Status) -> list[error_details_pb2.BadRequest.FieldViolation]:
    bad_request = _detail(status, error_details_pb2.BadRequest)
    return list(bad_request.field_violations) if bad_request is not None else []


DETAILS_KEY = "grpc-status-details-bin"
"""Trailing metadata key of the serialized ``google.rpc.Status`` (grpcio-status)."""


def _fallback_reason(code: int) -> str:
    if code == code_pb2.UNAVAILABLE:
        return REASON_BACKEND_UNAVAILABLE
    if code == code_pb2.DEADLINE_EXCEEDED:
        return REASON_DEADLINE_EXCEEDED
    return code_pb2.Code.Name(code) if code in code_pb2.Code.values() else "UNKNOWN"


def status_from_call(
    code: int, details: str | None, trailing_metadata: Iterable[tuple[str, str | bytes]] | None
) -> status_pb2.Status:
    """The ``google.rpc.Status`` of a finished call, whichever backend ran it.

    The rich status travels in the ``grpc-status-details-bin`` trailer (grpcio-status). A call
    without one (a servicer that used plain ``abort``, or a failure inside grpc itself such as
    an unreachable server or a passed deadline) gets an equivalent Status with an ``ErrorInfo``
    whose reason names the code, so every error the gateway sees has the same shape.
    """
    for key, value in trailing_metadata or ():
        if key == DETAILS_KEY and isinstance(value, bytes):
            try:
                status = status_pb2.Status.FromString(value)
            except Exception:
                break  # a corrupt trailer is treated as absent
            # grpcio-status rejects a trailer that contradicts the call's code; so do we.
            if status.code == code:
                return status
            break
    return make_status(code, details or "", _fallback_reason(code))


# --- the table -------------------------------------------------------------------------------

_INTERNAL = (500, "internal_error")

# The spec's table, by gRPC code. Anything missing (OK, CANCELLED, OUT_OF_RANGE, UNIMPLEMENTED,
# codes from the future) is 500: the contract lists no other mapping.
_BY_CODE: dict[int, tuple[int, str]] = {
    code_pb2.INVALID_ARGUMENT: (400, "invalid_request"),
    code_pb2.UNAUTHENTICATED: (401, "authentication_error"),
    code_pb2.PERMISSION_DENIED: (403, "permission_denied"),
    code_pb2.NOT_FOUND: (404, "not_found"),
    code_pb2.ALREADY_EXISTS: (409, "conflict"),
    code_pb2.ABORTED: (409, "conflict"),
    code_pb2.FAILED_PRECONDITION: (409, "conflict"),
    code_pb2.RESOURCE_EXHAUSTED: (429, "rate_limited"),
    code_pb2.INTERNAL: _INTERNAL,
    code_pb2.UNKNOWN: _INTERNAL,
    code_pb2.DATA_LOSS: _INTERNAL,
    code_pb2.UNAVAILABLE: (502, "bad_gateway"),
    code_pb2.DEADLINE_EXCEEDED: (504, "gateway_timeout"),
}

# (code, ErrorInfo.reason) pairs that select a more precise HTTP status. Only honoured when the
# ErrorInfo's domain is ours: a reason means something only within its domain (AIP-193).
_BY_REASON: dict[tuple[int, str], tuple[int, str]] = {
    (code_pb2.FAILED_PRECONDITION, REASON_UPGRADE_REQUIRED): (426, "upgrade_required"),
    (code_pb2.UNIMPLEMENTED, REASON_METHOD_NOT_ALLOWED): (405, "invalid_request"),
    (code_pb2.INVALID_ARGUMENT, REASON_PAYLOAD_TOO_LARGE): (413, "invalid_request"),
    (code_pb2.INVALID_ARGUMENT, REASON_UNSUPPORTED_MEDIA_TYPE): (415, "invalid_request"),
    (code_pb2.NOT_FOUND, REASON_ROUTE_NOT_FOUND): (404, "not_found"),
    (code_pb2.INVALID_ARGUMENT, REASON_HEADERS_TOO_LARGE): (431, "invalid_request"),
    (code_pb2.INVALID_ARGUMENT, REASON_REQUEST_TIMEOUT): (408, "invalid_request"),
}

ERROR_TYPES: dict[int, str] = {
    http: type_ for http, type_ in [*_BY_CODE.values(), *_BY_REASON.values()]
} | {422: "validation_error"}
"""Envelope ``type`` of each HTTP status the table can produce."""

# 5xx details are fixed text: a backend's message may carry a stack trace, SQL or a host name
# (grpc's own UNAVAILABLE message names the address it failed to reach).
_FIXED_DETAIL = {
    500: "Internal server error",
    502: "The backend service is unavailable",
    504: "The request deadline was exceeded",
}

_DEFAULT_DETAIL = {
    400: "Invalid request",
    401: "Authentication required",
    403: "Permission denied",
    404: "Not found",
    405: "Method not allowed",
    408: "The request was not received in time",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    426: "Upgrade required",
    429: "Rate limit exceeded",
    431: "Request headers too large",
}


def classify(status: status_pb2.Status) -> tuple[int, str]:
    """``(HTTP status, envelope type)`` of ``status``: the spec's table plus reason overrides."""
    info = error_info(status)
    if info is not None and info.domain == DOMAIN:
        override = _BY_REASON.get((status.code, info.reason))
        if override is not None:
            return override
    if status.code == code_pb2.INVALID_ARGUMENT and field_violations(status):
        return 422, "validation_error"
    return _BY_CODE.get(status.code, _INTERNAL)


Locator = Callable[[str, str], list[str | int]]
"""Maps a violation's field path and reason to the envelope's ``loc`` (the route binding)."""


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_field_path(field: str) -> list[str | int]:
    """``"a.b[2].c"`` → ``["a", "b", 2, "c"]``."""
    return [int(index) if index else name for name, index in _PATH_PART.findall(field)]


@dataclass(frozen=True, slots=True)
class HttpError:
    """The HTTP rendering of one Status: what every error response writes."""

    status_code: int
    headers: tuple[tuple[str, str], ...]
    body: dict[str, object]

    def body_bytes(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode()

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        encoded = [(b"content-type", b"application/json")]
        encoded += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers]
        return encoded


def _unlocated(field: str, reason: str) -> list[str | int]:
    return split_field_path(field)


def _loc_text(parts: Sequence[str | int]) -> str:
    """``["domains", 2]`` → ``domains[2]``: a field path as a reader writes it."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "request"


def to_http(status: status_pb2.Status, locate: Locator = _unlocated) -> HttpError:
    """Map a Status to the contract's envelope. THE status → HTTP function.

    ``locate`` turns each ``BadRequest`` field path into a ``loc``; the route binding supplies it
    so that a field bound to the path is reported under ``"path"``, and so on.
    """
    http_status, type_ = classify(status)
    violations = field_violations(status) if http_status == 422 else []
    if http_status in _FIXED_DETAIL:
        detail = _FIXED_DETAIL[http_status]
    elif violations:
        # Clients that print only `detail` still learn what to fix: the first bad field
        # and its message, as `errors[0]` says (the full list stays in `errors`).
        first = violations[0]
        detail = f"{_loc_text(locate(first.field, first.reason)[1:])}: {first.description}"
    else:
        detail = status.message or _DEFAULT_DETAIL.get(http_status, "Request failed")
    body: dict[str, object] = {"code": http_status, "detail": detail, "type": type_}
    if violations:
        body["errors"] = [
            {"loc": locate(v.field, v.reason), "msg": v.description, "type": v.reason or "value_error"}
            for v in violations
        ]
    return HttpError(http_status, _headers(status, http_status), body)


def status_for_http(http_status: int, message: str = "") -> status_pb2.Status:
    """The Status behind an HTTP error raised outside the gateway's own code paths.

    Starlette and FastAPI raise ``HTTPException`` themselves; reading the table backwards
    (reason overrides first) turns one into a Status, which :func:`to_http` then renders
    like any other, so even those responses carry the contract's envelope.
    """
    for (code, reason), (mapped, _) in _BY_REASON.items():
        if mapped == http_status:
            return make_status(code, message, reason)
    for code, (mapped, _) in _BY_CODE.items():
        if mapped == http_status and http_status != 500:
            return make_status(code, message, code_pb2.Code.Name(code))
    if http_status >= 500:
        return make_status(code_pb2.INTERNAL, message, REASON_INTERNAL)
    return make_status(code_pb2.INVALID_ARGUMENT, message, REASON_MALFORMED_REQUEST)


def _headers(status: status_pb2.Status, http_status: int) -> tuple[tuple[str, str], ...]:
    if http_status == 401:
        # RFC 9110 §11.6.1: a 401 must say how to authenticate; the contract's scheme is Bearer.
        return (("WWW-Authenticate", "Bearer"),)
    if http_status == 429:
        retry = _detail(status, error_details_pb2.RetryInfo)
        if retry is not None:
            delay = retry.retry_delay
            seconds = max(0, math.ceil(delay.seconds + delay.nanos / 1e9))
            return (("Retry-After", str(seconds)),)
    if http_status == 405:
        info = error_info(status)
        if info is not None and "allow" in info.metadata:
            return (("Allow", info.metadata["allow"]),)
    return ()
