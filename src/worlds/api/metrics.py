"""Serving the metrics: the scrape-time collector, the gateway's request middleware and
the `/metrics` listener on an address of its own.

The collector runs when Prometheus scrapes (on the listener's thread), in one read
transaction: the job counters summed by kind and status (`job_counts`, a handful of
rows however many jobs exist) and the oldest queued job's `created_at` (the
`ix_jobs_status_created` index: one index probe). Watchers, the hub's cursor and the
pool's checked-out connections are read from memory.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from datetime import UTC, datetime
from typing import Any

from prometheus_client import start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Connection, func, select

from worlds.config import split_address
from worlds.core.jobstate import Status
from worlds.metrics import Metrics
from worlds.store import events
from worlds.store.engine import Database
from worlds.store.models import Job, JobCount, table_of
from worlds.watch.hub import EventHub

_jobs = table_of(Job)
_counts = table_of(JobCount)

_BY_KIND_STATUS = (select(_counts.c.kind, _counts.c.status, func.sum(_counts.c.n))
                   .group_by(_counts.c.kind, _counts.c.status))
_OLDEST_QUEUED = select(func.min(_jobs.c.created_at)).where(_jobs.c.status == Status.QUEUED.value)


class StoreCollector(Collector):
    """Gauges read at scrape time; see the module docstring."""

    def __init__(self, db: Database, hub: EventHub | None) -> None:
        self._db = db
        self._hub = hub

    def _read(self, conn: Connection) -> tuple[list[Any], Any, int]:
        rows = list(conn.execute(_BY_KIND_STATUS))
        oldest = conn.execute(_OLDEST_QUEUED).scalar()
        return rows, oldest, events.last_seq(conn)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        rows, oldest, last_seq = self._db.run_read(self._read)
        jobs = GaugeMetricFamily("worlds_jobs", "jobs by kind and status", labels=["kind", "status"])
        depth = 0
        for kind, status, n in rows:
            jobs.add_metric([kind, status], float(n or 0))
            if status == Status.QUEUED.value:
                depth += int(n or 0)
        yield jobs
        yield GaugeMetricFamily("worlds_queue_depth", "jobs waiting for a worker", value=depth)
        age = 0.0
        if oldest is not None:
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=UTC)
            age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        yield GaugeMetricFamily("worlds_queue_oldest_age_seconds",
                                "age of the oldest queued job (0 when none)", value=age)
        if self._hub is not None:
            yield GaugeMetricFamily("worlds_watchers", "open watch streams in this process",
                                    value=self._hub.subscribers)
            yield GaugeMetricFamily("worlds_event_log_lag", "events logged but not yet read by "
                                    "this process's watchers", value=max(0, last_seq - self._hub.cursor))
        pool = self._db.engine.pool
        checked_out = getattr(pool, "checkedout", None)
        if callable(checked_out):
            yield GaugeMetricFamily("worlds_db_pool_in_use", "database connections checked out",
                                    value=checked_out())
        size = getattr(pool, "size", None)
        if callable(size):
            yield GaugeMetricFamily("worlds_db_pool_size", "database connections kept in the pool",
                                    value=size())


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_FIXED_ROUTES = frozenset({"/healthz", "/openapi.json", "/docs"})


def route_label(scope: Scope) -> str:
    """The route a request matched, as a low-cardinality label: the binding's template."""
    endpoint = scope.get("endpoint")
    binding = getattr(endpoint, "binding", None)
    template = getattr(binding, "template", None)
    if template is not None:
        return str(template.source)
    path = scope.get("path", "")
    if path in _FIXED_ROUTES:
        return str(path)
    # The console's static files: one label for all of them.
    return "/ui/" if path.startswith("/ui/") or path == "/ui" else "unmatched"


class HttpMetricsMiddleware:
    """Counts each HTTP request once, when its response ends (a stream: when it closes).
    The route label is the matched binding's template (set on the scope by routing)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            route, method = route_label(scope), scope.get("method", "")
            self._metrics.http_requests.labels(method, route, str(status)).inc()
            self._metrics.http_duration.labels(method, route).observe(time.perf_counter() - started)


class MetricsServer:
    """`/metrics` (any path, in fact) on `address`, on a thread of prometheus_client's."""

    def __init__(self, metrics: Metrics, address: str) -> None:
        host, port = split_address(address)
        self._server, self._thread = start_http_server(port, addr=host, registry=metrics.registry)
        self.port: int = self._server.server_port

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
