"""Invariants of the store that any test can assert after exercising it."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from worlds.store.jobs import job_counts, jobs


def counts_by_group(conn: Connection, workspace_id: str) -> dict[tuple[str, str, str, str], int]:
    """The job counters of a workspace, zero rows left out."""
    rows = conn.execute(select(job_counts.c.project_id, job_counts.c.created_by, job_counts.c.kind,
                               job_counts.c.status, job_counts.c.n)
                        .where(job_counts.c.workspace_id == workspace_id, job_counts.c.n != 0))
    return {(r.project_id, r.created_by, r.kind, r.status): r.n for r in rows}


def actual_by_group(conn: Connection, workspace_id: str) -> dict[tuple[str, str, str, str], int]:
    """The same figures counted from the jobs themselves."""
    project = func.coalesce(jobs.c.project_id, "")
    creator = func.coalesce(jobs.c.created_by, "")
    rows = conn.execute(select(project, creator, jobs.c.kind, jobs.c.status, func.count())
                        .where(jobs.c.workspace_id == workspace_id)
                        .group_by(project, creator, jobs.c.kind, jobs.c.status))
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}


def assert_counts_consistent(conn: Connection, workspace_id: str) -> None:
    assert counts_by_group(conn, workspace_id) == actual_by_group(conn, workspace_id)
