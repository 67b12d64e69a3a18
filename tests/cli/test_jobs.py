"""job-list, job-get and job-cancel against a real server whose jobs stay queued."""

from __future__ import annotations

import uuid

import pytest

from tests.cli.conftest import Rest, worlds
from tests.support.served import Served


def test_job_get(idle: Served, idle_rest: Rest) -> None:
    job = idle_rest.create(name="get-me")
    assert worlds(idle, "job-get", job["id"], "--json").json() == job
    table = worlds(idle, "job-get", job["id"]).out
    assert f"id:                {job['id']}" in table and "status:            queued" in table


def test_job_list_filters(idle: Served, idle_rest: Rest) -> None:
    queued = idle_rest.create()
    cancelled = idle_rest.create()
    assert idle_rest.call("POST", f"/jobs/{cancelled['id']}/cancel").status_code == 200

    page = worlds(idle, "job-list", "--status", "cancelled", "--kind", "manifest_generation",
                  "--project-id", cancelled["project_id"], "--created-by", cancelled["created_by"],
                  "--json").json()
    assert cancelled["id"] in [j["id"] for j in page["items"]]
    assert {j["status"] for j in page["items"]} == {"cancelled"}
    assert queued["id"] not in [j["id"] for j in page["items"]]

    nobody = worlds(idle, "job-list", "--created-by", str(uuid.uuid4()), "--json").json()
    assert (nobody["items"], nobody["total"]) == ([], 0)


def test_job_list_limit_reads_as_many_pages_as_needed(idle: Served, idle_rest: Rest) -> None:
    for _ in range(105):
        idle_rest.create()
    page = worlds(idle, "job-list", "--limit", "103", "--json").json()
    assert len(page["items"]) == 103 and page["total"] >= 105
    assert len({j["id"] for j in page["items"]}) == 103, "no job twice across pages"
    created = [j["created_at"] for j in page["items"]]
    assert created == sorted(created, reverse=True), "newest first"

    table = worlds(idle, "job-list", "--limit", "2").out.splitlines()
    assert table[0].split() == ["ID", "STATUS", "PROGRESS", "CREATED", "RESOURCE", "ERROR"]
    assert len(table) == 4 and table[-1] == f"2 of {page['total']} jobs"


def test_job_cancel(idle: Served, idle_rest: Rest) -> None:
    job = idle_rest.create()
    cancelled = worlds(idle, "job-cancel", job["id"], "--json").json()
    assert cancelled["status"] == "cancelled" and cancelled["completed_at"]
    again = worlds(idle, "job-cancel", job["id"])
    assert again.code == 1 and "(409 conflict)" in again.err and again.out == ""


@pytest.mark.parametrize("command", ["job-get", "job-cancel", "job-wait"])
def test_unknown_job_is_not_found(idle: Served, command: str) -> None:
    job_id = str(uuid.uuid4())
    done = worlds(idle, command, job_id)
    assert done.code == 1 and done.out == ""
    assert f"worlds: Job '{job_id}' not found (404 not_found)" in done.err


def test_a_malformed_id_names_the_argument(idle: Served) -> None:
    done = worlds(idle, "job-get", "not-a-uuid")
    assert done.code == 1
    assert "(422 validation_error)" in done.err and "JOB_ID: must be a UUID" in done.err
