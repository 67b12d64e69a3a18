"""Tables and fields for people."""

from __future__ import annotations

from worlds.client import views
from worlds.client.output import table, when

JOB = {"id": "0b3e6c1e-9a4f-4c1e-8d2b-6f1a2b3c4d5e", "status": "running", "progress": 0.5,
       "kind": "manifest_generation", "resource_type": None, "resource_id": None, "error": None,
       "created_at": "2026-11-23T10:00:00.123456Z", "created_by_user": {"username": "ann"}}


def test_tables_pad_every_column_but_the_last() -> None:
    assert table(("ID", "NAME"), [("a", None), ("long-id", ["x", "y"])]).splitlines() == [
        "ID       NAME", "a        -", "long-id  x, y"]


def test_timestamps_show_to_the_second() -> None:
    assert when("2026-11-23T10:00:00.123456Z") == "2026-11-23 10:00:00Z"
    assert when(None) == "-"


def test_a_job_reads_as_fields() -> None:
    text = views.job(JOB)
    assert "status:            running" in text and "progress:          50%" in text
    assert "created by:        ann" in text and "created:           2026-11-23 10:00:00Z" in text
