"""What every servicer shares: the database, the clock, and the caller's check.

A servicer's RPC authenticates the key its call carries, authorises the action in the
org/workspace, and runs its database work in one transaction on the store's thread pool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from worlds import logs
from worlds.api import auth, validation
from worlds.api.admission import Admission
from worlds.api.boundary import Context
from worlds.core import access
from worlds.core.access import Action, WorkspaceAccess
from worlds.core.clock import Clock
from worlds.store import tenancy
from worlds.store.dialect import SqlDialect, dialect_for
from worlds.store.engine import Database

log = logging.getLogger(__name__)

T = TypeVar("T")

# Offsets past this return empty pages; it keeps page*page_size inside 64 bits.
MAX_OFFSET = 1 << 62


def page_offset(page: int, page_size: int) -> int:
    """The row offset of a 1-based page, capped so that a huge page number cannot overflow
    the database's 64-bit OFFSET."""
    return min((page - 1) * page_size, MAX_OFFSET)


class RpcBase:
    """The caller's check and the read transaction, for the servicers of every resource."""

    # Checked by the error boundary before each call (see worlds.api.admission).
    admission: Admission | None = None

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._dialect: SqlDialect = dialect_for(db.engine)
        self._clock = clock
        self._background: set[asyncio.Task[None]] = set()

    def _authorize(self, conn: Connection, key: str, org: str, workspace: str,
                   action: Action) -> tenancy.Authorized:
        """Authenticate `key`, then authorise `action` in org/workspace, in that order.
        Path variables an engine could not even compare (a NUL) are refused first."""
        validation.check_path(org=org, workspace=workspace)
        authorized = tenancy.authorize(conn, access.hash_key(key), org, workspace, self._clock())
        authorized.access.require(action)
        return authorized

    async def _authorized(self, context: Context, org: str, workspace: str,
                          action: Action) -> tenancy.Authorized:
        """The caller's access to org/workspace for `action`, checked in a read transaction
        (which, unlike a write, runs in parallel with other calls on every engine)."""
        key = auth.key_from_metadata(context.invocation_metadata())
        authorized = await self._db.read(self._authorize, key, org, workspace, action)
        logs.note_key_id(authorized.access.principal.key_id)
        if authorized.needs_touch:
            self._touch_later(authorized.access.principal.key_id)
        return authorized

    async def _read(self, context: Context, org: str, workspace: str,
                    fn: Callable[[Connection, WorkspaceAccess], T]) -> T:
        """Run `fn` in one read transaction, once the caller may read org/workspace."""
        key = auth.key_from_metadata(context.invocation_metadata())

        def work(conn: Connection) -> tuple[T, tenancy.Authorized]:
            authorized = self._authorize(conn, key, org, workspace, Action.READ)
            return fn(conn, authorized.access), authorized

        result, authorized = await self._db.read(work)
        logs.note_key_id(authorized.access.principal.key_id)
        if authorized.needs_touch:
            self._touch_later(authorized.access.principal.key_id)
        return result

    def _touch_later(self, key_id: str) -> None:
        """Record a key's use off the request path: a read must not wait for a write."""
        task = asyncio.get_running_loop().create_task(self._touch(key_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _touch(self, key_id: str) -> None:
        try:
            await self._db.write(tenancy.touch_api_key, key_id, self._clock())
        except Exception:
            log.warning("could not record the last use of API key %s", key_id, exc_info=True)
