"""Watching jobs: the event streams behind WatchJob and WatchJobs.

A watch subscribes to the process's `EventHub` *before* it reads its starting
point, so nothing committed in between is missed, and it skips every event at or
below its cursor, so nothing arrives twice. Its cursor is the event log's seq,
which is also the `event_id` (resume token) it hands out.

- Start without a token: WatchJob sends the job's current state (a SNAPSHOT
  whose event_id is the job's latest seq); WatchJobs sends a HEARTBEAT carrying
  the current position, so a client can resume from it.
- Start with a token: every logged event after it, then live ones. A token below
  the pruned horizon (it needs a pruned event) fails with FAILED_PRECONDITION, reason
  RESUME_TOKEN_EXPIRED: the client should read the job(s) again and watch anew.
- Idle streams get a HEARTBEAT every `heartbeat` seconds. A heartbeat is a
  bookmark: its event_id is the log position the watch has read through,
  including events its filter skipped, so resuming from it after pruning is
  never "expired" for events the watch would not have sent anyway.
- WatchJob ends after an event with a terminal status, and at once when it is
  resumed at or after the job's terminal event; WatchJobs runs until the client
  leaves.
- WatchJobs with a `status` filter also sends the change by which a job leaves
  that status (the job with its new status, as Kubernetes sends DELETED for an
  object that stops matching a selector), so `status=running` learns that a job
  finished.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection

from worlds.convert.jobs import job_to_proto
from worlds.core.errors import Conflict, FieldViolation, InvalidArgument, Unavailable
from worlds.store import events
from worlds.store import jobs as job_store
from worlds.store.engine import Database
from worlds.v1 import jobs_pb2
from worlds.watch.hub import EventHub, Subscription

_BACKLOG_BATCH = 500
SNAPSHOT = jobs_pb2.JOB_EVENT_TYPE_SNAPSHOT
CHANGED = jobs_pb2.JOB_EVENT_TYPE_CHANGED
HEARTBEAT = jobs_pb2.JOB_EVENT_TYPE_HEARTBEAT


# A seq is a positive 64-bit integer: at most 19 decimal digits.
_MAX_TOKEN_DIGITS = 19


def parse_token(token: str, field: str = "resume_token") -> int:
    # ASCII digits only: str.isdigit() also takes "²" and other Unicode digits,
    # which int() then refuses.
    if not (token.isascii() and token.isdigit()) or len(token) > _MAX_TOKEN_DIGITS:
        raise InvalidArgument([FieldViolation(field, "is not a token this service issued",
                                              "resume_token")])
    return int(token)


def expired(token: int) -> Conflict:
    return Conflict(
        f"Resume token {token} is too old: its events were pruned. Read the job(s) again "
        "and start a new watch.", reason="RESUME_TOKEN_EXPIRED", metadata={"resume_token": str(token)})


def shutting_down() -> Unavailable:
    return Unavailable("The server is shutting down. Watch again (on any server) with the last "
                       "event_id as resume token to continue where this stream stopped.",
                       reason="SHUTTING_DOWN")


@dataclass(frozen=True)
class Scope:
    """What a watch follows: one job, or a workspace's jobs matching a filter."""

    workspace_id: str
    job_id: str | None
    accept: Callable[[events.Event], bool] | None = None


class EventResponse(Protocol):
    """A watch RPC's response (WatchJobResponse and the like): one event."""

    @property
    def event(self) -> jobs_pb2.JobEvent: ...


def event(kind: jobs_pb2.JobEventType, cursor: int,
          job: dict[str, Any] | None = None) -> jobs_pb2.JobEvent:
    message = jobs_pb2.JobEvent(type=kind, event_id=str(cursor))
    if job is not None:
        message.job.CopyFrom(job_to_proto(job))
    return message


