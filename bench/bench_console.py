"""The web console, measured in a real browser (headless Chromium) with the Performance API.

Prints:
- the jobs page's first render in a workspace of 100,000 jobs: from the start of the page's
  navigation (a fresh load of /ui/#/jobs, signed in) to the `jobs-rendered` mark, set once the
  first ListJobs page is in the table (target <= 300 ms);
- a neighbourhood of an enterprise world drawn after the click: from the click on a search
  result (`subgraph-click` mark) to the graph laid out and painted (`subgraph-drawn` measure),
  for a few kinds of node (target <= 1 s);
- what forwarding through the console costs a request: ListJobs page 1 through /api and
  through /ui/api, one client at a time (the console adds no work to /api requests: it only
  appends routes after the API's).

    .venv/bin/python bench/bench_console.py [--loads 15] [--skip-graph]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import KEY, VENV_BIN, free_port, seed_jobs, start, stop, wait_for_port
from tests.support.browser import launch

WORLDS = "/api/v1/org/local/ws/main/worlds"


def rest(base: str, method: str, path: str, body: object = None, cookie: str | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if cookie:
        request.add_header("Cookie", cookie)
    else:
        request.add_header("X-API-Key", KEY)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def wait_job(base: str, job_id: str, timeout: float = 900) -> Any:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = rest(base, "GET", f"{WORLDS}/jobs/{job_id}")
        if job["status"] in ("completed", "failed", "cancelled"):
            assert job["status"] == "completed", job
            return job
        time.sleep(0.5)
    raise RuntimeError("the world was not generated in time")


def figures(samples: list[float]) -> str:
    samples = sorted(samples)
    return (f"p50 {statistics.median(samples):7.1f} ms   min {samples[0]:7.1f}   "
            f"max {samples[-1]:7.1f}   (n={len(samples)})")


def signed_in_page(browser: Any, base: str) -> Any:
    """A page signed in (the session's cookies set directly: sign-in is not what is measured)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_cookies([{"name": "worlds_key", "value": KEY, "url": base + "/ui/"},
                         {"name": "worlds_csrf", "value": "bench", "url": base + "/ui/"}])
    page = context.new_page()
    page.goto(base + "/ui/")
    page.wait_for_selector("#top:not([hidden])")
    return page


def jobs_first_render(browser: Any, base: str, workspace: str, loads: int) -> tuple[list[float], list[float]]:
    """(navigation start → rendered, the page's HTML received → rendered), in ms."""
    page = signed_in_page(browser, base)
    page.evaluate("([org, ws]) => { localStorage.setItem('worlds.org', org); "
                  "localStorage.setItem('worlds.ws', ws); }", ["local", workspace])
    samples, after_html = [], []
    for i in range(loads + 2):
        page.goto("about:blank")
        page.goto(base + "/ui/#/jobs")
        page.wait_for_function("() => performance.getEntriesByName('jobs-rendered').length > 0")
        assert page.locator("#jobs-body tr[data-job]").count() == 20
        if i >= 2:  # the first loads warm the server's and the browser's caches
            rendered, html = page.evaluate("[performance.getEntriesByName('jobs-rendered')[0].startTime, "
                                           "performance.getEntriesByType('navigation')[0].responseEnd]")
            samples.append(rendered)
            after_html.append(rendered - html)
    page.context.close()
    return samples, after_html


def neighbourhood_draws(browser: Any, base: str, manifest_id: str, query: str, principal_type: str,
                        depth: str, loads: int) -> tuple[list[float], str]:
    page = signed_in_page(browser, base)
    samples = []
    status = ""
    for _ in range(loads):
        page.goto("about:blank")
        page.goto(f"{base}/ui/#/worlds/{manifest_id}/graph")
        page.wait_for_selector("#principal-search")
        page.select_option("#depth", depth)
        page.fill("#principal-search", query)
        page.select_option("#principal-type", principal_type)
        page.click("#search-form button[type=submit]")
        page.wait_for_selector("#search-results [data-principal]")
        page.click("#search-results [data-principal] >> nth=0")
        page.wait_for_function("() => performance.getEntriesByName('subgraph-drawn').length > 0",
                               timeout=60_000)
        samples.append(page.evaluate("performance.getEntriesByName('subgraph-drawn')[0].duration"))
        status = page.locator("#graph-status").inner_text()
    page.context.close()
    return samples, status


