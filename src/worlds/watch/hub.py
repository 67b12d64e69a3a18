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
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from worlds.core.clock import Clock, system_clock
from worlds.core.service import BackgroundService
from worlds.store import events
from worlds.store.engine import Database

log = logging.getLogger(__name__)

# How early a heartbeat may be sent to share a wake-up with others due about then.
_BEAT_SLACK = 0.005

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
        self._buffer = buffer
        self._events: deque[events.Event] = deque()
        # What `next` awaits: resolved by an offered event, the heartbeat deadline or a
        # shutdown, whichever comes first.
        self._waiter: asyncio.Future[None] | None = None
        self._hub = hub

    def offer(self, event: events.Event) -> None:
        if event.job["workspace_id"] != self.workspace_id:
            return
        if self.job_id is not None and event.job["id"] != self.job_id:
            return
        if self.accept is not None and not self.accept(event):
            return
        if len(self._events) >= self._buffer:
            self.lagged = True
            return
        self._events.append(event)
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next(self, timeout: float) -> list[events.Event]:
        """The buffered events, waiting up to `timeout` for the first; [] on timeout or
        once the subscription is closed (see `closed`).

        One future per wait, and the deadline kept by the hub's one heartbeat timer: a
        task, two futures and a timer per wait and per watcher made the event loop's
        timer heap the largest cost of a change fanned out to a thousand watchers."""
        if not self._events and not self.closed:
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            self._hub._sleep(self, timeout)
            try:
                await waiter
            finally:
                self._waiter = None
                self._hub._awake(self)
        found = list(self._events)
        self._events.clear()
        return found

    def drain_lag(self) -> bool:
        """True once if events were dropped; the buffer is emptied so the caller
        can re-read from the log without duplicates piling up."""
        if not self.lagged:
            return False
        self.lagged = False
        self._events.clear()
        return True

    def close(self) -> None:
        self._hub._subscriptions.discard(self)

    def _shut(self) -> None:
        self.closed = True
        self._wake()


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
        # Waiting subscriptions and when their heartbeat is due (loop time), served by
        # one timer set for the earliest (see `_sleep`).
        self._sleepers: dict[Subscription, float] = {}
        self._timer: asyncio.TimerHandle | None = None

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
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await super().stop()

    def wake(self) -> None:
        """Something was committed: read the log now rather than at the next poll."""
        self._wake.set()

    def _sleep(self, subscription: Subscription, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time() + timeout
        self._sleepers[subscription] = due
        if self._timer is None or self._timer.when() > due:
            self._arm(loop, due)

    def _awake(self, subscription: Subscription) -> None:
        self._sleepers.pop(subscription, None)

    def _arm(self, loop: asyncio.AbstractEventLoop, due: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(due, self._beat)

    def _beat(self) -> None:
        """Wake the subscriptions whose heartbeat is due (within a few ms, so that the
        watchers of one moment share a beat), and set the timer for the next."""
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time() + _BEAT_SLACK
        later = None
        for subscription, due in tuple(self._sleepers.items()):
            if due <= now:
                del self._sleepers[subscription]
                subscription._wake()
            elif later is None or due < later:
                later = due
        if later is not None:
            self._arm(loop, later)

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
