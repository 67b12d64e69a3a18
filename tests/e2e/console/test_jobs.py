"""The jobs page follows the WatchJobs stream live; the job page cancels; names stay text."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.console.conftest import KEY, script_errors, serve, sign_in
from tests.support.browser import Watched
from tests.support.console_api import WORLDS, create_world, rest, wait_job
from tests.support.jobs import WorkerProcess
from tests.support.served import Served

RECORD_STATUSES = """() => {
  window.__seen = {};
  const record = () => {
    for (const row of document.querySelectorAll('#jobs-body tr[data-job]')) {
      const status = row.querySelector('.badge').dataset.status;
      const seen = (window.__seen[row.dataset.job] ||= []);
      if (seen[seen.length - 1] !== status) seen.push(status);
    }
  };
  record();
  new MutationObserver(record)
    .observe(document.getElementById('jobs-body'), {childList: true, subtree: true});
}"""


def test_a_new_world_goes_queued_running_completed_on_the_jobs_page_without_reload(
        tmp_path: Path, console: Watched) -> None:
    served = serve(tmp_path, worker=False)
    worker = None
    try:
        page = console.page
        sign_in(console, served.url)
        page.click("a[data-nav=new]")
        page.fill("#f-name", "live world")
        page.fill("#f-seed", "7")
        page.click("#create-world")
        page.wait_for_selector("#jobs-body tr[data-job] .badge[data-status=queued]")
        page.wait_for_selector("#live[data-state=live]")
        page.evaluate("window.__sameDocument = true")
        page.evaluate(RECORD_STATUSES)
        # The service has no worker yet: the job waits, queued, until one starts.
        worker = WorkerProcess(f"sqlite:///{served.data_dir / 'worlds.db'}", tmp_path, "worker")
        page.wait_for_selector("#jobs-body tr[data-job] .badge[data-status=completed]", timeout=60_000)
        seen = page.evaluate("window.__seen")
        assert list(seen.values()) == [["queued", "running", "completed"]]
        assert page.evaluate("window.__sameDocument") is True  # no reload happened
        row = page.locator("#jobs-body tr[data-job]").first
        assert "world" in row.locator("td").nth(7).inner_text()  # links to what it produced
        assert console.errors == []
        assert console.foreign_requests(served.url) == []
    finally:
        if worker is not None:
            worker.stop()
        served.stop()


def test_the_jobs_page_pages_and_filters(served: Served, console: Watched) -> None:
    for seed in range(3):
        create_world(served.url, KEY, seed=seed, num_users=5, num_hosts=3)
    page = console.page
    sign_in(console, served.url)
    page.goto(served.url + "/ui/#/jobs?page_size=20&status=completed")
    page.wait_for_selector("#jobs-body tr[data-job]")
    assert page.locator("#jobs-body tr[data-job]").count() == 3
    assert page.locator("#jobs-total").inner_text() == "3 jobs"
    page.select_option("#filter-status", "failed")
    page.wait_for_selector("#jobs-body tr.empty")
    assert console.errors == []


def test_cancel_a_running_job_from_its_page(served: Served, console: Watched) -> None:
    job = rest(served.url, "POST", f"{WORLDS}/manifests", KEY, {"preset": "enterprise", "seed": 3})
    page = console.page
    sign_in(console, served.url)
    page.goto(f"{served.url}/ui/#/jobs/{job['id']}")
    page.wait_for_selector("#job-detail .badge[data-status=running]", timeout=60_000)
    page.click("#cancel-job")
    page.wait_for_selector("#job-detail .badge[data-status=cancelled]", timeout=60_000)
    assert wait_job(served.url, KEY, job["id"], ("cancelled",))["status"] == "cancelled"
    assert page.locator("#cancel-job").is_disabled()
    assert console.errors == []


def test_a_world_named_like_a_script_renders_as_text(served: Served, console: Watched) -> None:
    name = "<script>alert(1)</script>"
    dialogs: list[str] = []
    console.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    job = create_world(served.url, KEY, name=name, num_users=5, num_hosts=3)
    page = console.page
    sign_in(console, served.url)
    page.click("a[data-nav=worlds]")
    page.wait_for_selector("#worlds td.name")
    assert page.locator("#worlds td.name").first.inner_text() == name
    page.goto(f"{served.url}/ui/#/worlds/{job['resource_id']}")
    page.wait_for_selector("#world-name")
    assert page.locator("#world-name").inner_text() == name
    assert page.evaluate("document.querySelectorAll('main script').length") == 0
    assert dialogs == []
    # The page may also ask for routes this build lacks; what matters here is that nothing ran.
    assert script_errors(console) == []
