"""Watching jobs: the event streams behind WatchJob and WatchJobs.

A watch subscribes to the process's `EventHub` *before* it reads its starting
point, so nothing committed in between is missed, and it skips every event at or
below its cursor, so nothing arrives twice. Its cursor is the event log's seq,
which is also the `event_id` (resume token) it hands out.

- Start without a token: WatchJob sends the job's current state (a SNAPSHOT
  whose event_id is the job's latest seq); WatchJobs sends a HEARTBEAT carrying
  the current position, so a client can resume from it.
- Start with a token: every logged event after it, then live ones. A token at or
  below the pruned horizon fails with FAILED_PRECONDITION, reason
  RESUME_TOKEN_EXPIRED: the client should read the job(s) again and watch anew.
- Idle streams get a HEARTBEAT every `heartbeat` seconds.
- WatchJob ends after an event with a terminal status; WatchJobs runs until the
  client leaves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from worlds.bus import EventHub, Subscription
from worlds.convert import job_to_proto
from worlds.errors import Conflict, FieldViolation, InvalidArgument
from worlds.store import events
from worlds.store import jobs as job_store
from worlds.store.engine import Database
from worlds.v1 import jobs_pb2

_BACKLOG_BATCH = 500
SNAPSHOT = jobs_pb2.JOB_EVENT_TYPE_SNAPSHOT
CHANGED = jobs_pb2.JOB_EVENT_TYPE_CHANGED
HEARTBEAT = jobs_pb2.JOB_EVENT_TYPE_HEARTBEAT


def parse_token(token: str, field: str = "resume_token") -> int:
    if not token.isdigit():
        raise InvalidArgument([FieldViolation(field, "is not a token this service issued",
                                              "resume_token")])
    return int(token)


def expired(token: int) -> Conflict:
    return Conflict(
        f"Resume token {token} is too old: its events were pruned. Read the job(s) again "
        "and start a new watch.", reason="RESUME_TOKEN_EXPIRED", metadata={"resume_token": str(token)})


@dataclass(frozen=True)
class Scope:
    """What a watch follows: one job, or a workspace's jobs matching a filter."""

    workspace_id: str
    job_id: str | None
    accept: Callable[[events.Event], bool] | None = None


def event(kind: int, cursor: int, job: dict | None = None) -> jobs_pb2.JobEvent:
    message = jobs_pb2.JobEvent(type=kind, event_id=str(cursor))  # type: ignore[arg-type]
    if job is not None:
        message.job.CopyFrom(job_to_proto(job))
    return message


class Watch:
    def __init__(self, db: Database, hub: EventHub, scope: Scope, *, heartbeat: float) -> None:
        self._db = db
        self._hub = hub
        self._scope = scope
        self._heartbeat = heartbeat
        self._users: dict[str, tuple[str, str, str | None] | None] = {}

    async def stream(self, token: int | None) -> AsyncIterator[jobs_pb2.JobEvent]:
        scope = self._scope
        subscription = self._hub.subscribe(scope.workspace_id, scope.job_id, scope.accept)
        try:
            if token is None:
                cursor, first = await self._db.read(self._start)
                yield first
                if first.type == SNAPSHOT and _terminal(first):
                    return
            else:
                cursor = token
                if token <= await self._db.read(events.horizon):
                    raise expired(token)
                async for message in self._backlog(cursor):
                    cursor = int(message.event_id)
                    yield message
                    if _terminal(message):
                        return
            async for message in self._live(subscription, cursor):
                yield message
                if message.type == CHANGED and scope.job_id is not None and _terminal(message):
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

    async def _backlog(self, cursor: int) -> AsyncIterator[jobs_pb2.JobEvent]:
        """Logged events after `cursor`, in order, read in batches."""
        while True:
            batch = await self._db.read(self._read_after, cursor)
            for message in batch:
                cursor = int(message.event_id)
                yield message
            if len(batch) < _BACKLOG_BATCH:
                return

    def _read_after(self, conn: Connection, cursor: int) -> list[jobs_pb2.JobEvent]:
        scope = self._scope
        found = events.read_after(conn, cursor, limit=_BACKLOG_BATCH,
                                  workspace_id=scope.workspace_id, job_id=scope.job_id)
        return [self._message(conn, e) for e in found if scope.accept is None or scope.accept(e)]

    async def _live(self, subscription: Subscription,
                    cursor: int) -> AsyncIterator[jobs_pb2.JobEvent]:
        while True:
            delivered = await subscription.next(self._heartbeat)
            if subscription.drain_lag():
                # Events were dropped for this watcher: the log has them all.
                async for message in self._backlog(cursor):
                    cursor = int(message.event_id)
                    yield message
                continue
            fresh = [e for e in delivered if e.seq > cursor]
            if not delivered:
                yield event(HEARTBEAT, cursor)
                continue
            if fresh:
                messages = await self._db.read(
                    lambda conn, found=fresh: [self._message(conn, e) for e in found])
                for message in messages:
                    cursor = int(message.event_id)
                    yield message

    def _message(self, conn: Connection, found: events.Event) -> jobs_pb2.JobEvent:
        job = dict(found.job)
        creator = job.get("created_by")
        if creator is not None:
            if creator not in self._users:
                self._users[creator] = job_store.user_fields(conn, creator)
            user = self._users[creator]
            if user is not None:
                job["user_email"], job["user_username"], job["user_full_name"] = user
        return event(CHANGED, found.seq, job)


def _terminal(message: jobs_pb2.JobEvent) -> bool:
    return message.HasField("job") and message.job.status in (
        jobs_pb2.JOB_STATUS_COMPLETED, jobs_pb2.JOB_STATUS_FAILED, jobs_pb2.JOB_STATUS_CANCELLED)
