"""HTTP access to the REST gateway for tests, and a standalone gateway to run beside a service."""

from __future__ import annotations

from typing import Any

import grpc
import httpx
from worlds_gateway.backend import ChannelBackend

from tests.support.service import RunningService
from worlds.api.http_server import HttpServer
from worlds.app import gateway_app

ENVELOPE_KEYS = {"code", "detail", "type"}


class RestClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=30)

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, key: str | None = None, *, header: str = "x-api-key",
                **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if key is not None:
            if header == "bearer":
                headers["Authorization"] = f"Bearer {key}"
            else:
                headers["X-API-Key"] = key
        return self.http.request(method, path, headers=headers, **kwargs)


def assert_envelope(response: httpx.Response, status: int, error_type: str) -> dict[str, Any]:
    """The response is the contract's error envelope with this status and type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert ENVELOPE_KEYS <= set(body) <= ENVELOPE_KEYS | {"errors"}, body
    assert body["code"] == status and body["type"] == error_type, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in body["detail"] and "SELECT" not in body["detail"].upper()
    return body


def field_errors(body: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    """loc -> type of each field error."""
    return {tuple(error["loc"]): error["type"] for error in body.get("errors", [])}


class StandaloneGateway:
    def __init__(self, service: RunningService) -> None:
        self._service = service
        self._channel: grpc.aio.Channel | None = None
        self._server: HttpServer | None = None

    async def start(self) -> None:
        self._channel = grpc.aio.insecure_channel(self._service.grpc_target)
        # The app `worlds gateway` serves (its console and request log aside).
        app = gateway_app(ChannelBackend(self._channel))
        self._server = HttpServer(app, "127.0.0.1:0")
        await self._server.start()

    async def _stop(self) -> None:
        if self._server is not None:
            await self._server.stop()
        if self._channel is not None:
            await self._channel.close()

    def stop(self) -> None:
        self._service.call(self._stop())

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.port}"


def start_standalone_gateway(service: RunningService) -> StandaloneGateway:
    gateway = StandaloneGateway(service)
    service.call(gateway.start())
    return gateway
