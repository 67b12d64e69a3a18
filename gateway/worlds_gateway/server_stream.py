"""A server stream as the gateway reads it: a bounded hand-off from the task running the call.

Both backends run a server-streaming call in a task of its own, the *producer* (the servicer's
generator in-process, the ``grpc.aio`` call's reader over a channel), which hands messages to
a :class:`ServerStream`. The endpoint is the only consumer::

    await stream.started()      # headers or a first message came, or the call ended
    async for message in stream: ...
    await stream.aclose()       # always: cancels the producer if it still runs

Why a task and a hand-off rather than iterating the servicer inline: the call must keep its
own deadline and be cancellable as a whole when the HTTP client leaves, exactly as grpc runs a
handler in its own task; and the endpoint needs to wait for "started" (the call's initial
metadata) without pulling a message.

Backpressure: the producer may run at most ``buffer`` messages ahead of the consumer; past
that, ``put`` waits (gRPC's flow control plays this part over a channel). A slow HTTP client
therefore slows only its own call.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from google.protobuf.message import Message
from google.rpc import status_pb2

from .errors import RpcStatusError


class _End:
    __slots__ = ("status",)

    def __init__(self, status: status_pb2.Status | None) -> None:
        self.status = status


class ServerStream:
    """Messages of one server-streaming call, then its end (OK, or a failed Status).

    Iterating raises :class:`RpcStatusError` when the call failed; a failure before the first
    message is also raised by :meth:`started`.
    """

    def __init__(self, *, buffer: int = 1) -> None:
        self._items: deque[Message | _End] = deque()
        self._ready = asyncio.Event()
        self._slots = asyncio.Semaphore(buffer)
        self._started = asyncio.Event()
        self._producer: Coroutine[Any, Any, None] | None = None
        self._on_cancel: Callable[[], None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._ended = False
        self.received = 0
        """Messages handed to the consumer so far."""

    @classmethod
    def failed(cls, status: status_pb2.Status) -> ServerStream:
        """A stream that ends with ``status`` before any message (nothing runs)."""
        stream = cls()
        stream.end(status)
        return stream

    def attach(
        self, producer: Coroutine[Any, Any, None], on_cancel: Callable[[], None] | None = None
    ) -> None:
        """The coroutine that runs the call and feeds this stream; started on first use.

        ``on_cancel`` runs just before :meth:`aclose` cancels a producer still running.
        """
        self._producer = producer
        self._on_cancel = on_cancel

    # -- producer side
    async def put(self, message: Message) -> None:
        """Hand over one message; waits while the consumer is ``buffer`` messages behind."""
        await self._slots.acquire()
        self._items.append(message)
        self._ready.set()
        self._started.set()

    def mark_started(self) -> None:
        """The call sent its initial metadata: it was accepted, messages may follow later."""
        self._started.set()

    def end(self, status: status_pb2.Status | None = None) -> None:
        """The call ended: OK (None) or with ``status``. Only the first end counts."""
        if self._ended:
            return
        self._ended = True
        self._items.append(_End(status))
        self._ready.set()
        self._started.set()

    # -- consumer side
    def _start(self) -> None:
        if self._producer is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._producer)

    async def started(self) -> None:
        """Wait until the call sent headers or a message, or ended.

        Raises :class:`RpcStatusError` when, by then, it has failed without any message: that
        failure can still be answered with its own HTTP status.
        """
        self._start()
        await self._started.wait()
        head = self._items[0] if self._items else None
        if isinstance(head, _End) and head.status is not None:
            raise RpcStatusError(head.status)

    def __aiter__(self) -> ServerStream:
        return self

    async def __anext__(self) -> Message:
        self._start()
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        item = self._items[0]
        if isinstance(item, _End):
            if item.status is not None:
                raise RpcStatusError(item.status)
            raise StopAsyncIteration
        self._items.popleft()
        self._slots.release()
        self.received += 1
        return item

    async def aclose(self) -> None:
        """Stop the call if it still runs (the client went away) and wait until it has."""
        if self._task is None:
            if self._producer is not None:
                self._producer.close()  # never started: nothing to cancel
                self._producer = None
            return
        if not self._task.done():
            if self._on_cancel is not None:
                self._on_cancel()
            self._task.cancel()
        await asyncio.wait({self._task})
        if not self._task.cancelled():
            # The producers report failures through end(); retrieve anything else so that
            # asyncio does not log it a second time as "never retrieved".
            self._task.exception()
