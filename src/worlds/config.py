"""Typed settings. Built from flags and the environment by the CLI only, then passed down."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("./data")
    # When unset, an embedded SQLite database in data_dir.
    database_url: str | None = None
    grpc_address: str = "127.0.0.1:50051"
    http_address: str = "127.0.0.1:8080"
    # Fixes the value of the first API key created on an empty database.
    bootstrap_api_key: str | None = None
    in_process_worker: bool = True
    # Seconds in-flight calls get to finish on SIGTERM/SIGINT.
    grace_period: float = 10.0
    max_attempts: int = 3
    max_body_bytes: int = 1 << 20
    # Deadline the gateway gives a call when the client sets none.
    http_timeout: float = 30.0
    db_pool_size: int = 8
    # The HTTP edge (worlds.api.http_edge): a request's head at most this many bytes and
    # header lines (else 431), received within head_timeout, its body within
    # body_timeout (else 408).
    http_max_head_bytes: int = 16 * 1024
    http_max_headers: int = 100
    http_head_timeout: float = 10.0
    http_body_timeout: float = 30.0
    # Worker (in-process in `serve`, or `worlds worker`); see worlds.core.lease for the timings.
    lease_seconds: float = 30.0
    worker_concurrency: int = 1
    # Fallback poll for queued jobs and for watchers when no notification arrives
    # (the bound on a watcher's delay with SQLite and a separate worker process).
    poll_interval: float = 1.0
    # Seconds between heartbeats on an idle watch stream.
    watch_heartbeat: float = 15.0
    # Events buffered per watcher before it is switched to reading the log itself.
    watch_buffer: int = 256
    # How long job events stay in the log: the oldest resume token still served.
    event_retention: float = 24 * 3600.0
    # Requests per second per API key (token bucket, per process); None: no limit.
    rate_limit: float | None = None
    # Bucket size; None: two seconds' worth of `rate_limit` (see worlds.api.ratelimit).
    rate_burst: int | None = None
    # `FAMILY=VERSION` items: the oldest accepted version of each client family
    # (see worlds.api.version_gate).
    min_client_versions: tuple[str, ...] = ()
    # Finished jobs (and their manifests) older than this are deleted; None: kept.
    job_retention: float | None = None
    # (kind, seconds): how long one attempt of a job of that kind may generate.
    job_timeouts: tuple[tuple[str, float], ...] = ()
    # HOST:PORT of the Prometheus /metrics listener; None: not served.
    metrics_address: str | None = None

    @property
    def effective_database_url(self) -> str:
        # The embedded default: a SQLite file in the data directory.
        return self.database_url or f"sqlite:///{self.data_dir / 'worlds.db'}"

    @property
    def bootstrap_key_file(self) -> Path:
        return self.data_dir / "bootstrap-api-key"


class AddressInUse(OSError):
    """A listener's address is taken; the message names the address and the flag."""

    def __init__(self, what: str, address: str, flag: str) -> None:
        super().__init__(f"cannot listen for {what} on {address}: the address is in use "
                         f"(choose another with {flag})")


def split_address(address: str) -> tuple[str, int]:
    """`HOST:PORT` (or `[v6]:PORT`) into its parts."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {address!r}")
    return host.strip("[]") or "0.0.0.0", int(port)
