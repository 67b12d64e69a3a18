"""The all-in-one service: wires the store, the servicer, the gRPC server and the gateway.

`WorldsApp.start()` applies migrations, bootstraps an empty database, starts the
gRPC server and the REST gateway (dispatching in-process, without a loopback
hop) and, unless disabled, an in-process worker; `stop()` shuts them down in the
reverse order, letting in-flight calls and running jobs finish within the grace
period (see `worlds.jobs.worker` for what happens to a job that does not).
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
from importlib import resources
from pathlib import Path
from typing import TextIO

from fastapi import FastAPI
from worlds_gateway.app import create_gateway_app
from worlds_gateway.backend import Backend, InProcessBackend

from worlds import bootstrap
from worlds.api.access_log import RequestLogMiddleware
from worlds.api.admission import Admission
from worlds.api.grpc_server import GrpcServer, start_grpc_server
from worlds.api.http_edge import EdgeLimits
from worlds.api.http_server import HttpServer
from worlds.api.interceptors import MetricsInterceptor, RequestLogInterceptor
from worlds.api.metrics import HttpMetricsMiddleware, MetricsServer, StoreCollector
from worlds.api.platform import PlatformServicer
from worlds.api.servicer import WorldsServicer
from worlds.config import Settings
from worlds.console import mount_console
from worlds.core.clock import Clock, system_clock
from worlds.jobs.worker import Worker, WorkerConfig
from worlds.metrics import Metrics
from worlds.store import migrate
from worlds.store.dialect import dialect_for
from worlds.store.engine import Database, create_db_engine, sqlite_file
from worlds.store.notify import JobSignals, PgListener, libpq_conninfo
from worlds.v1 import platform_service_pb2, worlds_service_pb2
from worlds.watch.hub import EventHub

log = logging.getLogger(__name__)

SERVICE_DESCRIPTOR = worlds_service_pb2.DESCRIPTOR.services_by_name["WorldsService"]
PLATFORM_DESCRIPTOR = platform_service_pb2.DESCRIPTOR.services_by_name["PlatformService"]
SERVICE_DESCRIPTORS = (SERVICE_DESCRIPTOR, PLATFORM_DESCRIPTOR)
"""Every service the gateway serves, WorldsService first (it names the REST API)."""


def service_comments() -> dict[str, str]:
    """The protos' comments, for the OpenAPI descriptions: the generated modules
    carry no source info, so they come from the descriptor set built beside them."""
    from google.protobuf import descriptor_pb2
    from worlds_gateway.openapi import comments_from_files

    data = resources.files("worlds.v1").joinpath("worlds.binpb").read_bytes()
    return comments_from_files(descriptor_pb2.FileDescriptorSet.FromString(data).file)


def gateway_app(backend: Backend, *, max_body_bytes: int = 1 << 20,
                default_timeout: float | None = 30.0) -> FastAPI:
    """The REST gateway of this service over `backend`, as every process serves it (`serve`
    in-process, `worlds gateway` over a channel, the API reference): the same routes and the
    same OpenAPI document, with the protos' comments and the servicer's text rule."""
    from worlds.api.validation import TEXT_PATTERN

    return create_gateway_app(SERVICE_DESCRIPTORS, backend, max_body_bytes=max_body_bytes,
                              default_timeout=default_timeout, comments=service_comments(),
                              text_pattern=TEXT_PATTERN)


def open_database(settings: Settings) -> Database:
    """The database of `settings`. The data dir holds the embedded database and the
    bootstrap key: it is made owner-only (0700), and so is the SQLite file (0600;
    SQLite gives its -wal and -shm files the mode of the database file)."""
    data_dir = settings.data_dir
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    _owner_only(data_dir, 0o700)
    url = settings.effective_database_url
    path = sqlite_file(url)
    if path is not None:
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if file.exists():
                _owner_only(file, 0o600)
    return Database(create_db_engine(url, pool_size=settings.db_pool_size))


def _owner_only(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            os.chmod(path, mode)
    except PermissionError:
        log.warning("cannot make %s owner-only (mode %o): it belongs to another user", path, mode)


def admission_for(settings: Settings) -> Admission | None:
    """The version gate and rate limit the settings ask for (None: neither)."""
    from worlds.api.ratelimit import RateLimiter, default_burst
    from worlds.api.version_gate import VersionGate, parse_minimums

    limiter = gate = None
    if settings.rate_limit is not None:
        burst = settings.rate_burst or default_burst(settings.rate_limit)
        limiter = RateLimiter(settings.rate_limit, burst)
    if settings.min_client_versions:
        gate = VersionGate(parse_minimums(settings.min_client_versions))
    if limiter is None and gate is None:
        return None
    return Admission(limiter=limiter, gate=gate)


class WorldsApp:
    def __init__(self, settings: Settings, *, clock: Clock = system_clock) -> None:
        self.settings = settings
        self.clock = clock
        self.db: Database | None = None
        self.grpc: GrpcServer | None = None
        self.http: HttpServer | None = None
        self.worker: Worker | None = None
        self.listener: PgListener | None = None
        self.hub: EventHub | None = None
        self.servicer: WorldsServicer | None = None
        self.bootstrapped: bootstrap.Bootstrapped | None = None
        # Always counted (cheap); served only with settings.metrics_address.
        self.metrics = Metrics()
        self.metrics_server: MetricsServer | None = None

    async def start(self) -> None:
        settings = self.settings
        self.db = db = open_database(settings)
        await asyncio.to_thread(migrate.upgrade, db.engine)
        self.bootstrapped = await asyncio.to_thread(
            bootstrap.bootstrap, db, settings.bootstrap_key_file, self.clock,
            settings.bootstrap_api_key)
        signals = JobSignals()
        # Watchers hear of changes committed here at once, of other processes' changes
        # through the listener (PostgreSQL), and of anything missed at the next poll.
        self.hub = hub = EventHub(db, poll_interval=settings.poll_interval,
                                  buffer=settings.watch_buffer)
        db.on_job_changed(hub.wake)
        signals.on_change(hub.wake)
        await hub.start()
        # One admission for both services: a key's rate-limit bucket covers all its calls.
        admission = admission_for(settings)
        self.servicer = servicer = WorldsServicer(
            db, clock=self.clock, max_attempts=settings.max_attempts,
            signals=signals if settings.in_process_worker else None, hub=hub,
            watch_heartbeat=settings.watch_heartbeat, admission=admission)
        self.metrics.registry.register(StoreCollector(db, hub))
        platform = PlatformServicer(db, clock=self.clock)
        platform.admission = admission
        self.grpc = await start_grpc_server(servicer, settings.grpc_address,
                                            interceptors=[RequestLogInterceptor(),
                                                          MetricsInterceptor(self.metrics)],
                                            platform=platform)
        backend = InProcessBackend({SERVICE_DESCRIPTOR.full_name: servicer,
                                    PLATFORM_DESCRIPTOR.full_name: platform})
        gateway = gateway_app(backend, max_body_bytes=settings.max_body_bytes,
                              default_timeout=settings.http_timeout)
        mount_console(gateway)
        limits = EdgeLimits(max_head_bytes=settings.http_max_head_bytes,
                            max_headers=settings.http_max_headers,
                            head_timeout=settings.http_head_timeout,
                            body_timeout=settings.http_body_timeout)
        self.http = HttpServer(HttpMetricsMiddleware(RequestLogMiddleware(gateway), self.metrics),
                               settings.http_address, limits=limits,
                               grace=settings.grace_period)
        await self.http.start()
        if settings.in_process_worker:
            # The worker's listener feeds `signals`, and so the hub too.
            # No clock: the worker stamps leases with the database's (see Worker).
            self.worker = Worker(db, WorkerConfig.from_settings(settings), signals=signals,
                                 metrics=self.metrics)
            await self.worker.start()
        elif dialect_for(db.engine).supports_listen:
            self.listener = PgListener(libpq_conninfo(db.engine), signals)
            await self.listener.start()
        if settings.metrics_address is not None:
            self.metrics_server = MetricsServer(self.metrics, settings.metrics_address)

    async def stop(self) -> None:
        """Stop within the grace period: the worker stops claiming at once, open watch
        streams end (clients resume elsewhere with their last event id), then the
        servers and the worker wind down together, each bounded by the grace period."""
        grace = self.settings.grace_period
        if self.worker is not None:
            self.worker.stop_claiming()
        if self.hub is not None:
            await self.hub.stop()
        stopping = []
        if self.http is not None:
            stopping.append(self.http.stop())
        if self.grpc is not None:
            stopping.append(self.grpc.stop(grace))
        if self.worker is not None:
            stopping.append(self.worker.stop(grace))
        await asyncio.gather(*stopping)
        if self.listener is not None:
            await self.listener.stop()
        if self.metrics_server is not None:
            await asyncio.to_thread(self.metrics_server.stop)
        if self.db is not None:
            await asyncio.to_thread(self.db.close)

    def announce(self, out: TextIO = sys.stderr) -> None:
        """Tell the operator where the service listens and, once, the bootstrap key."""
        assert self.grpc is not None and self.http is not None
        host = self.settings.http_address.rpartition(":")[0]
        lines = [f"worlds: gRPC on {self.settings.grpc_address.rpartition(':')[0]}:{self.grpc.port}",
                 f"worlds: REST on http://{host}:{self.http.port} (console at /ui/, OpenAPI at /docs)"]
        if self.metrics_server is not None:
            metrics_host = (self.settings.metrics_address or "").rpartition(":")[0]
            lines.append(f"worlds: metrics on http://{metrics_host}:{self.metrics_server.port}/metrics")
        if self.bootstrapped is not None and self.settings.bootstrap_api_key is not None:
            # The operator chose the key (WORLDS_BOOTSTRAP_API_KEY): never echo a secret.
            lines.append("worlds: created org 'local', workspace 'main' and an owner API key "
                         "(the one given in WORLDS_BOOTSTRAP_API_KEY)")
        elif self.bootstrapped is not None:
            lines += [
                "worlds: created org 'local', workspace 'main' and an owner API key:",
                f"    {self.bootstrapped.api_key}",
                f"worlds: the key is shown only this once; it is saved in "
                f"{self.bootstrapped.key_file} (mode 0600)",
            ]
        print("\n".join(lines), file=out, flush=True)
