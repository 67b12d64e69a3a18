"""The PostgreSQL listener: NOTIFYs wake the worker, and a listener whose connection
dies reconnects by itself (polling covers the gap)."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text

from worlds.store import queue as queue_store
from worlds.store.engine import create_db_engine
from worlds.store.notify import APPLICATION_NAME, JobSignals, PgListener, libpq_conninfo


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_notifications_wake_and_the_listener_survives_losing_its_connection(
        database_url: str) -> None:
    engine = create_db_engine(database_url, pool_size=1)

    def sql(statement: str) -> None:
        with engine.begin() as conn:
            conn.execute(text(statement))

    async def main() -> None:
        signals = JobSignals()
        listener = PgListener(libpq_conninfo(engine), signals, health_interval=0.2)
        await listener.start()
        try:
            assert listener.healthy
            for _ in range(2):
                signals.reset_queued()
                await asyncio.to_thread(
                    sql, f"SELECT pg_notify('{queue_store.CHANNEL}', 'queued:some-job')")
                assert await signals.wait_queued(5)
                with signals.cancel_watch("job-9") as cancel:
                    await asyncio.to_thread(
                        sql, f"SELECT pg_notify('{queue_store.CHANNEL}', 'cancel:job-9')")
                    await asyncio.wait_for(cancel.wait(), 5)
                # Kill the listener's connection, as a failover or an idle timeout would.
                await asyncio.to_thread(sql, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                             f"WHERE application_name = '{APPLICATION_NAME}'")
                before = listener.connections
                deadline = time.monotonic() + 10
                while listener.connections == before and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
                assert listener.healthy and listener.connections == before + 1
        finally:
            await listener.stop()

    try:
        asyncio.run(main())
    finally:
        engine.dispose()
