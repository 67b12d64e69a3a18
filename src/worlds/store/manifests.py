"""Manifests and their compressed artifacts: writing them once, reading them by page.

A manifest is inserted only by `worlds.store.queue.complete`, in the same
transaction as its job's completion. Reads touch the chunks a request needs
(`worlds.store.artifacts` describes the layout); they never load a whole world.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from worlds.store import artifacts, principal_index
from worlds.store.models import Manifest, ManifestChunk, User, table_of

manifests = table_of(Manifest)
chunks = table_of(ManifestChunk)
users = table_of(User)

# A manifest with its creator's identity (the contract's created_by_user, as on jobs).
_WITH_CREATOR = select(manifests, users.c.email.label("user_email"),
                       users.c.username.label("user_username"),
                       users.c.full_name.label("user_full_name")).select_from(
    manifests.outerjoin(users, users.c.id == manifests.c.created_by))

MANIFEST_KIND = "active_directory"
# Rows per INSERT: keeps one statement to a few MB even for enterprise chunks.
_INSERT_BATCH = 32


@dataclass(frozen=True)
class NewManifest:
    id: str
    organization_id: str
    workspace_id: str
    project_id: str | None
    created_by: str | None
    source_job_id: str
    name: str | None
    preset: str | None
    seed: int
    stats: dict[str, Any]
    artifact_refs: dict[str, Any]


@dataclass(frozen=True)
class ManifestFilter:
    workspace_id: str
    project_id: str | None = None
    created_by: str | None = None


@dataclass(frozen=True)
class ManifestPage:
    rows: list[Row[Any]]
    total: int


def insert_manifest(conn: Connection, new: NewManifest, parts: Sequence[artifacts.Chunk],
                    now: datetime) -> None:
    """Insert a manifest and its chunks. A second manifest for the same job violates
    `uq_manifests_source_job_id`; the completion fence makes that unreachable."""
    conn.execute(manifests.insert().values(
        id=new.id, organization_id=new.organization_id, workspace_id=new.workspace_id,
        project_id=new.project_id, created_by=new.created_by, source_job_id=new.source_job_id,
        name=new.name, manifest_kind=MANIFEST_KIND, preset=new.preset, seed=new.seed,
        stats=new.stats, artifact_refs=new.artifact_refs, created_at=now))
    rows = [{"manifest_id": new.id, "kind": part.kind, "chunk_index": part.index,
             "item_count": part.item_count, "data": part.data} for part in parts]
    for start in range(0, len(rows), _INSERT_BATCH):
        conn.execute(chunks.insert(), rows[start:start + _INSERT_BATCH])


def get_manifest(conn: Connection, workspace_id: str, manifest_id: str) -> Row[Any] | None:
    """The manifest, or None when it does not exist in this workspace."""
    return conn.execute(_WITH_CREATOR.where(
        manifests.c.id == manifest_id, manifests.c.workspace_id == workspace_id)).first()


def manifest_of_job(conn: Connection, job_id: str) -> Row[Any] | None:
    return conn.execute(select(manifests).where(manifests.c.source_job_id == job_id)).first()


def list_manifests(conn: Connection, flt: ManifestFilter, offset: int, limit: int) -> ManifestPage:
    """A page of manifests, newest first (created_at, then id, descending), and the
    exact total. Manifests are far fewer than jobs, so the total is a plain COUNT
    over the workspace's index."""
    clauses = [manifests.c.workspace_id == flt.workspace_id]
    if flt.project_id is not None:
        clauses.append(manifests.c.project_id == flt.project_id)
    if flt.created_by is not None:
        clauses.append(manifests.c.created_by == flt.created_by)
    rows = list(conn.execute(
        _WITH_CREATOR.where(*clauses)
        .order_by(manifests.c.created_at.desc(), manifests.c.id.desc())
        .offset(offset).limit(limit)))
    total = conn.execute(select(func.count()).select_from(manifests).where(*clauses)).scalar_one()
    return ManifestPage(rows, int(total))


def read_run(conn: Connection, manifest: Row[Any], kind: str, offset: int, limit: int) -> list[Any]:
    """Items `[offset, offset + limit)` of the manifest's `nodes` or `edges`; empty past
    the end. Reads only the chunks the page overlaps."""
    layout = manifest.artifact_refs["layout"][kind]
    size, count = layout["chunk_size"], layout["count"]
    span = artifacts.chunk_span(offset, limit, size, count)
    if not span:
        return []
    found = conn.execute(
        select(chunks.c.data)
        .where(chunks.c.manifest_id == manifest.id, chunks.c.kind == kind,
               chunks.c.chunk_index.between(span.start, span.stop - 1))
        .order_by(chunks.c.chunk_index)).scalars()
    items: list[Any] = []
    for data in found:
        items.extend(artifacts.decode_run(kind, data))
    skip = offset - span.start * size
    return items[skip:skip + limit]


