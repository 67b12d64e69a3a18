"""First start on an empty database: org `local`, workspace `main` (with its default
project), an owner user and an API key, shown once and saved 0600 in the data dir."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from worlds.core import access
from worlds.core.clock import Clock
from worlds.core.errors import Conflict
from worlds.store import tenancy
from worlds.store.engine import Database

ORG = "local"
WORKSPACE = "main"
USERNAME = "admin"
EMAIL = "admin@localhost"


@dataclass(frozen=True)
class Bootstrapped:
    api_key: str
    key_file: Path


def bootstrap(db: Database, key_file: Path, clock: Clock, api_key: str | None = None
              ) -> Bootstrapped | None:
    """Create the initial tenant if the database is empty; None when it was not empty."""
    key = api_key or access.generate_key()

    def work(conn: Connection) -> bool:
        if not tenancy.is_empty(conn):
            return False
        now = clock()
        tenancy.create_organization(conn, ORG, "Local", now)
        ws_id = tenancy.create_workspace(conn, ORG, WORKSPACE, "Main", now)
        user_id = tenancy.create_user(conn, EMAIL, USERNAME, "Administrator", now)
        tenancy.set_membership(conn, user_id, ws_id, access.Role.OWNER, now)
        tenancy.create_api_key(conn, user_id, "bootstrap", access.hash_key(key), key[:8], now)
        return True

    try:
        created = db.run_write(work)
    except Conflict:
        return None  # another process bootstrapped the same database first
    if not created:
        return None
    write_secret(key_file, key + "\n")
    return Bootstrapped(key, key_file)


def write_secret(path: Path, content: str) -> None:
    """Write a file readable by its owner only, never briefly world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
    os.chmod(path, 0o600)