def forward_cost(base: str, calls: int) -> tuple[float, float]:
    cookie = f"worlds_key={KEY}"
    out = []
    path = f"{WORLDS}/jobs?page_size=20"
    for url, cookie_value in ((path, None), (f"/ui{path}", cookie)):
        samples = []
        for i in range(calls + 10):
            begin = time.perf_counter()
            rest(base, "GET", url, cookie=cookie_value)
            if i >= 10:
                samples.append((time.perf_counter() - begin) * 1000)
        out.append(statistics.median(samples))
    return out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=15)
    parser.add_argument("--skip-graph", action="store_true", help="skip the enterprise world")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as data_dir:
        database_url = f"sqlite:///{data_dir}/worlds.db"
        http_port = free_port()
        env = {"WORLDS_BOOTSTRAP_API_KEY": KEY, "WORLDS_LOG_LEVEL": "WARNING"}
        # No worker in the API process: the 100,000 seeded jobs stay queued and idle. The
        # enterprise world is generated first, by a worker process that is stopped after it.
        serve = [str(VENV_BIN / "worlds"), "serve", "--no-worker", "--data-dir", data_dir,
                 "--grpc-address", f"127.0.0.1:{free_port()}", "--http-address", f"127.0.0.1:{http_port}"]
        base = f"http://127.0.0.1:{http_port}"
        server = start(serve, env)
        try:
            wait_for_port(http_port)
            manifest_id = None
            if not args.skip_graph:
                started = time.perf_counter()
                worker = start([str(VENV_BIN / "worlds"), "worker", "--database-url", database_url,
                                "--data-dir", data_dir], env)
                try:
                    job = rest(base, "POST", f"{WORLDS}/manifests", {"preset": "enterprise", "seed": 1})
                    manifest_id = wait_job(base, job["id"])["resource_id"]
                finally:
                    stop(worker)
                print(f"  (enterprise world generated in {time.perf_counter() - started:.0f} s)")
            started = time.perf_counter()
            seed_jobs(database_url, "k100", 100_000)
            print(f"  (seeded 100,000 jobs in {time.perf_counter() - started:.1f} s)")
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    samples, after_html = jobs_first_render(browser, base, "k100", args.loads)
                    print(f"jobs page first render, 100,000 jobs     {figures(samples)}   target <= 300 ms")
                    print(f"  of which after the HTML arrived         {figures(after_html)}")
                    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
                    direct, forwarded = forward_cost(base, 200)
                    print(f"ListJobs page 1 via /api    p50 {direct:6.2f} ms")
                    print(f"ListJobs page 1 via /ui/api p50 {forwarded:6.2f} ms   (the console's forwarding)")
                    if manifest_id is not None:
                        for label, query, kind, depth in (
                                ("a user, 1 hop", "", "user", "1"),
                                ("a user, 2 hops", "", "user", "2"),
                                ("a computer, 2 hops", "", "computer", "2"),
                                ("group Domain Admins, 1 hop", "Domain Admins", "group", "1")):
                            samples, status = neighbourhood_draws(browser, base, manifest_id, query, kind,
                                                                  depth, max(3, args.loads // 3))
                            print(f"neighbourhood drawn after the click, {label:28} {figures(samples)}"
                                  f"   target <= 1000 ms   [{status}]")
                finally:
                    browser.close()
        finally:
            stop(server)


if __name__ == "__main__":
    main()
