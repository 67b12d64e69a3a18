"""Requests to the REST API, and every failure turned into the client's errors.

Authentication is the `X-API-Key` header, as the upstream Python client sends it. Any non-2xx
answer carries the contract's error envelope (`{code, detail, type, errors?}`); `api_error`
turns it into `ApiError`. A transport failure (refused, DNS, TLS, timeout, a connection that
broke) becomes `Unreachable`: the server said nothing, so there is no detail to show.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from worlds import __version__
from worlds.client import routes
from worlds.client.errors import ApiError, Unreachable
from worlds.client.options import ClientOptions

# The family and version the server's --min-client-version gate reads.
USER_AGENT = f"worlds/{__version__}"
# Connecting is quick or not happening; a call may legitimately take a while (a page of 20000
# edges), and the gateway gives every call a 30 s deadline of its own.
TIMEOUT = httpx.Timeout(35.0, connect=5.0)


def url(options: ClientOptions, rpc: str, **values: str) -> str:
    """The URL of an RPC's route in the options' org and workspace."""
    return options.server + routes.path(rpc, {"org": options.org, "workspace": options.workspace,
                                              **values})


def headers(options: ClientOptions) -> dict[str, str]:
    return {"X-API-Key": options.api_key, "User-Agent": USER_AGENT}


def api_error(response: httpx.Response, options: ClientOptions) -> ApiError:
    """The error a non-2xx response stands for; its body must have been read."""
    try:
        envelope = response.json()
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict) or "detail" not in envelope:
        # Not this API's envelope: a proxy, or --server pointing at something else.
        snippet = " ".join(response.text.split())[:120]
        envelope = {"detail": f"HTTP {response.status_code} from {response.url}"
                              + (f": {snippet}" if snippet else ""), "type": ""}
    hint = f"  (the API key came from {options.key_source})" if response.status_code == 401 else None
    return ApiError(response.status_code, envelope, hint)


def _reason(exc: BaseException) -> str:
    """The operating system's words for a failure when it has some ("Connection refused"):
    httpx's own message differs between its sync and async transports."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror) and seen.strerror:
            return seen.strerror  # resolver errors are not errno values
        if isinstance(seen, OSError) and seen.errno:
            return os.strerror(seen.errno)
        seen = seen.__cause__ or seen.__context__
    return str(exc) or exc.__class__.__name__


def unreachable(exc: httpx.TransportError, options: ClientOptions) -> Unreachable:
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        reason = _reason(exc)
        return Unreachable(f"cannot reach the server at {options.server} ({reason}); is `worlds serve` "
                           "running there? Set --server or WORLDS_SERVER to use another one")
    if isinstance(exc, httpx.TimeoutException):
        return Unreachable(f"the server at {options.server} did not answer in time")
    return Unreachable(f"the connection to {options.server} failed ({exc.__class__.__name__}: {exc})")


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a response: every answer of this API is one."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ApiError(response.status_code, {
            "detail": f"the answer of {response.url} is not a JSON object; is --server the worlds API?",
            "type": "invalid_response"})
    return body


class Api:
    """Blocking calls to the routes of one org and workspace."""

    def __init__(self, options: ClientOptions, *, transport: httpx.BaseTransport | None = None) -> None:
        self.options = options
        self._http = httpx.Client(headers=headers(options), timeout=TIMEOUT, transport=transport)

    def __enter__(self) -> Api:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def call(self, rpc: str, *, query: Mapping[str, Any] | None = None, body: Any = None,
             **path: str) -> dict[str, Any]:
        """The decoded JSON of a 2xx answer from `rpc`'s route; raises ApiError or Unreachable.

        `query` entries that are None are left out; `body` None sends no body.
        """
        method, _ = routes.rule(rpc)
        params = {k: v for k, v in (query or {}).items() if v is not None}
        try:
            response = self._http.request(method, url(self.options, rpc, **path), params=params,
                                          json=body)
        except httpx.TransportError as exc:
            raise unreachable(exc, self.options) from exc
        if not response.is_success:
            raise api_error(response, self.options)
        return json_body(response)
