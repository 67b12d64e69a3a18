"""Schemathesis against the /openapi.json each gateway serves, on both engines.

`schemathesis run` (the CLI, as a client would run it) is pointed at the served document of
the gateway inside `serve` and of a standalone gateway in front of the same service's gRPC
port, and runs its phases: coverage (boundary and invalid values of every parameter), fuzzing
(positive and negative cases) and stateful (chains of calls linked by the ids responses carry).
Its checks: no 5xx, every status code, content type, header and body as documented, invalid
input rejected, valid input accepted, no route that ignores its credentials; and ours
(`hooks.py`): every error is the envelope, every NDJSON line conforms.

Deterministic: a fixed seed and Hypothesis's derandomized mode, so CI sees the same cases on
every run. Bounded: 10 cases per operation and phase keep the four runs (two gateways, two
engines) under two minutes here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.fuzz.conftest import Resources
from tests.support.service import RunningService

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
HOOKS = Path(__file__).with_name("hooks.py")
# The two watch routes stream until the client leaves (WatchJobs) or the job ends (WatchJob: the
# jobs the fuzzer creates stay queued, no worker runs them), and Schemathesis reads an NDJSON
# body to its end. They are fuzzed all the same, with a deadline of their own: `Grpc-Timeout` (which
# the gateway honours on streams) ends each one after 200 ms with the 504 line of a stream that
# failed after it started, a body whose every line is then checked.
STREAMS = ["GET /api/v1/org/{org}/ws/{workspace}/worlds/jobs:watch",
           "GET /api/v1/org/{org}/ws/{workspace}/worlds/jobs/{job_id}/watch"]
STREAM_DEADLINE = "200m"
# Share of the generated values of each of these parameters replaced by an existing resource,
# so that most cases get past the 404s to the code behind them and some still do not.
REAL_SHARE = 0.8


def toml(value: Any) -> str:
    """`value` as TOML (inline tables): the config is only ever written, never read back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are TOML basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(toml(item) for item in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + " }"


def config(resources: Resources) -> dict[str, Any]:
    """The run's `schemathesis.toml`."""
    real = {
        "path.org": resources.tenant.org,
        "path.workspace": resources.tenant.workspace,
        "path.manifest_id": resources.manifest_id,
        "path.job_id": resources.manifest_job_id,
        "path.trajectory_id": resources.trajectory_id,
        "path.host_id": resources.host_id,
        "path.principal_id": resources.principal_id,
        "path.project": resources.project,
        "query.center": resources.host_id,
        "body.manifest_id": resources.manifest_id,
    }
    return {
        "seed": 1,
        "hooks": str(HOOKS),
        # Nothing carried over from an earlier run: the cases depend on the seed alone.
        "cache": {"enabled": False},
        "request-timeout": 10,
        "generation": {"max-examples": 10, "deterministic": True},
        "auth": {"openapi": {"ApiKeyAuth": {"api_key": resources.tenant.owner.key}}},
        "dictionaries": {name.replace(".", "_"): {"values": [value]} for name, value in real.items()},
        "parameters": {name: {"dictionary": name.replace(".", "_"), "probability": REAL_SHARE}
                       for name in real},
        "operations": [{"include-name": STREAMS, "headers": {"Grpc-Timeout": STREAM_DEADLINE}}],
    }


def test_the_served_document_holds(gateway_url: str,
                                   fuzzed_service: tuple[RunningService, Resources],
                                   tmp_path: Path) -> None:
    _, resources = fuzzed_service
    path = tmp_path / "schemathesis.toml"
    path.write_text("".join(f"{json.dumps(k)} = {toml(v)}\n" for k, v in config(resources).items()))
    done = subprocess.run(
        [SCHEMATHESIS, "--config-file", str(path), "--no-color", "run",
         f"{gateway_url}/openapi.json", "--workers", "1"],
        # One worker: cases run in their generated order, so a stateful chain is reproducible.
        capture_output=True, text=True, timeout=100, cwd=tmp_path)
    (tmp_path / "schemathesis.out").write_text(done.stdout + done.stderr)
    # The report names each failing case with a curl command that reproduces it.
    assert done.returncode == 0, done.stdout[-25_000:] + done.stderr[-5_000:]
