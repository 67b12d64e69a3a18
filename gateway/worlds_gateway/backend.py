"""The seam between HTTP and gRPC: something that runs one RPC and returns its response(s).

Two implementations share this contract:

- :class:`ChannelBackend` calls a (possibly remote) server over a ``grpc.aio`` channel; the
  gateway then runs as its own process in front of remote gRPC servers.
- :class:`InProcessBackend` awaits the servicer directly. The REST hop costs ~126 µs of CPU per
  request in-process against ~340 µs (plus the gRPC server's share) over loopback
  (``anchors-transcoding.md`` §3.6), so the all-in-one server dispatches this way.

Both report every failure as :class:`~worlds_gateway.errors.RpcStatusError` with the same
``google.rpc.Status`` for the same failure (metadata, deadlines and status details identical,
``design.md``, "gateway/"); ``tests/gateway`` runs every REST test against both.

Server streams (:meth:`Backend.stream`) run in a task of their own and hand their messages to a
:class:`~worlds_gateway.server_stream.ServerStream`; closing that stream cancels the call, which the
servicer sees the same way in both modes: ``asyncio.CancelledError`` at its current ``await``
(its ``finally`` blocks run, its generator is closed) and its done callbacks.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeGuard

import grpc
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from google.rpc import code_pb2, status_pb2

from .context import Aborted, InProcessContext
from .errors import (
    REASON_BACKEND_UNAVAILABLE,
    REASON_INTERNAL,
    RpcStatusError,
    make_status,
    status_from_call,
)
from .server_stream import ServerStream

logger = logging.getLogger(__name__)

Metadata = Sequence[tuple[str, str | bytes]]


class Backend(Protocol):
    """Runs RPCs. Raises :class:`RpcStatusError` on any failure, never anything else.

    ``peer`` is the HTTP client's address in gRPC's form (``ipv4:1.2.3.4:5678``); a backend
    with its own notion of the peer (a channel) ignores it.
    """

    async def unary(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Metadata,
        timeout: float | None,
        *,
        peer: str | None = None,
    ) -> Message: ...

    def stream(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Metadata,
        timeout: float | None,
        *,
        peer: str | None = None,
    ) -> ServerStream:
        """Start a server-streaming call (lazily: on first use of the stream).

        The returned stream is an ``AsyncIterator[Message]`` that raises
        :class:`RpcStatusError` when the call fails, before or after its first message; the
        caller must ``aclose()`` it, which cancels a call still running.
        """
        ...


def method_path(method: MethodDescriptor) -> str:
    """``/package.Service/Method``: the HTTP/2 path of a gRPC call."""
    return f"/{method.containing_service.full_name}/{method.name}"


def _wire_codecs(
    method: MethodDescriptor,
) -> tuple[Callable[[Message], bytes], Callable[[bytes], Message]]:
    """(request serializer, response deserializer) of ``method``, from its message classes."""
    request_type, response_type = GetMessageClass(method.input_type), GetMessageClass(method.output_type)
    return request_type.SerializeToString, response_type.FromString


class ChannelBackend:
    """Calls the service over ``channel``.

    Each method's multicallable is built once from the descriptor and the message classes
    (``GetMessageClass``), so no generated stub is involved: any annotated service works.
    """

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._channel = channel
        self._callables: dict[str, grpc.aio.UnaryUnaryMultiCallable[Message, Message]] = {}
        self._stream_callables: dict[str, grpc.aio.UnaryStreamMultiCallable[Message, Message]] = {}

    def _callable(self, method: MethodDescriptor) -> grpc.aio.UnaryUnaryMultiCallable[Message, Message]:
        callable_ = self._callables.get(method.full_name)
        if callable_ is None:
            callable_ = self._channel.unary_unary(method_path(method), *_wire_codecs(method))
            self._callables[method.full_name] = callable_
        return callable_

    def _stream_callable(
        self, method: MethodDescriptor
    ) -> grpc.aio.UnaryStreamMultiCallable[Message, Message]:
        callable_ = self._stream_callables.get(method.full_name)
        if callable_ is None:
            callable_ = self._channel.unary_stream(method_path(method), *_wire_codecs(method))
            self._stream_callables[method.full_name] = callable_
        return callable_

    async def unary(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Metadata,
        timeout: float | None,
        *,
        peer: str | None = None,
    ) -> Message:
        try:
            return await self._callable(method)(request, metadata=tuple(metadata), timeout=timeout)
        except grpc.aio.AioRpcError as error:
            # Unreachable servers and passed deadlines arrive here too, as UNAVAILABLE and
            # DEADLINE_EXCEEDED without a rich status; the table makes them 502 and 504.
            raise RpcStatusError(_status_of(error)) from error
        except grpc.aio.UsageError as error:
            raise RpcStatusError(_channel_closed()) from error

    def stream(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Metadata,
        timeout: float | None,
        *,
        peer: str | None = None,
    ) -> ServerStream:
        stream = ServerStream()
        stream.attach(
            self._read_call(self._stream_callable(method), request, tuple(metadata), timeout, stream)
        )
        return stream

    @staticmethod
    async def _read_call(
        callable_: grpc.aio.UnaryStreamMultiCallable[Message, Message],
        request: Message,
        metadata: tuple[tuple[str, str | bytes], ...],
        timeout: float | None,
        out: ServerStream,
    ) -> None:
        call = None
        try:
            call = callable_(request, metadata=metadata, timeout=timeout)
            # Initial metadata comes before any message; when it resolves on a call that is
            # not over, the servicer accepted the call (sent headers). A call that failed
            # outright (a "trailers-only" response) is over by then, and its status follows.
            await call.initial_metadata()
            if not call.done():
                out.mark_started()
            async for message in call:
                await out.put(message)
        except grpc.aio.AioRpcError as error:
            out.end(_status_of(error))
        except grpc.aio.UsageError:
            out.end(_channel_closed())
        except asyncio.CancelledError:
            if call is not None:
                call.cancel()
            raise
        except Exception:
            logger.exception("reading a stream from the channel failed")
            if call is not None:
                call.cancel()
            out.end(_internal())
        else:
            out.end()


_STREAM_REMOVED = re.compile(r"Stream removed \((.*)\)", re.DOTALL)


def _status_of(error: grpc.aio.AioRpcError) -> status_pb2.Status:
    details = error.details() or ""
    # grpc core words a failure it detects on a stream as "Stream removed (Deadline
    # Exceeded)"; the same failure of a unary call, or in-process, is "Deadline Exceeded".
    removed = _STREAM_REMOVED.fullmatch(details)
    if removed is not None:
        details = removed.group(1)
    return status_from_call(error.code().value[0], details, error.trailing_metadata())


def _channel_closed() -> status_pb2.Status:
    # A closed channel is as unreachable as a server that is down.
    return make_status(code_pb2.UNAVAILABLE, "channel closed", REASON_BACKEND_UNAVAILABLE)


def _internal() -> status_pb2.Status:
    return make_status(code_pb2.INTERNAL, "Internal error", REASON_INTERNAL)


def _deadline_exceeded() -> status_pb2.Status:
    # grpc's own message for a passed deadline, so both modes yield the same Status.
    return status_from_call(code_pb2.DEADLINE_EXCEEDED, "Deadline Exceeded", ())


def _is_response(value: object, method: MethodDescriptor) -> TypeGuard[Message]:
    """Whether a handler's ``value`` is a message of ``method``'s response type."""
    return isinstance(value, Message) and value.DESCRIPTOR.full_name == method.output_type.full_name


class InProcessBackend:
    """Calls ``servicer``'s methods directly: ``await servicer.<Method>(request, context)``.

    ``servicer`` is one object for every method, or a mapping from service full name
    (``worlds.v1.WorldsService``) to the servicer of that service.

    Each call gets a fresh :class:`InProcessContext`. The deadline is enforced by cancelling
    the handler (as grpc does) and reported as grpc reports it; an exception escaping the
    servicer is logged and becomes INTERNAL with a generic message, never its text.

    A server-streaming method is what grpc.aio accepts: an async generator
    (``async def WatchJob(self, request, context): ... yield response``) or a coroutine that
    calls ``await context.write(response)``. It runs in its own task (see ``server_stream.py``).
    """

    def __init__(self, servicer: object | Mapping[str, object], *, stream_buffer: int = 1) -> None:
        # One servicer serves every method; a mapping (service full name → servicer) serves
        # several services, each method going to its own service's servicer.
        self._servicers: Mapping[str, object] | None = (
            servicer if isinstance(servicer, Mapping) else None)
        self._servicer = None if isinstance(servicer, Mapping) else servicer
        self._stream_buffer = stream_buffer

    def _handler(self, method: MethodDescriptor) -> Callable[..., Any] | None:
        servicer = (self._servicer if self._servicers is None
                    else self._servicers.get(method.containing_service.full_name))
        return None if servicer is None else getattr(servicer, method.name, None)

    def stream(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Metadata,
        timeout: float | None,
        *,
        peer: str | None = None,
    ) -> ServerStream:
        try:
            handler, context, deadline = self._start(method, metadata, timeout, peer)
        except RpcStatusError as error:
            return ServerStream.failed(error.status)
        stream = ServerStream(buffer=self._stream_buffer)
        context.bind_stream(stream.mark_started, lambda message: self._put(method, stream, message))
        stream.attach(
            self._run_stream(handler, request, context, deadline, method, stream),
            on_cancel=context.cancel,
        )
        return stream

    def _start(
        self, method: MethodDescriptor, metadata: Metadata, timeout: float | None, peer: str | None
    ) -> tuple[Callable[..., Any], InProcessContext, float | None]:
        """The set-up of one call, unary or streaming: the servicer's handler, a fresh context
        and the deadline (loop time). UNIMPLEMENTED, as grpc answers for a method the server
        did not register, when the servicer has no such method."""
        handler = self._handler(method)
        if handler is None:
            raise RpcStatusError(status_from_call(code_pb2.UNIMPLEMENTED, "Method not found!", ()))
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        return handler, InProcessContext(metadata, deadline=deadline, peer=peer or "unknown"), deadline

    @staticmethod
    async def _put(method: MethodDescriptor, out: ServerStream, message: Any) -> None:
        if not _is_response(message, method):
            raise TypeError(
                f"{method.full_name} streamed {type(message).__name__}, not a "
                f"{method.output_type.full_name}"
            )
        await out.put(message)

    async def _run_stream(
        self,
        handler: Callable[..., Any],
        request: Message,
        context: InProcessContext,
        deadline: float | None,
        method: MethodDescriptor,
        out: ServerStream,
    ) -> None:
        result: Any = None
        cancelled = False
        scope = asyncio.timeout_at(deadline)
        # At the deadline the context reads cancelled before the handler is interrupted, as it
        # does when the client leaves (ServerStream.aclose calls context.cancel first).
        timer = None if deadline is None else asyncio.get_running_loop().call_at(deadline, context.cancel)
        try:
            async with scope:
                result = handler(request, context)
                if inspect.isasyncgen(result):
                    # As grpc.aio does: each yielded message is written through the context.
                    async for message in result:
                        await context.write(message)
                elif inspect.isawaitable(result):
                    await result  # a reader/writer-style handler: it called context.write()
                else:
                    raise TypeError(f"{method.full_name} is neither an async generator nor a coroutine")
        except Aborted as aborted:
            out.end(aborted.status)
        except TimeoutError:
            if scope.expired():
                cancelled = True
                out.end(_deadline_exceeded())
            else:
                out.end(self._crashed(context, method))
        except asyncio.CancelledError:
            cancelled = True  # the consumer went away: grpc cancels the handler the same way
            raise
        except Exception:
            out.end(self._crashed(context, method))
        else:
            out.end(context.status())
        finally:
            if timer is not None:
                timer.cancel()
            if inspect.isasyncgen(result):
                # Cancelled while waiting for the consumer, the generator is suspended at a
                # yield: close it now (its finally blocks run), rather than whenever it is
                # garbage-collected.
                try:
                    await result.aclose()
                except Exception:
                    logger.exception("closing the stream of %s failed", method.full_name)
            context.finish(cancelled=cancelled)

    async def unary(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Metadata,
        timeout: float | None,
        *,
        peer: str | None = None,
    ) -> Message:
        handler, context, deadline = self._start(method, metadata, timeout, peer)
        try:
            response = await self._run(handler, request, context, deadline, method)
        except BaseException:
            context.finish(cancelled=True)
            raise
        context.finish()
        return response

    async def _run(
        self,
        handler: Callable[..., Any],
        request: Message,
        context: InProcessContext,
        deadline: float | None,
        method: MethodDescriptor,
    ) -> Message:
        scope = asyncio.timeout_at(deadline)
        try:
            async with scope:
                response = handler(request, context)
                if inspect.isawaitable(response):
                    response = await response
        except Aborted as aborted:
            raise RpcStatusError(aborted.status) from None
        except TimeoutError:
            if not scope.expired():
                raise RpcStatusError(self._crashed(context, method)) from None
            raise RpcStatusError(_deadline_exceeded()) from None
        except Exception:
            raise RpcStatusError(self._crashed(context, method)) from None
        failed = context.status()
        if failed is not None:
            raise RpcStatusError(failed)
        if _is_response(response, method):
            return response
        logger.error(
            "%s returned %s, not a %s",
            method.full_name,
            type(response).__name__,
            method.output_type.full_name,
        )
        raise RpcStatusError(_internal())

    @staticmethod
    def _crashed(context: InProcessContext, method: MethodDescriptor) -> status_pb2.Status:
        # Like grpc: log it, keep a code the servicer set before raising (the generated base
        # class sets UNIMPLEMENTED), and never send the exception's text.
        logger.exception("unexpected exception in %s", method.full_name)
        failed = context.status()
        if failed is not None:
            return status_from_call(failed.code, "Internal error", ())
        return _internal()
