"""What every call passes before its RPC runs: the version gate, then the rate limit.

`Admission.check` runs once per call at the servicer's error boundary
(`worlds.api.boundary`), so it applies alike to gRPC calls and to REST requests the
gateway dispatches in-process, and a watch stream is admitted once, when it opens.
An older client is refused before it spends a token.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from worlds.api.auth import key_from_metadata
from worlds.api.ratelimit import RateLimiter
from worlds.api.version_gate import VersionGate
from worlds.core import access
from worlds.core.errors import RateLimited, WorldsError


def _presented_key(metadata: Iterable[tuple[str, str | bytes]]) -> str | None:
    try:
        return key_from_metadata(metadata)
    except WorldsError:
        return None  # no usable key: the RPC's own check answers that


@dataclass(frozen=True)
class Admission:
    limiter: RateLimiter | None = None
    gate: VersionGate | None = None

    def check(self, metadata: Iterable[tuple[str, str | bytes]]) -> None:
        """Raise UpgradeRequired or RateLimited, or return: the call may run."""
        pairs = tuple(metadata)
        if self.gate is not None:
            self.gate.check(pairs)
        if self.limiter is None:
            return
        key = _presented_key(pairs)
        if key is None:
            return
        wait = self.limiter.acquire(access.hash_key(key))
        if wait is not None:
            raise RateLimited(f"Rate limit of {self.limiter.rate:g} requests per second for "
                              f"this API key exceeded; retry in {wait:.2f} s", wait)
