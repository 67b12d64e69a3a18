"""Database engines for the two supported backends, chosen by one URL.

SQLite is the embedded default; PostgreSQL (psycopg 3) the engine for many API
and worker processes. Both are driven through SQLAlchemy Core on a thread pool
(`Database.read` / `Database.write`), so database work never runs on the event loop.

SQLite specifics, and why:
- WAL journal: readers never block the writer.
- `busy_timeout`: concurrent writers wait instead of failing.
- Write transactions start with `BEGIN IMMEDIATE`: a deferred transaction that
  upgrades from read to write fails at once with SQLITE_BUSY in WAL mode,
  whatever the busy timeout. pysqlite's own transaction handling is disabled
  (isolation_level=None) so that SQLAlchemy's `begin` hook controls BEGIN.
- Foreign keys are off by default in SQLite; they are turned on per connection.
- Writes are serialised in-process by a lock. SQLite admits one writer at a time
  anyway, and writers that contend inside SQLite wait in its busy handler, which
  sleeps with backoff: under load that costs more than the writes themselves.
  Other processes on the same file still queue on the busy timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from worlds.core.errors import Unavailable

T = TypeVar("T")

_WRITE_OPTION = "worlds_write"


def normalize_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and select the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sqlite_url(path: str) -> str:
    return f"sqlite:///{path}"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for other engines and in-memory databases."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):  # a SQLite URI: opened as the operator says
        return None
    return Path(parsed.database)


def create_db_engine(url: str, *, pool_size: int = 8) -> Engine:
    """Create an engine for `url` with the settings this service relies on."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=0,
            connect_args={"timeout": 30, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


_CHANGED_FLAG = "worlds_job_changed"


def mark_job_changed(conn: Connection) -> None:
    """Note that this transaction changed a job; `Database.write` tells its
    listeners once the transaction commits."""
    conn.info[_CHANGED_FLAG] = True


class Database:
    """An engine plus the thread pool that runs its blocking calls.

    `read(fn, ...)` and `write(fn, ...)` run `fn(conn, ...)` inside one
    transaction on a pool thread and return its result to the awaiting coroutine.
    """

    def __init__(self, engine: Engine, *, threads: int | None = None) -> None:
        self.engine = engine
        # Pool declares no size(); create_db_engine's engines use a QueuePool, which does.
        size = threads or engine.pool.size()  # type: ignore[attr-defined]
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else None
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="worlds-db")
        self._job_listeners: list[Callable[[], None]] = []
        self._closed = False

    @property
    def dialect_name(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def transaction(self, *, write: bool) -> Iterator[Connection]:
        """A blocking transaction; commit on success, roll back on error."""
        with self.engine.connect() as conn:
            if write:
                conn.execution_options(**{_WRITE_OPTION: True})
            with conn.begin():
                yield conn

    def run_read(self, fn: Callable[..., T], *args: Any) -> T:
        with self.transaction(write=False) as conn:
            return fn(conn, *args)

    def run_read_snapshot(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(conn, ...)` in a read transaction whose statements all see one snapshot.

        PostgreSQL's default (READ COMMITTED) takes a new snapshot per statement, so
        a commit between two statements shows in the second only; REPEATABLE READ
        fixes one snapshot at the first statement. A SQLite read transaction is one
        WAL snapshot from its first read already."""
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                return fn(conn, *args)

    def run_write(self, fn: Callable[..., T], *args: Any) -> T:
        return self._run_write(fn, *args)[0]

    def _run_write(self, fn: Callable[..., T], *args: Any) -> tuple[T, bool]:
        """`fn`'s result, and whether it changed a job (see `mark_job_changed`)."""
        lock = self._write_lock or contextlib.nullcontext()
        with lock, self.transaction(write=True) as conn:
            conn.info.pop(_CHANGED_FLAG, None)
            result = fn(conn, *args)
            changed = bool(conn.info.pop(_CHANGED_FLAG, False))
        return result, changed

    async def _on_pool(self, call: Callable[[], T]) -> T:
        # A call that comes after close() (work still in flight when a stopping server's
        # grace period ran out) is refused as the server's state, never an internal error:
        # the client retries elsewhere, and nothing was written.
        if self._closed:
            raise closed_error()
        try:
            future = asyncio.get_running_loop().run_in_executor(self._executor, call)
        except RuntimeError:  # the pool shut down between the check and the submit
            raise closed_error() from None
        return await future

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._on_pool(functools.partial(self.run_read, fn, *args))

    async def read_snapshot(self, fn: Callable[..., T], *args: Any) -> T:
        """`run_read_snapshot` on the pool: a multi-statement read that must be consistent."""
        return await self._on_pool(functools.partial(self.run_read_snapshot, fn, *args))

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        result, changed = await self._on_pool(functools.partial(self._run_write, fn, *args))
        if changed:
            for listener in self._job_listeners:
                listener()
        return result

    def on_job_changed(self, listener: Callable[[], None]) -> None:
        """Call `listener` (on the event loop) after each `write` that changed a job
        commits: how watchers in this process hear of changes without polling."""
        self._job_listeners.append(listener)

    def close(self) -> None:
        """Refuse new calls (`closed_error`), let the running ones finish, release the pool."""
        self._closed = True
        self._executor.shutdown(wait=True)
        self.engine.dispose()


def closed_error() -> Unavailable:
    return Unavailable("The server is shutting down; retry the request (on any server).",
                       reason="SHUTTING_DOWN")
