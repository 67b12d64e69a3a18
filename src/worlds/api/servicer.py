"""The WorldsService servicer: the job, manifest, inspection and trajectory RPCs, one module each.

Each RPC checks the caller, validates, calls the store or queue and maps the result to
protobuf; nothing else. Domain errors become `google.rpc.Status` at one boundary
(`worlds.api.boundary`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from worlds.api.admission import Admission
from worlds.api.inspection import InspectionRpcs
from worlds.api.jobs import JobRpcs, random_seed
from worlds.api.trajectories import TrajectoryRpcs
from worlds.api.world_cache import WorldCache
from worlds.core.clock import Clock, system_clock
from worlds.store.engine import Database
from worlds.v1 import worlds_service_pb2_grpc
from worlds.watch.hub import EventHub

if TYPE_CHECKING:
    from worlds.store.notify import JobSignals


class WorldsServicer(JobRpcs, InspectionRpcs, TrajectoryRpcs,
                     worlds_service_pb2_grpc.WorldsServiceServicer):
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = system_clock,
        max_attempts: int = 3,
        seed_source: Callable[[], int] = random_seed,
        signals: JobSignals | None = None,
        hub: EventHub | None = None,
        watch_heartbeat: float = 15.0,
        admission: Admission | None = None,
    ) -> None:
        super().__init__(db, clock=clock, max_attempts=max_attempts, seed_source=seed_source,
                         signals=signals, hub=hub, watch_heartbeat=watch_heartbeat)
        self.admission = admission
        self._world_cache = WorldCache()
