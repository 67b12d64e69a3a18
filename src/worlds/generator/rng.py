"""Seeded random sub-streams and small deterministic helpers built on them.

Every part of the generator draws from its own `random.Random`, seeded from
sha256(seed, sub-stream name). Independent streams keep a change in one phase (say,
more hosts) from reshuffling the draws of another (the users), and sha256 rather
than `hash()` keeps the seeds independent of PYTHONHASHSEED. Only methods whose
output CPython keeps stable across releases are used: `random()`,
`getrandbits()`, and the `_randbelow`-based `randrange`/`choice`/`shuffle`.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_SEPARATOR = "\x1f"


def substream(seed: int, *names: object) -> random.Random:
    """A generator seeded from (seed, names); equal arguments give equal streams."""
    return random.Random(int.from_bytes(digest(seed, *names), "big"))


def digest(seed: int, *names: object) -> bytes:
    material = _SEPARATOR.join([str(seed), *(str(name) for name in names)])
    return hashlib.sha256(material.encode("utf-8")).digest()


def below(rng: random.Random, n: int) -> int:
    """A uniform index in [0, n), from one `random()` draw.

    For the per-account hot loops: several times cheaper than `randrange`, and as
    stable across releases as `random()` itself. (Its bias, at most n / 2**53, is
    of no consequence here.)
    """
    return int(rng.random() * n)


def token(rng: random.Random, bits: int = 96) -> str:
    """An opaque lowercase hex token (fixed width) drawn from `rng`."""
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def weighted_index(rng: random.Random, cumulative: Sequence[float]) -> int:
    """Index drawn with the weights whose running totals are `cumulative`."""
    target = rng.random() * cumulative[-1]
    low, high = 0, len(cumulative) - 1
    while low < high:
        mid = (low + high) // 2
        if cumulative[mid] > target:
            high = mid
        else:
            low = mid + 1
    return low


def cumulate(weights: Sequence[float]) -> list[float]:
    totals: list[float] = []
    running = 0.0
    for weight in weights:
        running += weight
        totals.append(running)
    return totals


def sample_upto(rng: random.Random, items: Sequence[T], count: int) -> list[T]:
    """Up to `count` distinct items, in draw order (all of them when fewer exist)."""
    if count >= len(items):
        picked = list(items)
        rng.shuffle(picked)
        return picked
    return rng.sample(items, count)


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` into integer shares proportional to `weights`.

    Each bucket first gets one unit while units last (so every domain gets a user
    and a host when there are enough), then the remainder goes by largest
    remainder, ties to the lower index. Sums to `total` exactly.
    """
    shares = [0] * len(weights)
    for i in range(min(total, len(weights))):
        shares[i] = 1
    rest = total - sum(shares)
    if rest <= 0:
        return shares
    weight_sum = sum(weights)
    exact = [rest * w / weight_sum for w in weights]
    floors = [int(x) for x in exact]
    for i, floor in enumerate(floors):
        shares[i] += floor
    leftover = rest - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:leftover]:
        shares[i] += 1
    return shares


def heavy_count(rng: random.Random, scale: float, alpha: float, cap: int) -> int:
    """A heavy-tailed count: Lomax(scale, alpha) rounded down, at most `cap`.

    Most draws are small and a few are large, as with sessions on terminal servers
    or rights held by a handful of over-privileged principals. The mean is about
    scale / (alpha - 1) for alpha > 1 (before the cap).
    """
    draw = scale * ((1.0 - rng.random()) ** (-1.0 / alpha) - 1.0)
    return cap if draw >= cap else int(draw)


def geometric_count(rng: random.Random, mean: float) -> int:
    """A count with the given mean (geometric: each further one with odds mean/(1+mean))."""
    odds = mean / (1.0 + mean)
    count = 0
    while rng.random() < odds:
        count += 1
    return count
