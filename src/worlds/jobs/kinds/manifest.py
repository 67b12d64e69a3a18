"""Manifest jobs (`manifest_generation`): generate a world, publish it as a manifest."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from worlds.core.ids import new_id
from worlds.jobs.genproc import GenerationRequest
from worlds.jobs.kinds.base import InvalidJob
from worlds.store import manifests as manifest_store
from worlds.store.artifacts import EncodedWorld
from worlds.store.engine import Database
from worlds.store.queue import Publication

# Progress: generation maps to [START, START + SPAN]; storing the result is the rest.
GENERATION_START = 0.05
GENERATION_SPAN = 0.85


class ManifestRunner:
    async def task(self, db: Database, job: Row[Any]) -> GenerationRequest:
        try:
            return GenerationRequest.from_params(job.params)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidJob(f"invalid job parameters: {exc}") from exc

    def progress(self, phase: str, fraction: float) -> float:
        return GENERATION_START + GENERATION_SPAN * fraction

    def publication(self, job: Row[Any], result: Any) -> Publication:
        encoded: EncodedWorld = result
        manifest = manifest_store.NewManifest(
            id=new_id(), organization_id=job.organization_id, workspace_id=job.workspace_id,
            project_id=job.project_id, created_by=job.created_by, source_job_id=job.id,
            name=job.name, preset=job.params.get("preset"), seed=int(job.params["seed"]),
            stats=encoded.stats, artifact_refs=encoded.refs)
        return Publication(
            manifest.id, {"manifest_id": manifest.id, "stats": manifest.stats},
            lambda conn, now: manifest_store.insert_manifest(conn, manifest, encoded.chunks, now))

    def stored_items(self, result: Any) -> int:
        return int(result.item_count)
