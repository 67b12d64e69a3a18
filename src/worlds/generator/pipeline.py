"""`generate_world`: runs the phases in order and reports progress after each.

Users and hosts are split over the domains with the forest root weighing twice
any other domain, after each domain got one of each while they last.
"""

from __future__ import annotations

from collections.abc import Callable

from worlds.generator.collector import collector_paused
from worlds.generator.context import BuildContext
from worlds.generator.directory import build_directory
from worlds.generator.domains import build_domains
from worlds.generator.edges import build_edges
from worlds.generator.hosts import build_hosts
from worlds.generator.paths import plant_attack_paths
from worlds.generator.rng import apportion
from worlds.generator.services import build_services
from worlds.generator.spec import WorldSpec
from worlds.generator.world import World, finalize

PHASES: tuple[str, ...] = (
    "domains", "directory", "hosts", "services", "edges", "attack_paths", "finalize",
)

# Rough share of the run time of each phase (measured on the enterprise preset), so
# that the reported fraction tracks elapsed time.
_PHASE_WEIGHTS = {
    "domains": 1, "directory": 48, "hosts": 21, "services": 4,
    "edges": 12, "attack_paths": 1, "finalize": 13,
}


def generate_world(
    spec: WorldSpec, on_phase: Callable[[str, float], None] | None = None
) -> World:
    """Generate the world of `spec`; a pure function of it.

    `on_phase(phase, fraction_done)` is called after each phase of `PHASES`, with
    non-decreasing fractions ending at exactly 1.0. An exception it raises (for
    example to honour a cancellation) propagates and abandons the generation.
    """
    with collector_paused():
        return _generate(spec, on_phase)


def _generate(spec: WorldSpec, on_phase: Callable[[str, float], None] | None) -> World:
    ctx = BuildContext(spec)
    progress = _Progress(on_phase)
    weights = [2] + [1] * (len(spec.domains) - 1)
    build_domains(ctx, apportion(spec.num_users, weights), apportion(spec.num_hosts, weights))
    progress.done("domains")
    build_directory(ctx)
    progress.done("directory")
    build_hosts(ctx)
    progress.done("hosts")
    build_services(ctx)
    progress.done("services")
    build_edges(ctx)
    progress.done("edges")
    plant_attack_paths(ctx)
    progress.done("attack_paths")
    world = finalize(ctx)
    progress.done("finalize")
    return world


class _Progress:
    def __init__(self, on_phase: Callable[[str, float], None] | None) -> None:
        self._on_phase = on_phase
        self._total = sum(_PHASE_WEIGHTS.values())
        self._done = 0
        self._next = 0

    def done(self, phase: str) -> None:
        # Phases must be reported exactly in PHASES order.
        assert PHASES[self._next] == phase, (PHASES[self._next], phase)
        self._next += 1
        self._done += _PHASE_WEIGHTS[phase]
        if self._on_phase is not None:
            fraction = 1.0 if self._next == len(PHASES) else self._done / self._total
            self._on_phase(phase, fraction)
