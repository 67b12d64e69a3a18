"""Group commit: concurrent calls that each need a short write share one transaction.

A write transaction costs a trip to the database thread pool, a connection checkout,
BEGIN and COMMIT, whatever it writes; on SQLite writers also queue for the one write
lock. Under load, `GroupCommit` collects the calls that arrive while a transaction
is running and runs them together in the next one, so that cost is paid once per
batch instead of once per call. A call that arrives when nothing is running starts
a batch of one at once: an idle service adds no delay.

Each call's function runs in the batch's transaction with the other calls', inside
a savepoint of its own: whatever it raises (a client's mistake, or data the engine
refuses), its savepoint is rolled back, that call alone fails and the others
commit. No call ever fails for another's data. Only a failure of the transaction
itself (the connection lost, the commit refused, a savepoint that cannot be
rolled back) fails every call in the batch, as it would have failed a transaction
of its own.

A call's function must leave its deferred work (see `scope`) only once it cannot
fail any more: its last step.

`order`, when given, sorts the calls of a batch before they run (results still go
to their own callers): calls that lock shared rows (idempotency keys) then take
those locks in the same order in every batch, so two batches cannot deadlock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from worlds.core.errors import WorldsError
from worlds.store.engine import Database

I = TypeVar("I")  # noqa: E741
R = TypeVar("R")

log = logging.getLogger(__name__)


class GroupCommit(Generic[I, R]):
    def __init__(self, db: Database, run_one: Callable[[Connection, I], R], *,
                 scope: Callable[[Connection], AbstractContextManager[Any]] | None = None,
                 max_batch: int = 64, order: Callable[[I], Any] | None = None) -> None:
        """`scope(conn)`, when given, wraps each batch's calls inside its transaction:
        what the calls leave for the end of the batch is written as it exits."""
        self._db = db
        self._run_one = run_one
        self._scope = scope or (lambda conn: contextlib.nullcontext())
        self._max_batch = max_batch
        self._order = order
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
                        # No error: the outcome holds run_one's result (an R, not None).
                        future.set_result(result)  # type: ignore[arg-type]
        finally:
            self._draining = None

    def _run_batch(self, conn: Connection, items: list[I]) -> list[tuple[R | None, Exception | None]]:
        outcomes: list[tuple[R | None, Exception | None]] = [(None, None)] * len(items)
        positions = list(range(len(items)))
        if self._order is not None:
            order = self._order
            positions.sort(key=lambda i: order(items[i]))
        with self._scope(conn):
            for i in positions:
                savepoint = conn.begin_nested()
                try:
                    result = self._run_one(conn, items[i])
                except WorldsError as exc:
                    savepoint.rollback()
                    outcomes[i] = (None, exc)
                except SQLAlchemyError as exc:
                    # Rolling back to the savepoint keeps the others' work; if even that
                    # fails, the transaction is gone and the whole batch fails below.
                    savepoint.rollback()
                    log.warning("a group-committed write failed alone: %s", exc.__class__.__name__)
                    outcomes[i] = (None, exc)
                else:
                    savepoint.commit()
                    outcomes[i] = (result, None)
        return outcomes
