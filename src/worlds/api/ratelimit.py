"""Per API key request budgets: a token bucket for each key, in this process's memory.

Each key's bucket holds up to `burst` tokens and refills at `rate` tokens per second; a
call takes one token, and a call that finds less than one is refused with the time until
the next token (the `Retry-After` of the 429, the `RetryInfo` of RESOURCE_EXHAUSTED).
A watch stream takes one token when it opens, not one per event.

Why per process and not shared through the database: a shared bucket costs a write
transaction (a row lock on the key) on every call, which would double the cost of a read
and serialise each key's calls across the fleet. Per process, N API processes behind a
load balancer admit up to N x rate per key; set `--rate-limit` to the fleet's budget
divided by N. Buckets are keyed by the key's SHA-256 (never the key), and the full ones
are dropped when there are too many, so memory stays bounded.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


def default_burst(rate: float) -> int:
    """The burst when only a rate is set: two seconds' worth, at least 1."""
    return max(1, math.ceil(2 * rate))


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets by caller identity. Thread-safe (a lock around a few float operations)."""

    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 max_buckets: int = 100_000) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._max_buckets = max_buckets
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, identity: str) -> float | None:
        """Take a token from `identity`'s bucket: None if there was one, else the seconds
        until there will be."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(identity)
            if bucket is None:
                if len(self._buckets) >= self._max_buckets:
                    self._drop_full(now)
                bucket = self._buckets[identity] = _Bucket(float(self.burst), now)
            else:
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return (1.0 - bucket.tokens) / self.rate

    def _drop_full(self, now: float) -> None:
        # A bucket that has refilled completely holds nothing a new bucket would not.
        full = [identity for identity, b in self._buckets.items()
                if b.tokens + (now - b.updated) * self.rate >= self.burst]
        for identity in full:
            del self._buckets[identity]
        if len(self._buckets) >= self._max_buckets:
            # All busy: forget the oldest half (they start again with a full bucket).
            for identity in sorted(self._buckets, key=lambda i: self._buckets[i].updated)[
                    : len(self._buckets) // 2]:
                del self._buckets[identity]
