"""job-wait's display: plain lines off a terminal, one redrawn bar on one."""

from __future__ import annotations

import io

from worlds.client.progress import Bar, Lines

JOB = {"id": "0b3e6c1e-9a4f-4c1e-8d2b-6f1a2b3c4d5e", "status": "running", "progress": 0.5}


def test_plain_lines_only_when_something_changed() -> None:
    out = io.StringIO()
    lines = Lines(out)
    for status, progress in [("queued", None), ("queued", None), ("running", 0.5), ("running", 0.501),
                             ("completed", 1.0)]:
        lines.update({**JOB, "status": status, "progress": progress})
    assert out.getvalue().splitlines() == [f"job {JOB['id']}: queued", f"job {JOB['id']}: running 50%",
                                           f"job {JOB['id']}: completed 100%"]


def test_the_bar_redraws_one_line() -> None:
    out = io.StringIO()
    now = [100.0]
    bar = Bar(out, clock=lambda: now[0])
    bar.update(JOB)
    now[0] += 65
    bar.tick()
    bar.close()
    first, second = out.getvalue().split("\r")[1:]
    assert first == f"job 0b3e6c1e  running    [{'#' * 14}{'.' * 14}]  50%  0:00\x1b[K"
    assert second == f"job 0b3e6c1e  running    [{'#' * 14}{'.' * 14}]  50%  1:05\x1b[K\n"
