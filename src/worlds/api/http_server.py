"""Serving an ASGI app with uvicorn inside an event loop the caller owns."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

from worlds.api.http_edge import EdgeLimits, edge_protocol
from worlds.config import AddressInUse, split_address


class _EmbeddedServer(uvicorn.Server):
    # The process's signal handling belongs to the CLI, which stops every part in order.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def _wait_tasks_to_complete(self) -> None:
        # In-flight requests get the graceful timeout; idle kept-alive connections have
        # nothing left to send and must not hold the stop up (uvicorn waits for every
        # connection to close, which a client that keeps its connection never does).
        while self.server_state.tasks and not self.force_exit:
            await asyncio.sleep(0.05)
        for connection in list(self.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.close()


class HttpServer:
    """`app` on `address`, behind the bounded edge (`worlds.api.http_edge`). A stop lets
    in-flight requests finish for up to `grace` seconds."""

    def __init__(self, app: ASGIApp, address: str, *, limits: EdgeLimits | None = None,
                 grace: float = 10.0, flag: str = "--http-address") -> None:
        host, port = split_address(address)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP, not the default proto=0: asyncio sets TCP_NODELAY on accepted
        # connections only for sockets whose proto says TCP, and without it uvicorn's two
        # writes per response (head, body) wait ~40 ms for the peer's delayed ACK (Nagle).
        self._socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((host, port))
        except OSError as exc:
            self._socket.close()
            if exc.errno == errno.EADDRINUSE:
                raise AddressInUse("REST", address, flag) from None
            raise
        self.port: int = self._socket.getsockname()[1]
        limits = limits or EdgeLimits()
        config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False,
                                timeout_graceful_shutdown=max(1, round(grace)),
                                http=edge_protocol(limits),
                                # h11's own bound stays above ours, so ours answers (431).
                                h11_max_incomplete_event_size=2 * limits.max_head_bytes + 1024)
        self._server = _EmbeddedServer(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._server.serve([self._socket]))
        while not self._server.started:
            if self._task.done():
                await self._task  # re-raises why it could not start
                raise RuntimeError("HTTP server stopped during start-up")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
        self._socket.close()
