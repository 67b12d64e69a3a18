"""Headless Chromium for the console's browser tests: Debian's ``chromium`` driven by Playwright.

Playwright's own browser download cannot run on every machine this project is tested on, so the
tests launch the system browser (``scripts/test`` installs it when missing). A :class:`Watched`
page records what a test must be able to assert on: console errors (a CSP violation is one),
uncaught page errors, and every URL the page requested.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() and shutil.which(CHROMIUM) is not None


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@dataclass
class Watched:
    """A page and what it did: ``errors`` (console errors, page errors), ``requests`` (URLs)."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, context: Any) -> Watched:
        page = context.new_page()
        watched = cls(page)
        page.on("console",
                lambda m: watched.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: watched.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: watched.requests.append(r.url))
        return watched

    def foreign_requests(self, origin: str) -> list[str]:
        """Requests to anywhere but ``origin`` (scheme://host:port); data: URLs are local."""
        own = urlsplit(origin)
        return [u for u in self.requests
                if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc != own.netloc]
