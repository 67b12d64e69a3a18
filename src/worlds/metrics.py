"""The service's Prometheus metrics: one `Metrics` per process, on a registry of its own.

Counted where they happen (each part is handed the process's `Metrics`):

- `worlds_rpc_requests_total{method,code}`, `worlds_rpc_duration_seconds{method}`: every
  gRPC call, by the server interceptor (`worlds.api.interceptors`);
- `worlds_http_requests_total{method,route,status}`, `worlds_http_request_duration_seconds`:
  every REST request, by the gateway's middleware (`worlds.api.metrics`); `route` is the
  binding's path template, never the concrete path;
- `worlds_job_attempts_total{kind}`, `worlds_job_duration_seconds{kind,outcome}`,
  `worlds_job_lease_losses_total`, `worlds_job_rescues_total`: the worker and its rescuer.

Collected at scrape time with a couple of indexed queries (`worlds.api.metrics`): jobs by
kind and status, queue depth, age of the oldest queued job, active watchers, event-log lag
and database pool use. A registry per instance (not prometheus_client's global one) lets
several services share one process, as the tests do.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

# Calls are milliseconds; a watch or a slow page can take seconds.
_REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
# A small world takes under a second, an enterprise one a minute or more.
_JOB_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.rpc_requests = Counter("worlds_rpc_requests", "gRPC calls handled",
                                    ["method", "code"], registry=r)
        self.rpc_duration = Histogram("worlds_rpc_duration_seconds", "gRPC call latency",
                                      ["method"], buckets=_REQUEST_BUCKETS, registry=r)
        self.http_requests = Counter("worlds_http_requests", "REST requests handled",
                                     ["method", "route", "status"], registry=r)
        self.http_duration = Histogram("worlds_http_request_duration_seconds",
                                       "REST request latency (to the end of the response)",
                                       ["method", "route"], buckets=_REQUEST_BUCKETS, registry=r)
        self.job_attempts = Counter("worlds_job_attempts", "job attempts started by workers",
                                    ["kind"], registry=r)
        self.job_duration = Histogram("worlds_job_duration_seconds",
                                      "time from an attempt's start to its recorded outcome",
                                      ["kind", "outcome"], buckets=_JOB_BUCKETS, registry=r)
        self.lease_losses = Counter("worlds_job_lease_losses",
                                    "attempts that lost their lease before finishing", registry=r)
        self.rescues = Counter("worlds_job_rescues",
                               "running jobs taken back from a worker that stopped heartbeating",
                               registry=r)
