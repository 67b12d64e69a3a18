"""Group commit: concurrent calls that each need a short write share one transaction.

A write transaction costs a trip to the database thread pool, a connection checkout,
BEGIN and COMMIT, whatever it writes; on SQLite writers also queue for the one write
lock. Under load, `GroupCommit` collects the calls that arrive while a transaction
is running and runs them together in the next one, so that cost is paid once per
batch instead of once per call. A call that arrives when nothing is running starts
a batch of one at once: an idle service adds no delay.

Each call's function runs in the batch's transaction with the other calls'. It may
raise a `WorldsError` (a client's mistake) only *before* it writes anything: that
call alone fails and the others commit. Any other exception rolls the whole batch
back and fails every call in it, as it would have failed a transaction of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from worlds.core.errors import WorldsError
from worlds.store.engine import Database

I = TypeVar("I")  # noqa: E741
R = TypeVar("R")


class GroupCommit(Generic[I, R]):
    def __init__(self, db: Database, run_one: Callable[[Connection, I], R], *,
                 scope: Callable[[Connection], AbstractContextManager[Any]] | None = None,
                 max_batch: int = 64) -> None:
        """`scope(conn)`, when given, wraps each batch's calls inside its transaction:
        what the calls leave for the end of the batch is written as it exits."""
        self._db = db
        self._run_one = run_one
        self._scope = scope or (lambda conn: contextlib.nullcontext())
        self._max_batch = max_batch
        self._pending: list[tuple[I, asyncio.Future[R]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def submit(self, item: I) -> R:
        """Run `run_one(conn, item)` in a shared transaction; its result once committed."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._draining is None:
            self._draining = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch = self._pending[:self._max_batch]
                del self._pending[:self._max_batch]
                try:
                    outcomes = await self._db.write(self._run_batch, [item for item, _ in batch])
                except BaseException as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                for (_, future), (result, error) in zip(batch, outcomes, strict=True):
                    if future.done():  # the caller went away (cancelled)
                        continue
                    if error is not None:
                        future.set_exception(error)
                    else:
                        future.set_result(result)  # type: ignore[arg-type]
        finally:
            self._draining = None

    def _run_batch(self, conn: Connection, items: list[I]) -> list[tuple[R | None, WorldsError | None]]:
        outcomes: list[tuple[R | None, WorldsError | None]] = []
        with self._scope(conn):
            for item in items:
                try:
                    outcomes.append((self._run_one(conn, item), None))
                except WorldsError as exc:
                    outcomes.append((None, exc))
        return outcomes
