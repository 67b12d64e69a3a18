"""gRPC server interceptors: per-call metrics (requests by method and code, latency), and
the request id and access log line of each call (see `worlds.api.access_log`).

One interceptor wraps every handler of the server, so each gRPC call is counted once,
when it ends: `code` is the status it ended with (`OK`, the code of an abort, `CANCELLED`
when the client left, `UNKNOWN` for an escaped exception). REST requests dispatched
in-process never pass through gRPC; the gateway's middleware counts those
(`worlds.api.metrics`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from worlds import logs
from worlds.api.access_log import log_request
from worlds.metrics import Metrics


def _code_name(context: Any) -> str:
    code = context.code()
    if code is None:
        return "UNKNOWN"
    if isinstance(code, grpc.StatusCode):
        return code.name
    for member in grpc.StatusCode:
        if member.value[0] == code:
            return member.name
    return str(code)


def _ended_with(exc: BaseException, context: Any) -> str:
    """The code a call that raised `exc` ends with: an abort's own, `CANCELLED` when the
    client left (or the stream was closed), `UNKNOWN` for anything that escaped."""
    if isinstance(exc, grpc.aio.AbortError):
        return _code_name(context)
    if isinstance(exc, (asyncio.CancelledError, GeneratorExit)):
        return "CANCELLED"
    return "UNKNOWN"


class _WrappingInterceptor(grpc.aio.ServerInterceptor):
    """Wraps each unary and server-streaming handler with `_unary` / `_stream`."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails],
                               Awaitable[grpc.RpcMethodHandler[Any, Any] | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        method = handler_call_details.method.rpartition("/")[2] or handler_call_details.method
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._unary(method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._stream(method, handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)
        return handler  # client and bidi streams: none in this service

    def _unary(self, method: str, behavior: Callable[..., Any]) -> Callable[..., Any]:
        raise NotImplementedError

    def _stream(self, method: str, behavior: Callable[..., Any]) -> Callable[..., Any]:
        raise NotImplementedError


class MetricsInterceptor(_WrappingInterceptor):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def _record(self, method: str, code: str, started: float) -> None:
        self._metrics.rpc_requests.labels(method, code).inc()
        self._metrics.rpc_duration.labels(method).observe(time.perf_counter() - started)


    def _unary(self, method: str, behavior: Callable[..., Any]) -> Callable[..., Any]:
        async def counted(request: Any, context: Any) -> Any:
            started, code = time.perf_counter(), "OK"
            try:
                result = behavior(request, context)
                return await result if asyncio.iscoroutine(result) else result
            except BaseException as exc:
                code = _ended_with(exc, context)
                raise
            finally:
                self._record(method, code, started)

        return counted

    def _stream(self, method: str, behavior: Callable[..., Any]) -> Callable[..., Any]:
        async def counted(request: Any, context: Any) -> AsyncIterator[Any]:
            started, code = time.perf_counter(), "OK"
            try:
                async for message in behavior(request, context):
                    yield message
            except BaseException as exc:
                code = _ended_with(exc, context)
                raise
            finally:
                self._record(method, code, started)

        return counted


def _request_id(context: Any) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == logs.REQUEST_ID_HEADER and isinstance(value, str):
            return logs.accept_request_id(value)
    return logs.new_request_id()


class RequestLogInterceptor(_WrappingInterceptor):
    """Opens the call's request context (its id, returned to the client) and logs one line
    when the call ends."""


    @staticmethod
    def _unary(method: str, behavior: Callable[..., Any]) -> Callable[..., Any]:
        async def logged(request: Any, context: Any) -> Any:
            started, code = time.perf_counter(), "OK"
            request_id = _request_id(context)
            # A unary call's headers carry no meaning for the gateway: send the id at once.
            await context.send_initial_metadata(((logs.REQUEST_ID_HEADER, request_id),))
            with logs.request_context(request_id) as rc:
                try:
                    result = behavior(request, context)
                    return await result if asyncio.iscoroutine(result) else result
                except BaseException as exc:
                    code = _ended_with(exc, context)
                    raise
                finally:
                    log_request("grpc", method, code, started, rc)

        return logged

    @staticmethod
    def _stream(method: str, behavior: Callable[..., Any]) -> Callable[..., Any]:
        async def logged(request: Any, context: Any) -> AsyncIterator[Any]:
            started, code = time.perf_counter(), "OK"
            request_id = _request_id(context)
            # Not in the initial metadata: a stream's headers tell the gateway the call
            # was accepted (see worlds_gateway.backend), which must wait for the checks.
            context.set_trailing_metadata(((logs.REQUEST_ID_HEADER, request_id),))
            with logs.request_context(request_id) as rc:
                try:
                    async for message in behavior(request, context):
                        yield message
                except BaseException as exc:
                    code = _ended_with(exc, context)
                    raise
                finally:
                    log_request("grpc", method, code, started, rc)

        return logged
