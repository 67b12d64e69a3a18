"""What the inspection reads build from a whole manifest, kept per process.

A manifest never changes, so its principal index, in-memory graph and overview are built
at most once per process and manifest, and kept for the `capacity` most recently used
manifests (an enterprise world's graph holds a few tens of MB). Builds run on the
database threads; a second request for a part being built waits for the first build
instead of repeating it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_CAPACITY = 4


class WorldCache:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str], threading.Lock] = {}

    def get(self, manifest_id: str, part: str, build: Callable[[], T]) -> T:
        """The manifest's `part`, built by `build()` the first time it is asked for."""
        key = (manifest_id, part)
        with self._lock:
            found = self._lookup(manifest_id, part)
            if found is not None:
                return found  # type: ignore[no-any-return]
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                found = self._lookup(manifest_id, part)
                if found is not None:
                    return found  # type: ignore[no-any-return]
            value = build()
            with self._lock:
                self._entries.setdefault(manifest_id, {})[part] = value
                self._entries.move_to_end(manifest_id)
                while len(self._entries) > self._capacity:
                    self._entries.popitem(last=False)
                self._building.pop(key, None)
            return value

    def _lookup(self, manifest_id: str, part: str) -> Any:
        entry = self._entries.get(manifest_id)
        if entry is None or part not in entry:
            return None
        self._entries.move_to_end(manifest_id)
        return entry[part]
