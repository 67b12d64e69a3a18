"""Manifests' worlds as the sampler sees them, for the API's own needs: resolving a
trajectory job's goal at create time (a goal naming nothing is 422, before anything is
enqueued) and serving the command catalog with the world's real names.

Both need the sampler's index of the whole world (`worlds.sampler.prepare`), which
costs a read of every chunk and seconds of CPU on an enterprise world. So results
are cached per manifest (a manifest never changes): the catalog, and each goal's
resolution. The index itself is kept for the most recent manifest only, and only
when its world is small; loads run off the event loop, one at a time per manifest.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

from sqlalchemy import Row

from worlds import sampler
from worlds.core.errors import FieldViolation, InvalidArgument
from worlds.store import manifests as manifest_store
from worlds.store.artifacts import decode_world
from worlds.store.engine import Database


class WorldViews:
    def __init__(self, db: Database, *, keep_index_below: int = 200_000,
                 cached_results: int = 512) -> None:
        self._db = db
        self._keep_index_below = keep_index_below
        self._cached_results = cached_results
        self._results: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._index: tuple[str, sampler.WorldIndex] | None = None
        self._loading: dict[str, asyncio.Lock] = {}

    async def goal_spec(self, manifest: Row[Any], goal: str) -> dict[str, Any]:
        """The goal as the sampler resolves it in this manifest's world. Raises
        InvalidArgument on `goal`, listing the accepted forms, when it names nothing."""
        found = await self._cached(manifest, ("goal", goal), lambda ix: _resolve(ix, goal))
        if isinstance(found, sampler.GoalError):
            raise InvalidArgument([FieldViolation("goal", str(found), "goal")])
        return dict(found)

    async def catalog(self, manifest: Row[Any]) -> list[dict[str, Any]]:
        """The sampler's command catalog with examples against this manifest's world."""
        found = await self._cached(manifest, ("catalog", ""), sampler.catalog_for_world)
        return list(found)

    async def _cached(self, manifest: Row[Any], what: tuple[str, str], compute: Any) -> Any:
        key = (manifest.id, "\0".join(what))
        if key in self._results:
            self._results.move_to_end(key)
            return self._results[key]
        index = await self._world_index(manifest)
        value = await asyncio.to_thread(compute, index)
        self._results[key] = value
        while len(self._results) > self._cached_results:
            self._results.popitem(last=False)
        return value

    async def _world_index(self, manifest: Row[Any]) -> sampler.WorldIndex:
        lock = self._loading.setdefault(manifest.id, asyncio.Lock())
        async with lock:
            if self._index is not None and self._index[0] == manifest.id:
                return self._index[1]
            parts = await self._db.read(manifest_store.read_world_chunks, manifest.id)
            index, size = await asyncio.to_thread(_prepare, parts, int(manifest.seed))
            self._index = (manifest.id, index) if size < self._keep_index_below else None
        self._loading.pop(manifest.id, None)
        return index


def _prepare(parts: list[Any], seed: int) -> tuple[sampler.WorldIndex, int]:
    world = decode_world(parts, seed)
    # freeze_gc=False: this is the long-lived API process (a frozen collector would keep
    # whatever is garbage now for ever).
    return sampler.prepare(world, freeze_gc=False), len(world["nodes"]) + len(world["edges"])


def _resolve(index: sampler.WorldIndex, goal: str) -> dict[str, Any] | sampler.GoalError:
    try:
        return sampler.resolve_goal(index, goal).to_dict()
    except sampler.GoalError as exc:
        return exc
