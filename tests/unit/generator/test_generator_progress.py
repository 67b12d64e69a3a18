"""on_phase reports every phase, in order, with fractions rising to exactly 1.0."""

from __future__ import annotations

import pytest

from worlds.generator import PHASES, generate_world, resolve_spec


def test_phases_are_reported_in_order_with_monotonic_fractions():
    calls: list[tuple[str, float]] = []
    spec = resolve_spec("small", None, None, None, 3)
    generate_world(spec, on_phase=lambda phase, fraction: calls.append((phase, fraction)))
    assert [phase for phase, _ in calls] == list(PHASES)
    fractions = [fraction for _, fraction in calls]
    assert fractions == sorted(fractions)
    assert all(0.0 < fraction <= 1.0 for fraction in fractions)
    assert fractions[-1] == 1.0


def test_an_exception_from_on_phase_aborts_generation():
    class Cancelled(Exception):
        pass

    def cancel_after_directory(phase: str, fraction: float) -> None:
        if phase == "directory":
            raise Cancelled

    with pytest.raises(Cancelled):
        generate_world(resolve_spec("small", None, None, None, 3), on_phase=cancel_after_directory)
