"""The console's files: its own static front end, and browser packages from ``node_modules``.

Everything is read once and served from memory with an ``ETag`` (``Cache-Control: no-cache``:
the browser revalidates and gets a ``304`` while nothing changed, so a new version of the
console is picked up at the next load without a build step or hashed file names).
Vendor files are only the ones named in :data:`VENDOR`, copies installed by ``npm ci`` from
``package-lock.json`` (``scripts/setup``): the console never points a browser at a CDN.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from .headers import security_headers

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
NODE_MODULES = HERE / "node_modules"

# URL name under /ui/vendor/ → path inside node_modules.
VENDOR: dict[str, str] = {
    "cytoscape.esm.min.mjs": "cytoscape/dist/cytoscape.esm.min.mjs",
}

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    etag: str

    @classmethod
    def read(cls, path: Path) -> Asset:
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return cls(body, _TYPES.get(path.suffix, "application/octet-stream"), etag)

    def response(self, request: Request) -> Response:
        headers = {**security_headers(), "etag": self.etag, "cache-control": "no-cache"}
        if request.headers.get("if-none-match") == self.etag:
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.content_type, headers=headers)


class Assets:
    """The static tree (read at construction) and the vendor files (read at first use)."""

    def __init__(self, static_dir: Path = STATIC_DIR, node_modules: Path = NODE_MODULES) -> None:
        self.files = {p.relative_to(static_dir).as_posix(): Asset.read(p)
                      for p in sorted(static_dir.rglob("*")) if p.is_file()}
        self._node_modules = node_modules
        self._vendor: dict[str, Asset] = {}

    def static(self, name: str) -> Asset | None:
        return self.files.get(name)

    def vendor(self, name: str) -> Asset | None:
        if name not in VENDOR:
            return None
        if name not in self._vendor:
            path = self._node_modules / VENDOR[name]
            if not path.is_file():
                return None
            self._vendor[name] = Asset.read(path)
        return self._vendor[name]


def missing(what: str) -> Response:
    hint = " (run scripts/setup to install the console's browser packages)" if "vendor" in what else ""
    return PlainTextResponse(f"not found: {what}{hint}\n", status_code=404, headers=security_headers())
