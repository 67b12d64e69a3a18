"""A world's page and the graph explorer: overview, catalog, search, neighbourhoods, details.

Also writes the README's screenshots of the jobs page and the explorer when
WORLDS_CONSOLE_SCREENSHOTS names a folder (``scripts/console-screenshots``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.e2e.console.conftest import KEY, require_routes, sign_in
from tests.support.browser import Watched
from tests.support.console_api import WORLDS, create_world, rest
from tests.support.served import Served

NODES_OF_TYPE = """([selector, type]) => document.querySelector(selector).cy.nodes()
    .filter((n) => !type || n.data('node_type') === type).map((n) => n.id())"""

CLICK_POINT = """([selector, id]) => {
  const cy = document.querySelector(selector).cy;
  const node = cy.getElementById(id);
  const box = cy.container().getBoundingClientRect();
  const p = node.renderedPosition();
  return [box.left + p.x, box.top + p.y];
}"""


def screenshot_dir(tmp_path: Path) -> Path:
    folder = os.environ.get("WORLDS_CONSOLE_SCREENSHOTS")
    return Path(folder) if folder else tmp_path


def node_ids(page: Any, selector: str, node_type: str = "") -> list[str]:
    ids: list[str] = page.evaluate(NODES_OF_TYPE, [selector, node_type])
    return ids


def click_node(page: Any, selector: str, node_id: str) -> None:
    """A real mouse click on the node's place in the canvas."""
    page.evaluate("([s, id]) => { const cy = document.querySelector(s).cy; "
                  "cy.center(cy.getElementById(id)); }",
                  [selector, node_id])
    x, y = page.evaluate(CLICK_POINT, [selector, node_id])
    page.mouse.click(x, y)


def test_world_page_shows_stats_overview_and_command_catalog(served: Served, console: Watched) -> None:
    require_routes(served, "/graph/overview", "/commands", "/trajectories")
    job = create_world(served.url, KEY, name="catalogued", seed=11, num_users=30, num_hosts=8)
    page = console.page
    sign_in(console, served.url)
    page.goto(f"{served.url}/ui/#/worlds/{job['resource_id']}")
    page.wait_for_selector("#commands table tbody tr")
    catalog = rest(served.url, "GET", f"{WORLDS}/manifests/{job['resource_id']}/commands", KEY)
    assert page.locator("#commands tbody tr").count() == catalog["count"]
    page.wait_for_function("() => document.querySelector('#overview-graph').cy?.nodes().length > 0")
    manifest = rest(served.url, "GET", f"{WORLDS}/manifests/{job['resource_id']}", KEY)
    facts = page.locator("dl.facts").first.inner_text()
    assert f"Principals\n{manifest['stats']['total_principals']}" in facts
    assert f"Hosts\n{manifest['stats']['total_hosts']}" in facts
    assert console.errors == []
    assert console.foreign_requests(served.url) == []


def test_graph_explorer_search_expand_and_host_details(served: Served, console: Watched,
                                                       tmp_path: Path) -> None:
    require_routes(served, "/graph/subgraph", "/principals/search")
    job = create_world(served.url, KEY, name="explored", seed=5, num_users=40, num_hosts=12)
    for seed in (1, 2):
        create_world(served.url, KEY, name=f"world {seed}", seed=seed, num_users=5, num_hosts=3)
    manifest_id = job["resource_id"]
    page = console.page
    sign_in(console, served.url)
    page.wait_for_selector("#jobs-body tr[data-job]")
    shots = screenshot_dir(tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "console-jobs.png"))

    page.goto(f"{served.url}/ui/#/worlds/{manifest_id}/graph")
    page.wait_for_selector("#principal-search")
    page.select_option("#depth", "2")
    page.select_option("#principal-type", "user")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#search-results [data-principal]")
    first = page.locator("#search-results [data-principal]").first
    principal_id = first.get_attribute("data-principal")
    first.click()
    page.wait_for_selector("#graph[data-loads='1']")
    drawn = node_ids(page, "#graph")
    assert principal_id in drawn and len(drawn) > 1
    page.wait_for_selector("#details #detail-title")
    assert page.locator("#details").inner_text().count("user") >= 1

    # A host of the neighbourhood, clicked in the canvas: its details, and one more hop drawn.
    computers = node_ids(page, "#graph", "computer")
    assert computers, "a user's 2-hop neighbourhood holds a computer"
    click_node(page, "#graph", computers[0])
    page.wait_for_selector("#graph[data-loads='2']")
    host = rest(served.url, "GET", f"{WORLDS}/manifests/{manifest_id}/hosts/{computers[0]}/details", KEY)
    page.wait_for_function("(name) => document.querySelector('#detail-title')?.textContent === name",
                           arg=host["hostname"])
    panel = page.locator("#details").inner_text()
    assert host["ip"] in panel and "Services" in panel
    assert len(node_ids(page, "#graph")) >= len(drawn)

    # Filters hide a type of edge; the swatches carry the type's colour.
    edge_type = page.locator("#edge-filters input").first.get_attribute("data-type")
    page.locator("#edge-filters input").first.uncheck()
    hidden = page.evaluate("(t) => document.querySelector('#graph').cy.edges().filter((e) => "
                           "e.data('edge_type') === t).every((e) => e.hasClass('hidden'))", edge_type)
    assert hidden is True
    page.locator("#edge-filters input").first.check()
    page.screenshot(path=str(shots / "console-graph.png"))
    assert console.errors == []
    assert console.foreign_requests(served.url) == []
