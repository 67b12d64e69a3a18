"""`SampleRequest`: the fields of a trajectory job the sampler needs, validated."""

from __future__ import annotations

from dataclasses import dataclass

STRATEGIES = ("random", "greedy", "recon-first", "smart-random")
MODES = ("kali", "c2")
MIN_STEPS, MAX_STEPS = 1, 1000
MIN_SEED, MAX_SEED = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class SampleRequest:
    """One job's sampling parameters (trajectories.md, "Create").

    `mode` is the command vocabulary only; `agent` mode never reaches the sampler.
    Raises ValueError on a value outside the contract.
    """

    goal: str = "Domain Admins"
    strategy: str = "random"
    mode: str = "kali"
    max_steps: int = 100
    seed: int = 42

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {self.strategy!r}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        for name, value, low, high in (("max_steps", self.max_steps, MIN_STEPS, MAX_STEPS),
                                       ("seed", self.seed, MIN_SEED, MAX_SEED)):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer in {low}..{high}, got {value!r}")
