"""A trajectory job's sampling, as it runs in the generation child process.

`TrajectoryTask.run` decodes the manifest's world from its stored chunks once, builds
the sampler's index and the job's plan (goal and distances) once, then samples
`sequence_index` 0…count-1, each with `worlds.sampler.sample`, and encodes each one's
replay for storage (`worlds.store.trajectory_artifacts`).

With `threads` > 1 the indexes are shared out among that many forked processes
(fork, not spawn, so they inherit the index instead of rebuilding it; this process
holds no gRPC state, so forking it is safe; plain `os.fork`, since a daemonic
multiprocessing child may not start a `multiprocessing` pool). A trajectory is a pure
function of (world, request, sequence_index), so the output is the same bytes
whatever `threads` is and whichever process samples which index; results are put
back in sequence_index order. The forked processes die with this one: the worker
SIGKILLs the child to cancel a job, and its pool must not outlive it.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

from worlds import sampler
from worlds.store.artifacts import Chunk, decode_world
from worlds.store.trajectory_artifacts import EncodedTrajectory, encode_trajectory

Report = Callable[[str, float], None]

# The job a forked pool process samples from: set before the fork, inherited by it.
_JOB: tuple[sampler.WorldIndex, sampler.SampleRequest, bool] | None = None


@dataclass(frozen=True)
class SampledBatch:
    """What the child hands back: the kept trajectories in sequence_index order."""

    sampled: int
    successful: int
    items: list[EncodedTrajectory]
    # Items of the world sampled (nodes + edges), to decide whether to recycle the child.
    world_items: int = 0


@dataclass(frozen=True)
class TrajectoryTask:
    """A trajectory job's inputs, as the worker sends them to the child."""

    world: list[Chunk] = field(repr=False)
    world_seed: int
    goal: str
    strategy: str
    mode: str
    max_steps: int
    seed: int
    count: int
    threads: int
    only_successful: bool

    def run(self, report: Report) -> SampledBatch:
        """Sample the job (see the module docstring). Raises GoalError, NoFootholdError
        or ValueError on input the sampler rejects: the job then fails."""
        global _JOB
        report("loading", 0.0)
        world = decode_world(self.world, self.world_seed)
        world_items = len(world["nodes"]) + len(world["edges"])
        index = sampler.prepare(world)
        del world
        request = sampler.SampleRequest(goal=self.goal, strategy=self.strategy, mode=self.mode,
                                        max_steps=self.max_steps, seed=self.seed)
        sampler.plan(index, self.goal)  # once, before any fork: every process shares it
        _JOB = (index, request, self.only_successful)
        try:
            found = self._sample_all(report)
        finally:
            _JOB = None
        found.sort(key=lambda item: item[0])
        kept = [item for _, success, item in found if item is not None]
        return SampledBatch(sampled=len(found), successful=sum(s for _, s, _ in found),
                            items=kept, world_items=world_items)

    def _sample_all(self, report: Report) -> list[tuple[int, bool, EncodedTrajectory | None]]:
        found: list[tuple[int, bool, EncodedTrajectory | None]] = []
        processes = min(self.threads, self.count)
        if processes <= 1:
            for sequence_index in range(self.count):
                found.append(_sample_one(sequence_index))
                report("sampling", len(found) / self.count)
            return found
        return self._sample_forked(processes, report)

    def _sample_forked(self, processes: int, report: Report
                       ) -> list[tuple[int, bool, EncodedTrajectory | None]]:
        """Sample in `processes` forked processes, process `w` taking the indexes
        w, w + processes, ... Each sends its trajectories as it finishes them."""
        found: list[tuple[int, bool, EncodedTrajectory | None]] = []
        parent = os.getpid()
        readers: list[Connection] = []
        pids: list[int] = []
        # The index is read-only from here on; freezing it keeps the collector of the
        # forked processes from writing to (and so copying) every page it holds.
        gc.freeze()
        try:
            for share in range(processes):
                reader, writer = multiprocessing.Pipe(duplex=False)
                pid = os.fork()
                if pid == 0:  # pragma: no cover - runs in the forked process
                    reader.close()
                    _sample_share(parent, writer, range(share, self.count, processes))
                writer.close()
                readers.append(reader)
                pids.append(pid)
            running = set(readers)
            while running:
                for ready in wait(list(running)):
                    assert isinstance(ready, Connection)
                    try:
                        kind, value = ready.recv()
                    except EOFError:
                        raise RuntimeError("a sampling process died") from None
                    if kind == "item":
                        found.append(value)
                        report("sampling", len(found) / self.count)
                    elif kind == "end":
                        running.discard(ready)
                    else:
                        raise ValueError(value)
        finally:
            for reader in readers:
                reader.close()
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(OSError):
                    os.waitpid(pid, 0)
            gc.unfreeze()
        return found


def _sample_share(parent: int, writer: Connection, indexes: range) -> None:
    """The body of one forked sampling process; never returns."""
    code = 0
    try:
        _die_with_parent(parent)
        for sequence_index in indexes:
            writer.send(("item", _sample_one(sequence_index)))
        writer.send(("end", None))
    except BaseException as exc:
        code = 1
        with contextlib.suppress(Exception):
            writer.send(("error", str(exc) or exc.__class__.__name__))
    finally:
        os._exit(code)


def _sample_one(sequence_index: int) -> tuple[int, bool, EncodedTrajectory | None]:
    """Sample and encode one trajectory of the current job; None in place of an
    unsuccessful one when the job keeps only successful trajectories."""
    assert _JOB is not None
    index, request, only_successful = _JOB
    trajectory = sampler.sample(index, request, sequence_index)
    if only_successful and not trajectory.success:
        return sequence_index, False, None
    replay = {"goal_spec": trajectory.goal_spec, "initial_state": trajectory.initial_state,
              "node_names": trajectory.node_names}
    encoded = encode_trajectory(
        sequence_index, trajectory.steps, trajectory.steps_bytes(), replay,
        success=trajectory.success, termination_reason=trajectory.termination_reason,
        summary=trajectory.summary)
    return sequence_index, trajectory.success, encoded


def _die_with_parent(parent_pid: int) -> None:
    """In each forked process: exit as soon as the sampling child is gone (killed to cancel
    the job, or crashed), at once where the kernel can say so (Linux), else by polling."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True).start()