def run_count(manifest: Row[Any], kind: str) -> int:
    """How many `nodes` or `edges` the manifest's world has."""
    return int(manifest.artifact_refs["layout"][kind]["count"])


def read_detail(conn: Connection, manifest: Row[Any], kind: str, key: str) -> dict[str, Any] | None:
    """One host's or principal's details (with its edges), or None if there is no such id.
    Reads the one bucket that would hold it."""
    layout = manifest.artifact_refs["layout"][kind]
    bucket = artifacts.bucket_of(key, layout["buckets"])
    data = conn.execute(select(chunks.c.data).where(
        chunks.c.manifest_id == manifest.id, chunks.c.kind == kind,
        chunks.c.chunk_index == bucket)).scalar()
    if data is None:
        return None
    entry = artifacts.decode(data).get(key)
    return None if entry is None else artifacts.decode_detail(entry, key)


def read_world_chunks(conn: Connection, manifest_id: str) -> list[artifacts.Chunk]:
    """Every stored chunk of a manifest's world, still compressed (a few MB for an
    enterprise world): the whole world, for the sampler (`artifacts.decode_world`)."""
    found = conn.execute(
        select(chunks.c.kind, chunks.c.chunk_index, chunks.c.item_count, chunks.c.data)
        .where(chunks.c.manifest_id == manifest_id, chunks.c.kind.in_(artifacts.WORLD_KINDS))
        .order_by(chunks.c.kind, chunks.c.chunk_index))
    return [artifacts.Chunk(kind, index, count, bytes(data)) for kind, index, count, data in found]


def chunk_counts(conn: Connection, manifest_id: str) -> dict[str, int]:
    """Items stored per kind (for consistency checks)."""
    rows = conn.execute(
        select(chunks.c.kind, func.sum(chunks.c.item_count))
        .where(chunks.c.manifest_id == manifest_id).group_by(chunks.c.kind))
    return {kind: int(total) for kind, total in rows}


def read_all(conn: Connection, manifest: Row[Any], kind: str) -> list[Any]:
    """Every item of the manifest's `nodes` or `edges`, in stored order (for the graph
    index, which reads a world once per manifest and process)."""
    found = conn.execute(
        select(chunks.c.data).where(chunks.c.manifest_id == manifest.id, chunks.c.kind == kind)
        .order_by(chunks.c.chunk_index)).scalars()
    items: list[Any] = []
    for data in found:
        items.extend(artifacts.decode_run(kind, data))
    return items


@dataclass(frozen=True)
class LoadedPrincipals:
    """A manifest's principal index, and its basic records when they are not stored."""

    index: principal_index.PrincipalIndex
    records: list[dict[str, Any]] | None
    """Only for manifests published before the index existed: built from the details."""


def read_principal_index(conn: Connection, manifest: Row[Any]) -> LoadedPrincipals:
    """The manifest's principal search index, read from the chunks stored with it; for an
    older manifest without them, built (once) from its details and nodes instead."""
    if principal_index.INDEX_KIND in manifest.artifact_refs["layout"]:
        found = conn.execute(
            select(chunks.c.data).where(chunks.c.manifest_id == manifest.id,
                                        chunks.c.kind == principal_index.INDEX_KIND)
            .order_by(chunks.c.chunk_index)).scalars()
        return LoadedPrincipals(
            principal_index.PrincipalIndex.from_columns(artifacts.decode(d) for d in found), None)
    details: dict[str, Any] = {}
    for data in conn.execute(select(chunks.c.data).where(
            chunks.c.manifest_id == manifest.id, chunks.c.kind == "principals")).scalars():
        for key, entry in artifacts.decode(data).items():
            details[key] = entry[0]
    order = principal_index.ordered_principals(read_all(conn, manifest, "nodes"), details)
    columns = principal_index.index_columns(order, details)
    return LoadedPrincipals(
        principal_index.PrincipalIndex.from_columns([columns]),
        [principal_index.basic_principal(details[key]) for key, _ in order])


def read_principal_rows(conn: Connection, manifest: Row[Any],
                        positions: Sequence[int]) -> list[dict[str, Any]]:
    """The basic records at these stored-order positions (in the order given), reading
    only the `principal_rows` chunks that hold them."""
    if not positions:
        return []
    size = manifest.artifact_refs["layout"][principal_index.RECORDS_KIND]["chunk_size"]
    wanted = sorted({position // size for position in positions})
    loaded = {
        index: artifacts.decode_run(principal_index.RECORDS_KIND, data)
        for index, data in conn.execute(
            select(chunks.c.chunk_index, chunks.c.data).where(
                chunks.c.manifest_id == manifest.id,
                chunks.c.kind == principal_index.RECORDS_KIND,
                chunks.c.chunk_index.in_(wanted)))
    }
    return [loaded[position // size][position % size] for position in positions]
