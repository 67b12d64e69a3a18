"""The app around the routes: health, the envelope for framework errors, a real HTTP server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from worlds_gateway import InProcessBackend, create_gateway_app

from tests.gateway.conftest import BASE, JOB_ID, WORLDS, asgi_client, assert_envelope, serve

pytestmark = pytest.mark.anyio


async def test_healthz() -> None:
    async def failing() -> bool:
        return False

    async def raising() -> bool:
        raise RuntimeError("db-7.internal down")

    async def healthy() -> bool:
        return True

    for check, status in ((None, 200), (healthy, 200), (failing, 502), (raising, 502)):
        app = create_gateway_app(WORLDS, InProcessBackend(object()), health_check=check)
        async with asgi_client(app) as client:
            response = await client.get("/healthz")
        if status == 200:
            assert (response.status_code, response.json()) == (200, {"status": "ok"})
        else:
            body = assert_envelope(response, 502, "bad_gateway")
            assert "db-7" not in body["detail"]


async def test_framework_errors_are_envelopes() -> None:
    app = create_gateway_app(WORLDS, InProcessBackend(object()))
    async with asgi_client(app) as client:
        wrong = await client.post("/healthz")
        assert_envelope(wrong, 405, "invalid_request")
        assert "GET" in wrong.headers["allow"]
        assert_envelope(await client.get("/nowhere"), 404, "not_found")
        assert_envelope(await client.get("/openapi.json/"), 404, "not_found")


class Broken:
    """A backend with a bug: raises something other than RpcStatusError."""

    async def unary(self, method, request, metadata, timeout, *, peer=None) -> Any:
        raise ValueError("secret at db-7.internal")


async def test_a_gateway_bug_is_a_generic_500(caplog) -> None:
    app = create_gateway_app(WORLDS, Broken())
    async with asgi_client(app) as client:
        response = await client.get(f"{BASE}/jobs/{JOB_ID}")
    body = assert_envelope(response, 500, "internal_error")
    assert body["detail"] == "Internal server error" and "db-7" not in response.text
    assert "gateway failure serving worlds.v1.WorldsService.GetJob" in caplog.text


async def test_a_non_numeric_content_length_is_400() -> None:
    app = create_gateway_app(WORLDS, Broken())
    async with asgi_client(app) as client:
        request = client.build_request("POST", f"{BASE}/manifests", content=b"{}",
                                       headers={"content-type": "application/json"})
        request.headers["content-length"] = "x"
        assert_envelope(await client.send(request), 400, "invalid_request")


@pytest.fixture
async def served(worlds_app) -> AsyncIterator[str]:
    """The WorldsService gateway behind a real uvicorn on an ephemeral 127.0.0.1 port."""
    async with serve(worlds_app) as url:
        yield url


async def test_through_a_real_http_server(served: str) -> None:
    async with httpx.AsyncClient(base_url=served) as client:
        created = await client.post(f"{BASE}/manifests", json={"seed": 2**63 - 1},
                                    headers={"X-API-Key": "wk_k"})
        assert created.status_code == 202, created.text
        assert created.headers["location"] == f"{BASE}/jobs/{JOB_ID}"
        assert created.json()["result"]["seed"] == str(2**63 - 1)
        whoami = (await client.get(f"{BASE}/jobs/whoami", headers={"X-API-Key": "wk_k"})).json()
        metadata = whoami["result"]["metadata"]
        assert metadata["x-api-key"] == "wk_k" and metadata["x-forwarded-for"] == "127.0.0.1"
        assert_envelope(await client.get(f"{BASE}/nowhere"), 404, "not_found")
        assert_envelope(await client.patch(f"{BASE}/jobs/{JOB_ID}"), 405, "invalid_request")
        malformed = await client.post(f"{BASE}/manifests", content=b"{",
                                      headers={"content-type": "application/json"})
        assert_envelope(malformed, 400, "invalid_request")
        too_big = await client.post(f"{BASE}/manifests", json={"name": "x" * 10_000})
        assert_envelope(too_big, 413, "invalid_request")
        late = await client.get(f"{BASE}/jobs/sleep", headers={"Grpc-Timeout": "100m"})
        assert_envelope(late, 504, "gateway_timeout")


async def test_docs_load_nothing_from_elsewhere() -> None:
    """/docs references only the gateway's own paths, and each of them is served (offline docs)."""
    app = create_gateway_app(WORLDS, InProcessBackend(object()))
    async with asgi_client(app) as client:
        page = await client.get("/docs")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        referenced = re.findall(r"""(?:src|href)=["']([^"']+)["']|url: *["']([^"']+)["']""", page.text)
        urls = {a or b for a, b in referenced}
        assert urls == {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css",
                        "/docs/assets/favicon-32x32.png", "/openapi.json"}, urls
        assert not re.search(r"https?://|//cdn", page.text), "an absolute URL in the page"
        assert '"validatorUrl": null' in page.text  # no badge asking validator.swagger.io
        kinds = {}
        for url in sorted(urls):
            asset = await client.get(url)
            assert asset.status_code == 200 and asset.content, url
            kinds[url.rpartition("/")[2]] = asset.headers["content-type"]
        assert kinds == {"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
                         "swagger-ui.css": "text/css; charset=utf-8", "favicon-32x32.png": "image/png",
                         "openapi.json": "application/json"}
        assert b"SwaggerUIBundle" in (await client.get("/docs/assets/swagger-ui-bundle.js")).content
        # Only the page's files: the rest of the package's folder is not a route.
        assert_envelope(await client.get("/docs/assets/index.html"), 404, "not_found")
        assert_envelope(await client.get("/docs/assets/..%2F__init__.py"), 404, "not_found")


async def test_docs_behind_a_prefix_point_under_it() -> None:
    app = create_gateway_app(WORLDS, InProcessBackend(object()))
    transport = httpx.ASGITransport(app=app, root_path="/edge")
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        page = await client.get("/edge/docs")
    assert page.status_code == 200
    assert "/edge/docs/assets/swagger-ui-bundle.js" in page.text and "'/edge/openapi.json'" in page.text
