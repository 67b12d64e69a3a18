"""A job's CPU work in a child process, so the event loop keeps serving.

Generating an enterprise world is seconds of pure-Python CPU work; in the API
process it would stall every RPC. A `GenerationProcess` is one long-lived child,
started with the "spawn" method: gRPC Python does not support fork() once a
server exists (grpc/grpc doc/fork_support.md: threads caught in a critical
section leave gRPC's state invalid in the child), while spawn execs a fresh
interpreter. The child keeps running between jobs, so a
small job pays no start-up cost; it is killed to cancel a job at once, and
replaced after a very large world so the worker does not keep its peak memory.

Protocol over one pipe: the parent sends a `ChildTask` (or None to stop): a
picklable object whose `run(report)` does the work in the child, calling
`report(phase, fraction)` as it goes (a `GenerationRequest` generates a world; a
trajectory job's task, `worlds.jobs.sampling.TrajectoryTask`, samples one). The
child answers with `("phase", name, fraction)` for each report, then
`("done", result)` or `("error", message)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol

from worlds.store.artifacts import EncodedWorld

_CONTEXT = multiprocessing.get_context("spawn")

PhaseCallback = Callable[[str, float], Awaitable[None]]
Report = Callable[[str, float], None]


class ChildTask(Protocol):
    """Work for the child process. Pickled to it, so its class must be importable there;
    `run` raises (any Exception) to fail the job: the input cannot succeed."""

    def run(self, report: Report) -> Any: ...


class GenerationFailed(Exception):
    """The generator rejected its input or raised: running it again cannot help."""


class GenerationCrashed(Exception):
    """The child process died before answering (killed, out of memory, a crash)."""

    def __init__(self, exitcode: int | None) -> None:
        self.exitcode = exitcode
        if exitcode is not None and exitcode < 0:
            how = f"was killed by signal {-exitcode}"
        else:
            how = f"exited with code {exitcode}"
        super().__init__(f"the generation process {how}")


@dataclass(frozen=True)
class GenerationRequest:
    """The generator's inputs as a job stores them; None means "the default"."""

    preset: str | None
    num_users: int | None
    num_hosts: int | None
    domains: tuple[str, ...] | None
    seed: int
    security_level: str | None = None

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> GenerationRequest:
        domains = params.get("domains")
        return cls(preset=params.get("preset"), num_users=params.get("num_users"),
                   num_hosts=params.get("num_hosts"),
                   domains=tuple(domains) if domains else None, seed=int(params["seed"]),
                   security_level=params.get("security_level"))

    def run(self, report: Report) -> EncodedWorld:
        """Generate and encode the world (in the child), reporting each generator phase and
        then each part of the encoding, so progress never stalls for the whole encoding."""
        from worlds.generator import generate_world, resolve_spec
        from worlds.generator.collector import collector_paused
        from worlds.store.artifacts import encode_world

        spec = resolve_spec(self.preset, self.num_users, self.num_hosts, self.domains, self.seed,
                            self.security_level)
        world = generate_world(spec, on_phase=lambda phase, done: report(
            phase, GENERATION_SHARE * done))
        # The encoding makes no cycles either, with the world alive: an enterprise
        # world encodes in ~3.0 s with the collector paused, ~4.5 s without.
        with collector_paused():
            encoded = encode_world(world, on_part=lambda part, done: report(
                part, GENERATION_SHARE + (1 - GENERATION_SHARE) * done))
        del world
        return encoded


# Of a manifest task's reported fraction, the part the generator's phases take; encoding
# the world into chunks is the rest (about a third of the time on an enterprise world).
GENERATION_SHARE = 0.7


class GenerationProcess:
    """One child process that runs jobs' tasks on request, one at a time."""

    def __init__(self) -> None:
        self._process: Any = None
        self._conn: Connection | None = None
        # recv() blocks; it runs on this slot's own thread, never on the loop.
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="worlds-genproc")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the child if it is not running (it imports the generator meanwhile)."""
        if self._process is not None and self._process.is_alive():
            return
        self._discard()
        parent_end, child_end = _CONTEXT.Pipe(duplex=True)
        process = _CONTEXT.Process(target=_serve, args=(child_end, os.getpid()),
                                   name="worlds-generator", daemon=True)
        process.start()
        child_end.close()
        self._process, self._conn = process, parent_end

    async def generate(self, request: ChildTask, on_phase: PhaseCallback) -> Any:
        """Run `request` in the child (for a `GenerationRequest`: generate and encode its
        world), calling `on_phase` for each report. Raises GenerationFailed,
        GenerationCrashed, or whatever `on_phase` raises; on any exception but
        GenerationFailed the child is killed."""
        self.start()
        assert self._conn is not None
        loop = asyncio.get_running_loop()
        try:
            try:
                self._conn.send(request)
            except OSError:  # it died while idle
                raise GenerationCrashed(_exitcode(self._process)) from None
            while True:
                message = await loop.run_in_executor(self._reader, self._receive)
                if message[0] == "eof":
                    # Reaped here, on the loop's thread, never on the reader's: two
                    # threads waiting for one child race, and one loses its status.
                    raise GenerationCrashed(_exitcode(self._process))
                if message[0] == "phase":
                    await on_phase(message[1], message[2])
                elif message[0] == "done":
                    world: EncodedWorld = message[1]
                    return world
                else:
                    raise GenerationFailed(message[1])
        except GenerationFailed:
            raise
        except BaseException:
            self.kill()
            raise

    def _receive(self) -> Any:
        try:
            assert self._conn is not None
            return self._conn.recv()
        except (EOFError, OSError, AssertionError):
            return ("eof",)

    def kill(self) -> None:
        """Stop the child at once (SIGKILL): a cancelled job must not wait for a phase.
        The pipe stays open until the next `start`, so a blocked reader sees EOF."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join(5)

    def retire(self, timeout: float = 2.0) -> None:
        """Ask an idle child to exit (killing it if it does not); `start` makes a new one."""
        if self._conn is not None and self._process is not None and self._process.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._process.join(timeout)
        self.kill()

    def close(self, timeout: float = 2.0) -> None:
        """Retire the child for good and release the reader thread."""
        self.retire(timeout)
        self._discard()
        self._reader.shutdown(wait=False)

    def _discard(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            with contextlib.suppress(ValueError):
                self._process.close()
        self._process = self._conn = None


def _exitcode(process: Any) -> int | None:
    if process is None:
        return None
    try:
        process.join(5)
        code: int | None = process.exitcode
        return code
    except ValueError:  # closed: it was retired
        return None


# -- the child ------------------------------------------------------------------------


def _exit_with_parent(parent_pid: int) -> None:
    # A SIGKILLed worker cannot stop its child; the child notices it was orphaned
    # (re-parented) and exits rather than finish a world nobody will read.
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)
        time.sleep(0.5)


def _serve(conn: Connection, parent_pid: int) -> None:
    # Ctrl-C reaches the whole process group; the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()

    # Imported while idle, so the first job does not pay for it.
    import worlds.generator
    import worlds.sampler  # noqa: F401

    def report(phase: str, fraction: float) -> None:
        conn.send(("phase", phase, fraction))

    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        try:
            result = request.run(report)
            conn.send(("done", result))
            del result
        except Exception as exc:
            conn.send(("error", str(exc) or exc.__class__.__name__))
