"""The README's quickstart works as written: its first `sh` block, run line for line by bash.

Only the environment differs from a newcomer's shell, and only through variables the commands
document: the server listens on free ports (WORLDS_GRPC_ADDRESS, WORLDS_HTTP_ADDRESS) and keeps
its data in a temporary directory (WORLDS_DATA_DIR), and the client commands are pointed at it
(WORLDS_SERVER); so the test neither needs port 8080 nor touches ./data.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from pathlib import Path

from tests.support.jobs import wait_for
from tests.support.served import free_port

ROOT = Path(__file__).resolve().parents[2]


def quickstart_lines(readme: str) -> list[str]:
    """The lines of the first ```sh block under "## Quickstart"."""
    section = readme.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^```sh\n(.*?)^```", section, re.S | re.M)
    assert block, "no sh block in the quickstart"
    return block.group(1).splitlines()


def stop_group(shell: subprocess.Popen[bytes]) -> None:
    """Stop the shell's process group, where the backgrounded server lives, and wait for it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(shell.pid, signal.SIGTERM)
        shell.wait(30)
        # Raises ProcessLookupError, ending the wait, once no process of the group is left.
        wait_for(lambda: os.killpg(shell.pid, 0), 30, 0.1, "the quickstart's server to stop")


def test_the_quickstart_runs_as_written(tmp_path: Path) -> None:
    lines = quickstart_lines((ROOT / "README.md").read_text())
    assert any(line.startswith("worlds serve") for line in lines)
    http_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORLDS_")}
    env.update(WORLDS_DATA_DIR=str(tmp_path / "data"), WORLDS_GRPC_ADDRESS=f"127.0.0.1:{free_port()}",
               WORLDS_HTTP_ADDRESS=f"127.0.0.1:{http_port}", WORLDS_SERVER=f"http://127.0.0.1:{http_port}",
               WORLDS_LOG_LEVEL="WARNING")
    out_file, err_file = tmp_path / "stdout", tmp_path / "stderr"
    # -e: a failing line fails the test, as the reader would notice it failing. Files, not pipes:
    # the backgrounded server holds them open after the shell is done.
    with out_file.open("w") as out_handle, err_file.open("w") as err_handle:
        shell = subprocess.Popen(["bash", "-euo", "pipefail", "-c", "\n".join(lines)], cwd=ROOT, env=env,
                                 stdout=out_handle, stderr=err_handle, start_new_session=True)
    try:
        shell.wait(timeout=90)
    finally:
        stop_group(shell)
    out, err = out_file.read_text(), err_file.read_text()
    assert shell.returncode == 0, f"stdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in err
    assert "preset:      small" in out and "seed:        42" in out
    nodes = out[out.index("ID  "):].splitlines()
    # The header, the ten nodes, and the paging footer.
    assert nodes[0].split() == ["ID", "TYPE", "LABEL"] and len(nodes) == 12
    assert nodes[-1].startswith("10 of ") and "next page: --offset 10" in nodes[-1]
    assert "completed 100%" not in out, "progress goes to stderr"
