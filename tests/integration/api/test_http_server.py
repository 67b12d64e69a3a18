"""The HTTP listener on a real socket."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from worlds.api.http_server import HttpServer


async def _ok(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def test_accepted_connections_have_tcp_nodelay() -> None:
    # Without TCP_NODELAY a response's head and body writes wait for the client's delayed
    # ACK (~40 ms per request): the stall is invisible under concurrent load.
    asyncio.run(_accepted_connections_have_tcp_nodelay())


async def _accepted_connections_have_tcp_nodelay() -> None:
    server = HttpServer(_ok, "127.0.0.1:0")
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        await writer.drain()
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        connections = list(server._server.server_state.connections)
        assert len(connections) == 1
        accepted: socket.socket = connections[0].transport.get_extra_info("socket")
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        writer.close()
        await writer.wait_closed()
    finally:
        await server.stop()
