"""Trajectory jobs (`trajectory_generation`): sample a batch of trajectories through a
manifest's world and publish them, all in one transaction with the job's completion.

The worker reads the manifest's stored chunks (compressed, a few MB even for an
enterprise world) and sends them to the child, which decodes the world once and
samples the batch (`worlds.jobs.sampling`). Progress is the fraction of the batch
sampled. `result` is `{trajectory_ids (sequence_index order), sampled, kept,
successful}`; a job of `count` 1 also sets `resource_id` to its trajectory's id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row

from worlds.core.ids import new_id
from worlds.jobs.kinds.base import InvalidJob
from worlds.jobs.sampling import SampledBatch, TrajectoryTask
from worlds.store import manifests as manifest_store
from worlds.store import trajectories as trajectory_store
from worlds.store.engine import Database
from worlds.store.queue import Publication


class TrajectoryRunner:
    async def task(self, db: Database, job: Row[Any]) -> TrajectoryTask:
        params = job.params
        try:
            manifest_id = str(params["manifest_id"])

            def read(conn: Connection) -> tuple[Row[Any] | None, list[Any]]:
                manifest = manifest_store.get_manifest(conn, job.workspace_id, manifest_id)
                if manifest is None:
                    return None, []
                return manifest, manifest_store.read_world_chunks(conn, manifest.id)

            manifest, chunks = await db.read(read)
            if manifest is None:
                raise InvalidJob(f"manifest '{manifest_id}' no longer exists")
            return TrajectoryTask(
                world=chunks, world_seed=int(manifest.seed), goal=str(params["goal"]),
                strategy=str(params["strategy"]), mode=str(params["mode"]),
                max_steps=int(params["max_steps"]), seed=int(params["seed"]),
                count=int(params["count"]), threads=int(params["threads"]),
                only_successful=bool(params["only_successful"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidJob(f"invalid job parameters: {exc}") from exc

    def progress(self, phase: str, fraction: float) -> float:
        # Loading the world reports 0; storing the batch is the completing write.
        return fraction if phase == "sampling" else 0.0

    def publication(self, job: Row[Any], result: Any) -> Publication:
        batch: SampledBatch = result
        params = job.params
        ids = [new_id() for _ in batch.items]
        records = trajectory_store.TrajectoryBatch(
            organization_id=job.organization_id, workspace_id=job.workspace_id,
            project_id=job.project_id, manifest_id=str(params["manifest_id"]),
            source_job_id=job.id, created_by=job.created_by, name=job.name,
            goal=str(params["goal"]), strategy=str(params["strategy"]), mode=str(params["mode"]),
            max_steps=int(params["max_steps"]), seed=int(params["seed"]),
            items=list(zip(ids, batch.items, strict=True)))
        summary = {"trajectory_ids": ids, "sampled": batch.sampled, "kept": len(ids),
                   "successful": batch.successful}
        resource_id = ids[0] if int(params["count"]) == 1 and ids else None
        return Publication(resource_id, summary,
                           lambda conn, now: trajectory_store.insert_trajectories(conn, records, now))

    def stored_items(self, result: Any) -> int:
        return int(result.world_items)