class Watch:
    """One watcher's stream of `wrap(event=…)` responses (WatchJobResponse and the like)."""

    def __init__(self, db: Database, hub: EventHub, scope: Scope, *, heartbeat: float,
                 wrap: Callable[..., EventResponse]) -> None:
        self._db = db
        self._hub = hub
        self._scope = scope
        self._heartbeat = heartbeat
        self._wrap = wrap

    async def stream(self, token: int | None) -> AsyncIterator[EventResponse]:
        scope = self._scope
        # A one-job watch ends with the job; a workspace watch runs until the client leaves.
        ends = _terminal if scope.job_id is not None else _never
        subscription = self._hub.subscribe(scope.workspace_id, scope.job_id, scope.accept)
        if subscription.closed:
            raise shutting_down()
        try:
            if token is None:
                # One snapshot for the job and its position: read apart, a commit in
                # between would be in neither the snapshot nor the stream.
                cursor, first = await self._db.read_snapshot(self._start)
                yield self._wrap(event=first)
                if ends(first):
                    return
            else:
                cursor = token
                if token < await self._db.read(events.horizon):
                    raise expired(token)
                async for message in self._backlog(cursor):
                    cursor = int(message.event.event_id)
                    yield message
                    if ends(message.event):
                        return
                if scope.job_id is not None and await self._db.read(self._finished_by, cursor):
                    return  # resumed at (or after) the job's terminal event
            async for message in self._live(subscription, cursor):
                yield message
                if ends(message.event):
                    return
        finally:
            subscription.close()

    def _start(self, conn: Connection) -> tuple[int, jobs_pb2.JobEvent]:
        scope = self._scope
        if scope.job_id is None:
            cursor = events.last_seq(conn)
            return cursor, event(HEARTBEAT, cursor)
        row = job_store.get_job(conn, scope.workspace_id, scope.job_id)
        assert row is not None, "the job was checked before the watch started"
        cursor = events.last_seq(conn, job_id=scope.job_id)
        return cursor, event(SNAPSHOT, cursor, dict(row._mapping))

    def _finished_by(self, conn: Connection, cursor: int) -> bool:
        """Whether the watched job is finished and its last event is at or below `cursor`."""
        scope = self._scope
        assert scope.job_id is not None
        row = job_store.get_job(conn, scope.workspace_id, scope.job_id)
        if row is None or row.status not in _TERMINAL_STATUSES:
            return False
        return events.last_seq(conn, job_id=scope.job_id) <= cursor

    async def _backlog(self, cursor: int) -> AsyncIterator[EventResponse]:
        """Logged events after `cursor` (that the scope accepts), in order, in batches."""
        accept = self._scope.accept
        while True:
            batch = await self._db.read(self._read_after, cursor)
            for found in batch:
                cursor = found.seq
                if accept is None or accept(found):
                    yield self._message(found)
            if len(batch) < _BACKLOG_BATCH:
                return

    def _read_after(self, conn: Connection, cursor: int) -> list[events.Event]:
        scope = self._scope
        return events.read_after(conn, cursor, limit=_BACKLOG_BATCH,
                                 workspace_id=scope.workspace_id, job_id=scope.job_id)

    async def _live(self, subscription: Subscription, cursor: int) -> AsyncIterator[EventResponse]:
        while True:
            delivered = await subscription.next(self._heartbeat)
            if subscription.closed:
                raise shutting_down()
            if subscription.drain_lag():
                # Events were dropped for this watcher: the log has them all.
                async for message in self._backlog(cursor):
                    cursor = int(message.event.event_id)
                    yield message
                continue
            if not delivered:
                # A bookmark: the hub has offered this watch every event up to its own
                # position, and none is waiting, so the watch has read through it.
                cursor = max(cursor, self._hub.cursor)
                yield self._wrap(event=event(HEARTBEAT, cursor))
                continue
            for found in delivered:
                if found.seq > cursor:
                    cursor = found.seq
                    yield self._message(found)

    def _message(self, found: events.Event) -> EventResponse:
        """The response for a logged event: built once, whichever watchers it goes to
        (a thousand watchers of one job cost one conversion, not a thousand)."""
        message = found.cache.get(self._wrap)
        if message is None:
            message = found.cache[self._wrap] = self._wrap(event=event(CHANGED, found.seq, found.job))
        return message


_TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled"})


def _never(message: jobs_pb2.JobEvent) -> bool:
    return False


def _terminal(message: jobs_pb2.JobEvent) -> bool:
    return message.HasField("job") and message.job.status in (
        jobs_pb2.JOB_STATUS_COMPLETED, jobs_pb2.JOB_STATUS_FAILED, jobs_pb2.JOB_STATUS_CANCELLED)
