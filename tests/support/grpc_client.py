"""A blocking gRPC client for tests, with the rich error details decoded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from worlds.v1 import platform_service_pb2_grpc, worlds_service_pb2_grpc


@dataclass
class RpcFailure:
    code: grpc.StatusCode
    message: str
    reason: str | None = None
    domain: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    # field -> (description, reason)
    violations: dict[str, tuple[str, str]] = field(default_factory=dict)
    retry_delay: float | None = None


def decode_failure(error: grpc.RpcError) -> RpcFailure:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    failure = RpcFailure(error.code(), error.details() or "")  # type: ignore[attr-defined]
    if status is None:
        return failure
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            failure.reason, failure.domain = info.reason, info.domain
            failure.metadata = dict(info.metadata)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            failure.violations = {v.field: (v.description, v.reason) for v in bad.field_violations}
    return failure


class GrpcClient:
    def __init__(self, target: str) -> None:
        self.channel = grpc.insecure_channel(target)
        self.stub = worlds_service_pb2_grpc.WorldsServiceStub(self.channel)
        self.platform = platform_service_pb2_grpc.PlatformServiceStub(self.channel)

    def close(self) -> None:
        self.channel.close()

    @staticmethod
    def _metadata(key: str | None, header: str) -> list[tuple[str, str]]:
        if key is None:
            return []
        if header == "bearer":
            return [("authorization", f"Bearer {key}")]
        return [("x-api-key", key)]

    def call(self, method: str, request: Any, key: str | None, *, header: str = "bearer",
             timeout: float = 30) -> Any:
        # Method names are unique across the two services: WorldsService's first.
        stub = self.stub if hasattr(self.stub, method) else self.platform
        return getattr(stub, method)(request, metadata=self._metadata(key, header),
                                     timeout=timeout)

    def fail(self, method: str, request: Any, key: str | None, *, header: str = "bearer") -> RpcFailure:
        """Call, expecting an error; the decoded error."""
        try:
            response = self.call(method, request, key, header=header)
        except grpc.RpcError as error:
            return decode_failure(error)
        raise AssertionError(f"{method} succeeded unexpectedly: {response}")
