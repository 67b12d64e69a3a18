"""Drive one HTTP request through an ASGI app by hand, for streams.

httpx's ``ASGITransport`` collects the whole response before returning it, so it can neither
show a stream as it is sent nor leave half-way. :class:`AsgiStream` is the minimal ASGI server
side for one request: it records every message the app sends, as it sends it, and delivers
``http.disconnect`` when the test says the client left.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit


class AsgiStream:
    """One request in flight; ``await start()``, read, ``disconnect()``, ``await finished()``."""

    def __init__(self, app: Any, method: str, url: str, headers: dict[str, str] | None = None,
                 body: bytes = b"") -> None:
        parts = urlsplit(url)
        self.app = app
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": parts.path,
            "raw_path": parts.path.encode(),
            "query_string": parts.query.encode(),
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
            "client": ("203.0.113.7", 50312),
            "server": ("gateway.test", 80),
        }
        self._body = body
        self._requested = False
        self._gone = asyncio.Event()
        self._sent: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []
        self.complete = False

    async def _receive(self) -> dict[str, Any]:
        if not self._requested:
            self._requested = True
            return {"type": "http.request", "body": self._body, "more_body": False}
        await self._gone.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        if self._gone.is_set():
            raise OSError("client disconnected")  # what an ASGI 2.4 server may do
        await self._sent.put(message)

    async def start(self, timeout: float = 5.0) -> AsgiStream:
        """Run the app until it has sent its response headers."""
        self.task = asyncio.ensure_future(self.app(self.scope, self._receive, self._send))
        message = await asyncio.wait_for(self._sent.get(), timeout)
        assert message["type"] == "http.response.start", message
        self.status = message["status"]
        self.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        return self

    async def next_chunk(self, timeout: float = 5.0) -> bytes | None:
        """The next body chunk the app sends, or None once the body is complete."""
        if self.complete:
            return None
        message = await asyncio.wait_for(self._sent.get(), timeout)
        assert message["type"] == "http.response.body", message
        chunk = message.get("body", b"")
        self.chunks.append(chunk)
        if not message.get("more_body", False):
            self.complete = True
        return chunk

    async def read_all(self, timeout: float = 5.0) -> bytes:
        while await self.next_chunk(timeout) is not None:
            pass
        return b"".join(self.chunks)

    def disconnect(self) -> None:
        self._gone.set()

    async def finished(self, timeout: float = 5.0) -> None:
        """Wait for the app to return (after ``disconnect()`` it must do so promptly)."""
        assert self.task is not None
        await asyncio.wait_for(self.task, timeout)


def parse_sse(raw: bytes) -> list[dict[str, Any]]:
    """Server-sent events as the WHATWG parser sees them, comments included.

    Each item is ``{"comment": …}`` or an event ``{"id", "event", "data"}`` (``id`` only when
    the block set one; ``event`` defaults to ``"message"``).
    """
    items: list[dict[str, Any]] = []
    block: dict[str, Any] = {}
    data: list[str] = []
    for line in raw.decode().split("\n"):
        if line == "":
            if data or "id" in block:
                item = dict(block)
                if data:
                    item["data"] = "\n".join(data)
                    item.setdefault("event", "message")
                items.append(item)
            block, data = {}, []
        elif line.startswith(":"):
            items.append({"comment": line[1:].strip()})
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data.append(value)
            elif name in ("id", "event", "retry"):
                block[name] = value
            else:
                raise AssertionError(f"unknown SSE field {name!r}")
    assert not block and not data, "the stream must end with a blank line"
    return items
