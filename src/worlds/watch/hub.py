"""Fan-out of job events to the watchers of this process.

One `EventHub` per process tails the event log (`worlds.store.events`): it
reads the events after its cursor whenever it is woken (a commit in this
process, a NOTIFY from another) and at least every `poll_interval` seconds (the
fallback that also covers a lost notification, and SQLite across processes).
So the database sees one query per wakeup, however many watchers there are.

Each watcher holds a `Subscription` with a bounded buffer. A watcher that falls
behind never delays the hub, other watchers or the worker: when its buffer is
full, further events are dropped for it and it is marked `lagged`; it then
reads what it missed from the log itself, from its own cursor. No event is
lost, none is delivered twice (watchers skip seqs at or below their cursor).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from worlds.core.clock import Clock, system_clock
from worlds.core.service import BackgroundService
from worlds.store import events
from worlds.store.engine import Database

log = logging.getLogger(__name__)

EventFilter = Callable[[events.Event], bool]


class Subscription:
    def __init__(self, hub: EventHub, workspace_id: str, job_id: str | None,
                 accept: EventFilter | None, buffer: int) -> None:
        self.workspace_id = workspace_id
        self.job_id = job_id
        self.accept = accept
        self.lagged = False
        # Set when the hub shuts down: the watch ends and its client reconnects elsewhere.
        self.closed = False
        self._queue: asyncio.Queue[events.Event] = asyncio.Queue(maxsize=buffer)
        self._closing = asyncio.Event()
        self._hub = hub

    def offer(self, event: events.Event) -> None:
        if event.job["workspace_id"] != self.workspace_id:
            return
        if self.job_id is not None and event.job["id"] != self.job_id:
            return
        if self.accept is not None and not self.accept(event):
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.lagged = True

    async def next(self, timeout: float) -> list[events.Event]:
        """The buffered events, waiting up to `timeout` for the first; [] on timeout or
        once the subscription is closed (see `closed`)."""
        if self._queue.empty():
            getting = asyncio.ensure_future(self._queue.get())
            closing = asyncio.ensure_future(self._closing.wait())
            try:
                await asyncio.wait((getting, closing), timeout=timeout,
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                closing.cancel()
                if not getting.done():
                    getting.cancel()
            if not getting.done() or getting.cancelled():
                return []
            found = [getting.result()]
        else:
            found = []
        while not self._queue.empty():
            found.append(self._queue.get_nowait())
        return found

    def drain_lag(self) -> bool:
        """True once if events were dropped; the buffer is emptied so the caller
        can re-read from the log without duplicates piling up."""
        if not self.lagged:
            return False
        self.lagged = False
        while not self._queue.empty():
            self._queue.get_nowait()
        return True

    def close(self) -> None:
        self._hub._subscriptions.discard(self)

    def _shut(self) -> None:
        self.closed = True
        self._closing.set()


@dataclass(frozen=True)
class HubConfig:
    # The fallback read of the log, for changes no wake-up announced.
    poll_interval: float = 1.0
    # Events buffered per watcher before it is marked lagged.
    buffer: int = 256
    # Events read from the log per query.
    batch: int = 500


class EventHub(BackgroundService):
    name = "worlds-event-hub"

    def __init__(self, db: Database, config: HubConfig | None = None, *,
                 poll_interval: float | None = None, buffer: int | None = None,
                 clock: Clock = system_clock) -> None:
        super().__init__(clock=clock)
        config = config or HubConfig()
        if poll_interval is not None:
            config = replace(config, poll_interval=poll_interval)
        if buffer is not None:
            config = replace(config, buffer=buffer)
        self.config = config
        self._db = db
        self._subscriptions: set[Subscription] = set()
        self._wake = asyncio.Event()
        self._cursor = 0

    @property
    def subscribers(self) -> int:
        return len(self._subscriptions)

    @property
    def cursor(self) -> int:
        """The newest seq this hub has delivered (its distance to the log's newest is lag)."""
        return self._cursor

    async def prepare(self) -> None:
        self._cursor = await self._db.read(events.last_seq)

    async def stop(self) -> None:
        """Stop tailing and end every subscription (their watches end at once, telling
        clients to resume elsewhere), so open streams never hold up a shutdown."""
        self._stopped = True
        for subscription in tuple(self._subscriptions):
            subscription._shut()
        await super().stop()

    def wake(self) -> None:
        """Something was committed: read the log now rather than at the next poll."""
        self._wake.set()

    def subscribe(self, workspace_id: str, job_id: str | None = None,
                  accept: EventFilter | None = None) -> Subscription:
        subscription = Subscription(self, workspace_id, job_id, accept, self.config.buffer)
        if self._stopped:
            subscription._shut()
        else:
            self._subscriptions.add(subscription)
        return subscription

    async def run(self) -> None:
        while await self.wait(self._wake, self.config.poll_interval):
            self._wake.clear()
            try:
                await self._deliver()
            except Exception:
                log.warning("reading the job event log failed; retrying", exc_info=True)

    async def _deliver(self) -> None:
        while True:
            batch = await self._db.read(
                lambda conn: events.read_after(conn, self._cursor, limit=self.config.batch))
            for event in batch:
                self._cursor = event.seq
                for subscription in tuple(self._subscriptions):
                    subscription.offer(event)
            if len(batch) < self.config.batch:
                return
