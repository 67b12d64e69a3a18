"""Sampling trajectories from the console and stepping through a replay with the keyboard."""

from __future__ import annotations

from tests.e2e.console.conftest import KEY, require_routes, sign_in
from tests.support.browser import Watched
from tests.support.console_api import WORLDS, create_world, rest, wait_job
from tests.support.served import Served


def test_sample_trajectories_then_step_through_a_replay_with_the_keyboard(
        served: Served, console: Watched) -> None:
    require_routes(served, "/trajectories/{trajectory_id}/replay")
    # A medium world: the smallest preset whose footholds reach Domain Admins.
    world = create_world(served.url, KEY, name="replayed", seed=3, preset="medium")
    page = console.page
    sign_in(console, served.url)
    page.click("a[data-nav=sample]")
    page.wait_for_selector("#new-trajectories")
    page.select_option("#f-manifest_id", world["resource_id"])
    page.fill("#f-count", "2")
    page.select_option("#f-strategy", "greedy")
    page.fill("#f-max_steps", "60")
    page.fill("#f-seed", "5")
    page.click("#sample")
    page.wait_for_selector("#job-detail .badge[data-status=completed]", timeout=120_000)
    job_id = page.url.rsplit("/", 1)[1]
    job = wait_job(served.url, KEY, job_id)
    assert job["kind"] == "trajectory_generation" and len(job["result"]["trajectory_ids"]) == 2

    page.click("#job-detail a:has-text('trajectories')")
    page.wait_for_selector("#trajectories tr[data-trajectory]")
    assert page.locator("#trajectories tr[data-trajectory]").count() == 2
    trajectory_id = job["result"]["trajectory_ids"][0]
    replay = rest(served.url, "GET", f"{WORLDS}/trajectories/{trajectory_id}/replay", KEY)
    page.click(f"#trajectories tr[data-trajectory='{trajectory_id}'] a")
    page.wait_for_selector("#steps li")
    steps = replay["steps"]
    assert page.locator("#steps li").count() == len(steps) > 1
    assert page.locator("#steps li.failed").count() == sum(1 for s in steps if s["failed"])
    # The page selects the first step once its path graph is drawn (an async import): wait
    # for that state rather than read the attribute before it exists.
    page.wait_for_selector("#step-detail[data-index='0']")
    assert page.locator("#step-command").inner_text() == steps[0]["command"]

    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#step-detail[data-index='1']")
    assert page.locator("#step-command").inner_text() == steps[1]["command"]
    assert page.locator("#step-title").inner_text().startswith("2. ")
    page.keyboard.press("ArrowLeft")
    page.wait_for_selector("#step-detail[data-index='0']")
    page.keyboard.press("ArrowLeft")  # stays on the first step
    assert page.locator("#step-detail").get_attribute("data-index") == "0"

    # The selected step's nodes are highlighted on the path graph.
    targets = steps[0]["targets"]
    wanted = sorted(str(v) for k, v in targets.items() if k in ("source", "target", "node") and v)
    # The graph is drawn, or its failure shown in its place: say which.
    page.wait_for_function("() => document.querySelector('#path-graph')?.cy"
                           " || document.querySelector('.replay [role=alert]')")
    failure = page.locator(".replay [role=alert]")
    assert failure.count() == 0, failure.inner_text()
    current = page.evaluate(
        "() => document.querySelector('#path-graph').cy.nodes('.current').map((n) => n.id())")
    assert sorted(current) == wanted
    assert console.errors == []
    assert console.foreign_requests(served.url) == []
