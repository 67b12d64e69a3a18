"""One lifecycle for the background services of a process (the rescuer, the job
listener, the watchers' event hub), after River's `baseservice`/`startstop`.

A service is a `BackgroundService` subclass with a config dataclass of defaults and
a `run()` loop. `start()` runs the loop in a task; `stop()` ends it. The contract:

- `stop()` always returns, within `stop_timeout` seconds, whatever the loop is
  doing: it sets a stop flag, cancels the task, and awaits it with a bound (never
  an unbounded `await task`).
- The loop cannot lose a stop. It waits only through `sleep()` and `wait()`, which
  return False once stopping, and it checks `stopping` after every wake-up. They
  are built on `asyncio.wait`, which, unlike `asyncio.wait_for` on Python 3.11,
  never swallows a cancellation that lands in the same loop step as the wake-up
  it was waiting for (the cause of shutdowns that hung under load).
- `clock` is the service's time source: pinned in tests, the system clock otherwise.
- A loop that raises is logged and restarted after `restart_delay`; it never dies
  silently while the process keeps running.
"""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar

from worlds.core.clock import Clock, system_clock

log = logging.getLogger(__name__)


async def wait_event(event: asyncio.Event, timeout: float | None) -> bool:
    """Wait until `event` is set or `timeout` passes; True when it is set.

    Cancellation-safe: a cancel of the caller always propagates, even when it lands
    in the same loop step as the event (`asyncio.wait_for` may return the result and
    drop the cancel there, on Python 3.11)."""
    if event.is_set():
        return True
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait((waiter,), timeout=timeout)
    finally:
        waiter.cancel()
    return event.is_set()


class BackgroundService:
    """The shape every background service shares; subclasses implement `run()`."""

    name: ClassVar[str] = "worlds-service"
    # How long `stop()` waits for the loop to end after cancelling it.
    stop_timeout: ClassVar[float] = 5.0
    restart_delay: ClassVar[float] = 1.0

    def __init__(self, *, clock: Clock = system_clock) -> None:
        self.clock = clock
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._stopped = False
        self._starting = asyncio.Lock()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    async def start(self) -> None:
        """Start the loop (once; a started or stopped service ignores it)."""
        if self._task is not None or self._stopped:
            return
        async with self._starting:
            if self._task is None and not self._stopped:
                await self.prepare()
                self._task = asyncio.get_running_loop().create_task(self._supervise(),
                                                                    name=self.name)

    async def prepare(self) -> None:
        """Set-up before the loop starts (e.g. reading a starting position)."""

    async def run(self) -> None:
        """The service's loop: until `stopping`, waiting only through `sleep`/`wait`."""
        raise NotImplementedError

    async def stop(self) -> None:
        """End the loop: at once if it is waiting, within `stop_timeout` otherwise."""
        self._stopped = True
        self._stop.set()
        task, self._task = self._task, None
        if task is None or task.done():
            return
        task.cancel()
        await asyncio.wait((task,), timeout=self.stop_timeout)
        if not task.done():
            log.error("%s did not stop within %.1f s; leaving it behind", self.name,
                      self.stop_timeout)
        elif not task.cancelled() and task.exception() is not None:
            log.warning("%s ended with an error", self.name, exc_info=task.exception())

    async def sleep(self, seconds: float) -> bool:
        """Sleep up to `seconds`; False (at once) when the service is stopping."""
        await wait_event(self._stop, seconds)
        return not self.stopping

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        """Wait for `event`, `timeout` or a stop, whichever is first; False when stopping."""
        if not self.stopping and not event.is_set():
            stop = asyncio.ensure_future(self._stop.wait())
            woken = asyncio.ensure_future(event.wait())
            try:
                await asyncio.wait((stop, woken), timeout=timeout,
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                stop.cancel()
                woken.cancel()
        return not self.stopping

    async def _supervise(self) -> None:
        while not self.stopping:
            try:
                await self.run()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s failed; restarting it", self.name)
                if not await self.sleep(self.restart_delay):
                    return
