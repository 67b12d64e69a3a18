"""The error boundary of every RPC: domain errors become their `google.rpc.Status`; anything
unexpected is logged and answered with a generic INTERNAL status.

Before the RPC runs, the servicer's `admission` (when it has one: version gate, rate
limit; see `worlds.api.admission`) checks the call, once per call and once per stream."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Never, TypeAlias, TypeVar

import grpc
from grpc_status import rpc_status

from worlds.core import errors
from worlds.core.errors import WorldsError

log = logging.getLogger(__name__)

Context: TypeAlias = grpc.aio.ServicerContext[Any, Any]
"""The context grpc.aio passes every handler (its request/response type arguments go unused)."""

_Self = TypeVar("_Self")
_Request = TypeVar("_Request")
_Response = TypeVar("_Response")


async def abort(context: Context, exc: Exception, method: str) -> Never:
    """End the call with the status for `exc`: a domain error's own, or a generic
    INTERNAL (logged) for anything unexpected."""
    if isinstance(exc, WorldsError):
        status = errors.to_status(exc)
    else:
        log.error("unexpected error in %s", method, exc_info=exc)
        status = errors.internal_status()
    await context.abort_with_status(rpc_status.to_status(status))


def _admit(servicer: object, context: Context) -> None:
    admission = getattr(servicer, "admission", None)
    if admission is not None:
        admission.check(context.invocation_metadata())


def unary(
    method: Callable[[_Self, _Request, Context], Awaitable[_Response]],
) -> Callable[[_Self, _Request, Context], Awaitable[_Response]]:
    """The error boundary of a unary RPC."""

    @functools.wraps(method)
    async def boundary(self: _Self, request: _Request, context: Context) -> _Response:
        try:
            _admit(self, context)
            return await method(self, request, context)
        except Exception as exc:
            await abort(context, exc, method.__name__)

    return boundary


def streaming(
    method: Callable[[_Self, _Request, Context], AsyncIterator[_Response]],
) -> Callable[[_Self, _Request, Context], AsyncIterator[_Response]]:
    """The error boundary of a server-streaming RPC: an error after the first
    message still ends the call with a rich status (the gateway turns it into an
    in-stream error)."""

    @functools.wraps(method)
    async def boundary(self: _Self, request: _Request, context: Context) -> AsyncIterator[_Response]:
        try:
            _admit(self, context)
            async for message in method(self, request, context):
                yield message
        except Exception as exc:
            await abort(context, exc, method.__name__)

    return boundary
