"""job-wait follows the job's watch stream: exit 0 only for a completed job, 5 for a failed or
cancelled one, 4 when --timeout-sec passes (the job left alone); a bar on a terminal, lines
elsewhere."""

from __future__ import annotations

import os
import pty
import subprocess
import time

from tests.cli.conftest import Rest, client_env, worlds
from tests.support.jobs import WORLDS
from tests.support.served import Served


def test_waits_until_completed(busy: Served, busy_rest: Rest) -> None:
    job = busy_rest.create(preset="large", seed=3)
    done = worlds(busy, "job-wait", job["id"], "--json")
    assert done.code == 0, done.err
    final = done.json()
    assert final["status"] == "completed" and final["resource_id"]
    assert final == busy_rest.job(job["id"])
    # Not a terminal: one plain line per change, the last one the completion.
    lines = done.err.splitlines()
    assert lines and all(line.startswith(f"job {job['id']}: ") for line in lines)
    assert lines[-1] == f"job {job['id']}: completed 100%"


def test_quiet_prints_the_manifest_id(busy: Served, busy_rest: Rest) -> None:
    job = busy_rest.create(preset="small")
    done = worlds(busy, "job-wait", job["id"], "-q")
    assert done.code == 0
    assert done.out == f"{busy_rest.wait_done(job['id'])['resource_id']}\n"


def test_a_finished_job_returns_at_once(busy: Served, busy_rest: Rest) -> None:
    job = busy_rest.wait_done(busy_rest.create()["id"])
    done = worlds(busy, "job-wait", job["id"])
    assert done.code == 0 and "status:            completed" in done.out


def test_timeout_leaves_the_job_running(idle: Served, idle_rest: Rest) -> None:
    job = idle_rest.create()
    started = time.monotonic()
    done = worlds(idle, "job-wait", job["id"], "--timeout-sec", "1", "--json")
    assert done.json(4)["status"] == "queued"
    assert time.monotonic() - started < 10
    assert f"stopped waiting after 1 s; job {job['id']} was still queued" in done.err
    assert idle_rest.job(job["id"])["status"] == "queued"


def test_a_job_cancelled_while_waiting_exits_5(idle: Served, idle_rest: Rest) -> None:
    job = idle_rest.create()
    waiting = subprocess.Popen([WORLDS, "job-wait", job["id"]], env=client_env(idle),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The first line is the snapshot: the watch is open, so the cancel is a live event.
        assert waiting.stderr is not None
        assert waiting.stderr.readline() == f"job {job['id']}: queued\n"
        assert worlds(idle, "job-cancel", job["id"]).code == 0
        out, err = waiting.communicate(timeout=30)
    finally:
        waiting.kill()
    assert waiting.returncode == 5
    assert "status:            cancelled" in out
    assert f"worlds: job {job['id']} cancelled" in err and "Traceback" not in err


def test_a_terminal_gets_a_progress_bar(busy: Served, busy_rest: Rest) -> None:
    job = busy_rest.wait_done(busy_rest.create()["id"])
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run([WORLDS, "job-wait", job["id"], "-q"], env=client_env(busy),
                              stdout=subprocess.PIPE, stderr=terminal, timeout=60)
        os.close(terminal)
        shown = b""
        while chunk := _read(controller):
            shown += chunk
    finally:
        os.close(controller)
    assert done.returncode == 0 and done.stdout.decode() == f"{job['resource_id']}\n"
    assert f"\rjob {job['id'][:8]}  completed  [{'#' * 28}] 100%".encode() in shown


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 4096)
    except OSError:  # EIO: the terminal's other end is closed and everything was read
        return b""
