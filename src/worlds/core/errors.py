"""The service's error tree and its one translation into `google.rpc.Status`.

    WorldsError
     ├── InvalidArgument      INVALID_ARGUMENT  (+ BadRequest: one violation per bad field)
     ├── Unauthenticated      UNAUTHENTICATED
     ├── PermissionDenied     PERMISSION_DENIED
     ├── NotFound             NOT_FOUND
     ├── Conflict             FAILED_PRECONDITION
     ├── UpgradeRequired      FAILED_PRECONDITION, reason UPGRADE_REQUIRED (HTTP 426)
     ├── RateLimited          RESOURCE_EXHAUSTED  (+ RetryInfo: when to try again)
     └── Unavailable          UNAVAILABLE

Store, auth and validation raise these; `to_status` is the only place that
builds a status from them. Every status carries an `ErrorInfo` (AIP-193) with
the fixed domain `worlds` and an UPPER_SNAKE reason that clients may switch on.
Messages never carry SQL, stack traces or host names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

DOMAIN = "worlds"


@dataclass(frozen=True)
class FieldViolation:
    """One bad field: `field` is a dotted path (`domains[2]` for an item)."""

    field: str
    message: str
    type: str


class WorldsError(Exception):
    code: int = code_pb2.INTERNAL
    reason: str = "INTERNAL"

    def __init__(
        self, message: str, *, reason: str | None = None, metadata: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason
        self.metadata = dict(metadata or {})

    def details(self) -> list[any_pb2.Any]:
        return []


class InvalidArgument(WorldsError):
    code = code_pb2.INVALID_ARGUMENT
    reason = "INVALID_ARGUMENT"

    def __init__(self, violations: Sequence[FieldViolation] = (), message: str | None = None,
                 *, reason: str | None = None) -> None:
        self.violations = list(violations)
        if message is None:
            message = "Request validation failed" if self.violations else "Invalid request"
        super().__init__(message, reason=reason or ("VALIDATION_FAILED" if self.violations else None))

    def details(self) -> list[any_pb2.Any]:
        if not self.violations:
            return []
        bad_request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=v.field, description=v.message, reason=v.type
                )
                for v in self.violations
            ]
        )
        packed = any_pb2.Any()
        packed.Pack(bad_request)
        return [packed]


class Unauthenticated(WorldsError):
    code = code_pb2.UNAUTHENTICATED
    reason = "UNAUTHENTICATED"


class PermissionDenied(WorldsError):
    code = code_pb2.PERMISSION_DENIED
    reason = "PERMISSION_DENIED"


class NotFound(WorldsError):
    code = code_pb2.NOT_FOUND
    reason = "NOT_FOUND"


class Conflict(WorldsError):
    code = code_pb2.FAILED_PRECONDITION
    reason = "CONFLICT"


class UpgradeRequired(WorldsError):
    """The client is older than the oldest version this server accepts from its family."""

    code = code_pb2.FAILED_PRECONDITION
    reason = "UPGRADE_REQUIRED"


class RateLimited(WorldsError):
    """The caller's request budget is spent; `retry_after` seconds until it may call again."""

    code = code_pb2.RESOURCE_EXHAUSTED
    reason = "RATE_LIMITED"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def details(self) -> list[any_pb2.Any]:
        delay = duration_pb2.Duration()
        delay.FromNanoseconds(int(self.retry_after * 1e9))
        packed = any_pb2.Any()
        packed.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
        return [packed]


class Unavailable(WorldsError):
    code = code_pb2.UNAVAILABLE
    reason = "UNAVAILABLE"


def to_status(error: WorldsError) -> status_pb2.Status:
    """The `google.rpc.Status` for a domain error: code, message, ErrorInfo, details."""
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=error.reason, domain=DOMAIN, metadata=error.metadata))
    return status_pb2.Status(code=error.code, message=error.message, details=[info, *error.details()])


def internal_status() -> status_pb2.Status:
    """The status of an unexpected failure; deliberately says nothing about its cause."""
    return to_status(WorldsError("Internal error", reason="INTERNAL"))
