"""`collector_paused()`: the cyclic garbage collector off for a large build.

Building or encoding a world allocates millions of small containers and makes no reference
cycles, while everything built stays alive: every full pass of the collector scans all of it
and finds nothing (a third of an enterprise generation, a third of its encoding). Reference
counting still frees garbage meanwhile. It lives here, the lowest package that needs it (the
generator imports nothing of the project); the sampler and the generation child use it too.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off inside the block, as it was (on or off) after it."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
