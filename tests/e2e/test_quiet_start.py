"""A clear start: `worlds --version`, a port in use answered with one line naming the address
and the flag, and no migration INFO lines unless --verbose."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.jobs import WORLDS
from worlds import __version__

pytestmark = pytest.mark.slow


def test_version() -> None:
    done = subprocess.run([WORLDS, "--version"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == f"worlds {__version__}"


@pytest.mark.parametrize(("flag", "what"), [("--http-address", "REST"), ("--grpc-address", "gRPC")])
def test_a_port_in_use_is_one_line_naming_the_flag(tmp_path: Path, flag: str, what: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        other = "--grpc-address" if flag == "--http-address" else "--http-address"
        done = subprocess.run([WORLDS, "serve", "--data-dir", str(tmp_path), "--no-worker",
                               flag, address, other, "127.0.0.1:0"],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"worlds: cannot listen for {what} on {address}: the address is in use "
        f"(choose another with {flag})"]


@pytest.mark.parametrize("verbose", [False, True])
def test_migrations_are_quiet_unless_verbose(tmp_path: Path, verbose: bool) -> None:
    process = subprocess.Popen(
        [WORLDS, "serve", "--data-dir", str(tmp_path), "--no-worker", "--grpc-address",
         "127.0.0.1:0", "--http-address", "127.0.0.1:0", *(["--verbose"] if verbose else [])],
        env={**os.environ, "WORLDS_LOG_LEVEL": "INFO"}, stderr=subprocess.PIPE, text=True)
    lines = []
    assert process.stderr is not None
    deadline = time.time() + 60
    while time.time() < deadline:
        line = process.stderr.readline()
        lines.append(line)
        if "the key is shown only this once" in line:
            break
    process.send_signal(signal.SIGTERM)
    _, rest = process.communicate(timeout=30)
    text = "".join(lines) + rest
    assert ("alembic" in text) is verbose, text
