"""The real service, on real ports, in a background thread with its own event loop,
so tests can talk to it with ordinary blocking gRPC and HTTP clients."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from worlds.app import WorldsApp
from worlds.config import Settings

T = TypeVar("T")


class RunningService:
    def __init__(self, settings: Settings) -> None:
        self.app = WorldsApp(settings)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> RunningService:
        self._thread.start()
        self.call(self.app.start())
        return self

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run a coroutine on the service's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def run_db(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(conn, *args)` in a write transaction of the service's database."""
        assert self.app.db is not None
        return self.app.db.run_write(fn, *args)

    def stop(self) -> None:
        try:
            self.call(self.app.stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()

    @property
    def grpc_target(self) -> str:
        assert self.app.grpc is not None
        return f"127.0.0.1:{self.app.grpc.port}"

    @property
    def base_url(self) -> str:
        assert self.app.http is not None
        return f"http://127.0.0.1:{self.app.http.port}"
