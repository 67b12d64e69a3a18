"""Fixtures of the console's browser tests: a served `worlds serve`, headless Chromium, pages.

A failing test leaves a full-page screenshot of each of its pages under
``test-artifacts/console/`` (gitignored), named after the test.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import ARTIFACTS, Watched, chromium_available, launch
from tests.support.served import Served

KEY = "wk_console-test-key-0001"


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


# Package scope, not session: Playwright's sync API keeps an asyncio loop running in this
# thread while it is open, and every later test that calls asyncio.run would fail.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not chromium_available():
        pytest.fail("the console's browser tests need /usr/bin/chromium: run scripts/test, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def serve(tmp_path: Path, *extra: str, worker: bool = True, ports: tuple[int, int] | None = None) -> Served:
    return Served(tmp_path / "data", {"WORLDS_BOOTSTRAP_API_KEY": KEY}, *extra, worker=worker, ports=ports)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`worlds serve` with its worker, the bootstrap key fixed to KEY."""
    server = serve(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def context(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser profile (no cookies); screenshots of its pages if the test failed."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    yield ctx
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::")[-1])
        for index, page in enumerate(ctx.pages):
            # A crashed page has nothing to show; keep the test's own error.
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"{name}-{index}.png"), full_page=True)
    ctx.close()


@pytest.fixture
def console(context: Any) -> Watched:
    return Watched.open(context)


def require_routes(served: Served | str, *fragments: str) -> None:
    """Skip unless this build serves a route containing each fragment (routes other parts add)."""
    base_url = served if isinstance(served, str) else served.url
    with urllib.request.urlopen(base_url + "/openapi.json") as response:
        paths = list(json.loads(response.read())["paths"])
    missing = [f for f in fragments if not any(f in p for p in paths)]
    if missing:
        pytest.skip(f"this build serves no route for {missing}")


def script_errors(console: Watched) -> list[str]:
    """CSP violations and uncaught errors only (not a failed request's console line)."""
    return [e for e in console.errors
            if e.startswith("pageerror") or "Content Security Policy" in e or "Refused" in e]


def sign_in(console: Watched, base_url: str, key: str = KEY) -> None:
    """Through the form, as a user does (the key is checked with GET /api/v1/user)."""
    require_routes(base_url, "/api/v1/user")
    page = console.page
    page.goto(base_url + "/")
    page.fill("#api-key", key)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#top:not([hidden])")
