"""What a client command loads to start: never the server's stack, protobuf or httpx.

Checked by the modules Python reports importing (`-X importtime`), not by timing: the time a
start takes depends on the machine, the modules it loads do not. bench/bench_cli_start.py
gives the times.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli.conftest import client_env
from tests.support.jobs import WORLDS
from tests.support.served import Served

# The server's stack (storage, gRPC, the HTTP servers, protobuf), and httpx, which only
# job-wait's watch stream uses.
SERVER_STACK = frozenset({"sqlalchemy", "sqlmodel", "alembic", "psycopg", "grpc", "google",
                          "fastapi", "starlette", "pydantic", "uvicorn", "worlds_gateway",
                          "httpx", "httpcore", "anyio", "asyncio"})
SERVER_PARTS = ("worlds.store", "worlds.api", "worlds.app", "worlds.jobs", "worlds.core",
                "worlds.v1.worlds_service_pb2", "worlds.generator", "worlds.sampler")


def imported(served: Served, *argv: str, code: int) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", WORLDS, *argv], env=client_env(served),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == code, done.stderr
    modules = {line.rpartition("|")[2].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:")}
    assert "worlds.cli" in modules  # the report is there: the check below can fail
    return modules


@pytest.mark.parametrize(("argv", "code"), [
    (["job-list"], 0),
    (["job-list", "--help"], 0),
    (["--help"], 0),
    (["job-list", "--pagesize", "5"], 2),
    (["manifest-create", "--num-hosts", "0"], 1),
    (["job-get", "00000000-0000-4000-8000-000000000000"], 1),
    (["serve", "--help"], 0),
])
def test_a_client_command_does_not_load_the_server(idle: Served, argv: list[str], code: int) -> None:
    modules = imported(idle, *argv, code=code)
    assert not {m.split(".")[0] for m in modules} & SERVER_STACK, sorted(
        m for m in modules if m.split(".")[0] in SERVER_STACK)
    assert not [m for m in modules if m.startswith(SERVER_PARTS)]
    if argv[-1] == "--help" or code == 2:
        # Reading the line needs no HTTP client at all.
        assert "worlds.client.commands" not in modules and "http.client" not in modules


def test_job_wait_is_the_one_that_loads_httpx(idle: Served) -> None:
    """The guard above sees the modules a command loads: here it sees httpx."""
    done = subprocess.run([WORLDS, "manifest-create", "-q"], env=client_env(idle), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    modules = imported(idle, "job-wait", done.stdout.strip(), "--timeout-sec", "0.2", code=4)
    assert {"httpx", "asyncio"} <= modules and not {m.split(".")[0] for m in modules} & {"sqlalchemy", "grpc"}
