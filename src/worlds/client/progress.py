"""How job-wait shows a job while it waits, on stderr: a live bar on a terminal, plain lines
elsewhere (a log or a CI console gets one line per change, no control characters)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from worlds.client.output import percent


class Progress(Protocol):
    def update(self, job: dict[str, Any]) -> None:
        """Show the job's latest state."""

    def tick(self) -> None:
        """Called every second: a live display can move its clock."""

    def close(self) -> None:
        """Leave the output ready for the next line."""


class Bar:
    """One line, redrawn in place: `job 1a2b3c4d  running    [#######.......]  50%  0:03`."""

    width = 28

    def __init__(self, out: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._out = out
        self._clock = clock
        self._started = clock()
        self._job: dict[str, Any] | None = None
        self._drawn = False

    def update(self, job: dict[str, Any]) -> None:
        self._job = job
        self._draw(job)

    def tick(self) -> None:
        if self._job is not None and self._drawn:
            self._draw(self._job)

    def _draw(self, job: dict[str, Any]) -> None:
        progress = job.get("progress")
        status = str(job.get("status"))
        if status == "completed":
            progress = 1.0
        filled = round(self.width * min(max(progress or 0.0, 0.0), 1.0))
        bar = "#" * filled + "." * (self.width - filled)
        minutes, seconds = divmod(int(self._clock() - self._started), 60)
        text = (f"job {str(job.get('id'))[:8]}  {status:<10} [{bar}] {percent(progress).rjust(4)}"
                f"  {minutes}:{seconds:02d}")
        # \r back to the start, ESC[K clears what a longer previous line left behind.
        self._out.write(f"\r{text}\x1b[K")
        self._out.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self._out.write("\n")
            self._out.flush()
            self._drawn = False


class Lines:
    """A line each time the status or the shown percentage changes."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._last: str | None = None

    def update(self, job: dict[str, Any]) -> None:
        progress = job.get("progress")
        shown = str(job.get("status")) + ("" if progress is None else f" {percent(progress)}")
        if shown == self._last:
            return
        self._last = shown
        print(f"job {job.get('id')}: {shown}", file=self._out, flush=True)

    def tick(self) -> None:
        pass

    def close(self) -> None:
        pass


def progress_for(out: TextIO) -> Progress:
    return Bar(out) if out.isatty() else Lines(out)
