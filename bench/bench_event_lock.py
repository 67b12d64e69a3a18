"""How long a batch of creates holds the PostgreSQL event-log lock.

Every job transaction takes one transaction-level advisory lock before appending to
`job_events` (it keeps `seq` in commit order, see worlds.store.events), so the lock's hold
time caps the creates per second of the whole database. This inserts batches of 1, 8, 32
and 64 jobs the way group commit does (`deferred_writes`) in a fresh database and prints
the p50 time from taking the lock to the end of the commit.

    .venv/bin/python bench/bench_event_lock.py [--admin-url postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from worlds.core.jobstate import Kind, ResourceType
from worlds.store import jobs as job_store
from worlds.store import migrate, tenancy
from worlds.store.dialect import PostgresDialect
from worlds.store.engine import create_db_engine


class TimedDialect(PostgresDialect):
    """The PostgreSQL dialect, noting when the events lock was granted."""

    locked_at: float | None = None

    def events_lock(self, conn: Connection) -> None:
        super().events_lock(conn)
        if self.locked_at is None:
            self.locked_at = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--batches", type=int, default=50)
    args = parser.parse_args()
    name = f"worlds_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.admin_url.rsplit("/", 1)[0] + f"/{name}"
    engine = create_db_engine(url)
    try:
        migrate.upgrade(engine)
        now = datetime.now(UTC)
        with engine.begin() as conn:
            tenancy.create_organization(conn, "local", "local", now)
            ws = tenancy.create_workspace(conn, "local", "main", "main", now)
            user = tenancy.create_user(conn, "b@example.com", "bench", None, now)
            org_id = conn.execute(text("SELECT id FROM organizations")).scalar_one()
            project = conn.execute(text("SELECT id FROM projects")).scalar_one()
        dialect = TimedDialect()
        print("batch   lock held p50   p99")
        for size in (1, 8, 32, 64):
            samples = []
            for _ in range(args.batches):
                dialect.locked_at = None
                with engine.connect() as conn:
                    with conn.begin(), job_store.deferred_writes(dialect, conn):
                        for _ in range(size):
                            job_store.insert_job(dialect, conn, job_store.NewJob(
                                organization_id=org_id, workspace_id=ws, project_id=project,
                                created_by=user, kind=Kind.MANIFEST_GENERATION,
                                resource_type=ResourceType.MANIFEST, name=None,
                                params={"seed": 1}, max_attempts=3), datetime.now(UTC))
                    done = time.perf_counter()
                assert dialect.locked_at is not None
                samples.append(done - dialect.locked_at)
            samples.sort()
            p50: Any = samples[len(samples) // 2] * 1000
            p99: Any = samples[int(len(samples) * 0.99)] * 1000
            print(f"{size:5}   {p50:9.2f} ms   {p99:6.2f} ms")
        print("target: <= 2 ms for a batch of 64")
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
