"""Closed-loop load generators for the benchmarks: N concurrent callers for a fixed time.

The HTTP client is a minimal keep-alive HTTP/1.1 client on asyncio streams: a
general-purpose client (httpx) costs more CPU per request than the server under
test, and would measure itself instead.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies)


async def closed_loop(call: Callable[[], Awaitable[bool]], *, concurrency: int,
                      seconds: float, warmup: float = 1.0) -> Result:
    """Run `call` from `concurrency` callers; count successes after a warm-up."""
    stop_at = time.perf_counter() + warmup + seconds
    measure_from = time.perf_counter() + warmup
    latencies: list[float] = []
    errors = 0

    async def caller() -> None:
        nonlocal errors
        while True:
            start = time.perf_counter()
            if start >= stop_at:
                return
            ok = await call()
            end = time.perf_counter()
            if start >= measure_from:
                if ok:
                    latencies.append(end - start)
                else:
                    errors += 1

    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return Result(len(latencies), errors, seconds, latencies)


class HttpConnection:
    """One keep-alive HTTP/1.1 connection that sends a request and reads the response."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str],
                      body: bytes = b"") -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self._reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self._reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        payload = await self._reader.readexactly(length)
        return status, payload

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
