"""The jobs page stays live across a server restart, and follows the workspace switcher."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e.console.conftest import KEY, serve, sign_in
from tests.support.browser import Watched
from tests.support.console_api import create_world
from tests.support.jobs import WORLDS
from tests.support.served import Served


def test_the_jobs_page_resumes_its_stream_after_the_server_restarts(tmp_path: Path, console: Watched) -> None:
    served = serve(tmp_path)
    try:
        page = console.page
        sign_in(console, served.url)
        page.wait_for_selector("#live[data-state=live]")
        page.evaluate("window.__sameDocument = true")
        served.stop()
        page.wait_for_selector("#live:not([data-state=live])")
        # The same address again: the browser reconnects by itself, with Last-Event-ID.
        served = serve(tmp_path, ports=(served.http_port, served.grpc_port))
        page.wait_for_selector("#live[data-state=live]", timeout=60_000)
        job = create_world(served.url, KEY, name="after the restart", num_users=5, num_hosts=3)
        page.wait_for_selector(f"#jobs-body tr[data-job='{job['id']}'] .badge[data-status=completed]")
        assert page.evaluate("window.__sameDocument") is True
    finally:
        served.stop()


def test_switching_workspace_shows_that_workspaces_jobs(served: Served, console: Watched) -> None:
    for command in (["workspace-create", "local", "lab", "--name", "Lab"],
                    ["member-set", "local/lab", "admin", "owner"]):
        subprocess.run([WORLDS, *command, "--data-dir", str(served.data_dir)], check=True,
                       capture_output=True)
    job = create_world(served.url, KEY, num_users=5, num_hosts=3)
    page = console.page
    sign_in(console, served.url)
    page.wait_for_selector(f"#jobs-body tr[data-job='{job['id']}']")
    assert sorted(page.locator("#scope-ws option").all_inner_texts()) == ["Lab", "Main"]
    page.select_option("#scope-ws", "lab")
    page.wait_for_selector("#jobs-body tr.empty")
    page.reload()  # the choice is remembered
    page.wait_for_selector("#jobs-body tr.empty")
    # The switcher fills in beside the page.
    page.wait_for_selector("#scope-ws option[value=lab]", state="attached")
    assert page.locator("#scope-ws").input_value() == "lab"
    page.click("a[href='#/scope']")
    page.wait_for_selector("section[data-org=local] [data-ws=main]")
    page.click("section[data-org=local] [data-ws=main]")
    page.wait_for_selector(f"#jobs-body tr[data-job='{job['id']}']")
    assert console.errors == []
