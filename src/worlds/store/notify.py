"""Waking workers: in-process signals, fed by the servicer and by PostgreSQL LISTEN.

`JobSignals` is the one place a worker learns that a job was queued or that a
running job's cancel was requested, and the watchers' event hub that another
process changed a job. In the all-in-one server the servicer calls
it directly after its transaction commits; across processes `PgListener` turns
NOTIFYs on `worlds_jobs` (sent in the same transactions, see
`worlds.store.queue.announce`) into the same calls.

Notifications only shorten waits; they are never the source of truth. A worker
still polls (a lost NOTIFY, a listener that is reconnecting, or SQLite across
processes all converge through the poll), and it re-reads the job before acting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from worlds.core.service import BackgroundService, wait_event
from worlds.store import queue as queue_store

log = logging.getLogger(__name__)

# How the listener's connection shows in pg_stat_activity.
APPLICATION_NAME = "worlds-job-listener"


class JobSignals:
    """In-process fan-out of "a job was queued" and "cancel job X". Loop-bound:
    call it from the event loop's thread."""

    def __init__(self) -> None:
        self._queued = asyncio.Event()
        self._cancels: dict[str, set[asyncio.Event]] = {}
        self._change_listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` on every notification from another process: each one means
        a job changed there (and its event is in the log)."""
        self._change_listeners.append(listener)

    def job_queued(self, job_id: str | None = None) -> None:
        self._queued.set()

    def cancel_requested(self, job_id: str) -> None:
        for event in self._cancels.get(job_id, ()):
            event.set()

    def dispatch(self, payload: str) -> None:
        """Act on a notification payload (`<event>:<job id>`)."""
        event, job_id = queue_store.parse_payload(payload)
        if event == queue_store.QUEUED:
            self.job_queued(job_id)
        elif event == queue_store.CANCEL:
            self.cancel_requested(job_id)
        for listener in self._change_listeners:
            listener()

    def reset_queued(self) -> None:
        """Forget earlier wakeups; call before looking for work. A job queued after
        this call sets the signal again, so none is missed between look and wait."""
        self._queued.clear()

    async def wait_queued(self, timeout: float) -> bool:
        """Wait until a job is queued or `timeout` passes; True when woken. A cancel of
        the caller always propagates (see `worlds.core.service.wait_event`)."""
        return await wait_event(self._queued, timeout)

    @contextlib.contextmanager
    def cancel_watch(self, job_id: str) -> Iterator[asyncio.Event]:
        """An event set when a cancel of `job_id` is signalled, while the block runs."""
        event = asyncio.Event()
        self._cancels.setdefault(job_id, set()).add(event)
        try:
            yield event
        finally:
            watchers = self._cancels.get(job_id)
            if watchers is not None:
                watchers.discard(event)
                if not watchers:
                    del self._cancels[job_id]


def libpq_conninfo(engine: Engine) -> str:
    """The engine's URL as psycopg connects to it (no SQLAlchemy driver suffix)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass(frozen=True)
class ListenerConfig:
    # Seconds without a notification after which the connection is checked.
    health_interval: float = 15.0
    # How long `start` waits for the first LISTEN (polling covers a failure).
    start_timeout: float = 5.0
    # Reconnect backoff: first and longest wait.
    backoff: float = 0.5
    max_backoff: float = 10.0


class PgListener(BackgroundService):
    """LISTEN on a dedicated connection (not the pool: a pooled connection would be
    handed to other work, and PgBouncer in transaction mode breaks LISTEN) and
    feed `JobSignals`. Reconnects with backoff; after each (re)connect it wakes the
    worker, since notifications sent while it was away are lost. Every
    `health_interval` seconds without a notification it checks the connection."""

    name = "worlds-pg-listener"

    def __init__(self, conninfo: str, signals: JobSignals, config: ListenerConfig | None = None,
                 *, health_interval: float | None = None) -> None:
        super().__init__()
        config = config or ListenerConfig()
        if health_interval is not None:
            config = replace(config, health_interval=health_interval)
        self.config = config
        self._conninfo = conninfo
        self._signals = signals
        self._listening = asyncio.Event()
        self.healthy = False
        # Successful LISTENs so far: more than one means it reconnected.
        self.connections = 0

    async def start(self) -> None:
        """Start listening; waits (up to `start_timeout`) for the first LISTEN to
        succeed, so a job created right after start is not missed."""
        await super().start()
        await wait_event(self._listening, self.config.start_timeout)

    async def run(self) -> None:
        import psycopg

        backoff = self.config.backoff
        while not self.stopping:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, application_name=APPLICATION_NAME)
                async with conn:
                    await conn.execute(f"LISTEN {queue_store.CHANNEL}")
                    self.healthy, backoff = True, self.config.backoff
                    self.connections += 1
                    self._listening.set()
                    # Whatever was sent while it was away is lost: look now.
                    self._signals.job_queued()
                    self._signals.dispatch(f"{queue_store.CHANGED}:")
                    while not self.stopping:
                        async for notice in conn.notifies(timeout=self.config.health_interval):
                            self._signals.dispatch(notice.payload)
                        await conn.execute("SELECT 1")
            except asyncio.CancelledError:
                self.healthy = False
                raise
            except Exception as exc:
                self.healthy = False
                log.warning("job listener lost its connection (%s); polling until it is back",
                            exc.__class__.__name__)
                if not await self.sleep(backoff):
                    return
                backoff = min(backoff * 2, self.config.max_backoff)
            self.healthy = False
