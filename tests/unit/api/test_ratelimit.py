"""The token bucket on a manual clock: burst, refill, the wait it reports, bounded memory."""

from __future__ import annotations

import pytest

from worlds.api.ratelimit import RateLimiter, default_burst
from worlds.api.version_gate import client_versions, parse_minimums


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(4.0, 2, clock=clock)
    assert limiter.acquire("a") is None
    assert limiter.acquire("a") is None
    assert limiter.acquire("a") == pytest.approx(0.25)
    clock.now += 0.1
    assert limiter.acquire("a") == pytest.approx(0.15)
    clock.now += 0.15
    assert limiter.acquire("a") is None
    assert limiter.acquire("b") is None  # its own bucket
    clock.now += 60
    assert [limiter.acquire("a") for _ in range(3)][:2] == [None, None]  # capped at the burst


def test_memory_stays_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(1.0, 1, clock=clock, max_buckets=10)
    for i in range(100):
        limiter.acquire(str(i))
    assert len(limiter._buckets) <= 10


def test_defaults_and_bad_settings() -> None:
    assert default_burst(0.1) == 1 and default_burst(10) == 20
    with pytest.raises(ValueError):
        RateLimiter(0, 1)


def test_version_parsing() -> None:
    assert client_versions([("user-agent", "worlds/0.3.1 grpc-python/1.85.1 (linux; chttp2)")]) == {
        "worlds": "0.3.1"}
    assert client_versions([("grpcgateway-user-agent", "app (dreadnode-sdk/2.0; x)")]) == {
        "dreadnode-sdk": "2.0"}
    assert client_versions([("user-agent", "myworlds/9.0 worlds-client/1.2")]) == {}
    assert set(parse_minimums(["worlds=0.2.0,dreadnode-sdk=1.2"])) == {"worlds", "dreadnode-sdk"}
    for bad in ("worlds", "other=1.0", "worlds=x.y"):
        with pytest.raises(ValueError):
            parse_minimums([bad])
