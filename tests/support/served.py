"""`worlds serve` as a user runs it: a subprocess on free ports, ready once /healthz answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.support.jobs import WORLDS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """`worlds serve --data-dir DATA_DIR` on free ports; `worker` keeps its in-process worker."""

    def __init__(self, data_dir: Path, env: dict[str, str], *extra: str, worker: bool = False,
                 ports: tuple[int, int] | None = None) -> None:
        """``ports`` (http, grpc) to listen on again where a stopped server did; free ones otherwise."""
        self.data_dir = data_dir
        self.http_port, self.grpc_port = ports or (free_port(), free_port())
        self.process = subprocess.Popen(
            [WORLDS, "serve", "--data-dir", str(data_dir), *([] if worker else ["--no-worker"]),
             "--grpc-address", f"127.0.0.1:{self.grpc_port}",
             "--http-address", f"127.0.0.1:{self.http_port}", *extra],
            env={**os.environ, "WORLDS_LOG_LEVEL": "WARNING", **env},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{self.http_port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.process.stderr.read()}")  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        # No caller holds this object yet to stop it: end the process here, not leave it behind.
        self.process.kill()
        self.process.communicate(timeout=30)
        raise AssertionError("serve did not start")

    @property
    def bootstrap_key(self) -> str:
        return (self.data_dir / "bootstrap-api-key").read_text().strip()

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(sig)
        _, err = self.process.communicate(timeout=30)
        return self.process.returncode, err
