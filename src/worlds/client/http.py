"""Requests to the REST API, and every failure turned into the client's errors.

Authentication is the `X-API-Key` header, as the upstream Python client sends it. Any non-2xx
answer carries the contract's error envelope (`{code, detail, type, errors?}`); `api_error`
turns it into `ApiError`. A transport failure (refused, DNS, TLS, timeout, a connection that
broke) becomes `Unreachable`: the server said nothing, so there is no detail to show.

A command's calls (`Api`) go through the standard library (urllib, http.client): importing
httpx and its transport, and the command line httpx imports with itself, is about 80 ms, most
of what a one-call command would spend before its answer. The proxy variables (`HTTPS_PROXY`,
`NO_PROXY`, …) apply as they do for httpx, redirects are not followed, and TLS trusts what httpx
trusts (`tls_context`). job-wait's watch stream (`wait.py`) is httpx's async client, and shares
this module's URLs, headers, TLS context and messages.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from worlds import __version__
from worlds.client import routes
from worlds.client.errors import ApiError, Unreachable
from worlds.client.options import ClientOptions

# The family and version the server's --min-client-version gate reads.
USER_AGENT = f"worlds/{__version__}"
# Connecting is quick or not happening; a call may legitimately take a while (a page of 20000
# edges), and the gateway gives every call a 30 s deadline of its own.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 35.0


def tls_context(options: ClientOptions) -> ssl.SSLContext:
    """What the client checks a server's certificate with.

    For an https:// server, httpx's own default (certifi's bundle, or SSL_CERT_FILE /
    SSL_CERT_DIR), so the calls and the watch stream trust alike. Building it loads the whole
    bundle, about 40 ms, which an http:// server never uses: that gets a context that trusts no
    certificate, so a TLS connection through it (there is none: redirects are not followed)
    could only fail, never pass unverified.
    """
    if options.server.startswith("https:"):
        import httpx

        return httpx.create_ssl_context()
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def url(options: ClientOptions, rpc: str, **values: str) -> str:
    """The URL of an RPC's route in the options' org and workspace."""
    return options.server + routes.path(rpc, {"org": options.org, "workspace": options.workspace,
                                              **values})


def headers(options: ClientOptions) -> dict[str, str]:
    return {"X-API-Key": options.api_key, "User-Agent": USER_AGENT}


def api_error(status: int, body: bytes, where: str, options: ClientOptions) -> ApiError:
    """The error a non-2xx answer (`status`, `body`, from the URL `where`) stands for."""
    try:
        envelope = json.loads(body)
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict) or "detail" not in envelope:
        # Not this API's envelope: a proxy, or --server pointing at something else.
        snippet = " ".join(body.decode("utf-8", "replace").split())[:120]
        envelope = {"detail": f"HTTP {status} from {where}" + (f": {snippet}" if snippet else ""),
                    "type": ""}
    hint = f"  (the API key came from {options.key_source})" if status == 401 else None
    return ApiError(status, envelope, hint)


def json_body(status: int, body: bytes, where: str) -> dict[str, Any]:
    """The JSON object of a 2xx answer: every answer of this API is one."""
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ApiError(status, {
            "detail": f"the answer of {where} is not a JSON object; is --server the worlds API?",
            "type": "invalid_response"})
    return value


def _reason(exc: BaseException) -> str:
    """The operating system's words for a failure when it has some ("Connection refused"),
    the same whichever library raised it."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            # Its errno is OpenSSL's, not the system's.
            return str(getattr(seen, "verify_message", None) or seen.reason or seen)
        if isinstance(seen, socket.gaierror) and seen.strerror:
            return seen.strerror  # resolver errors are not errno values
        if isinstance(seen, OSError) and seen.errno:
            return os.strerror(seen.errno)
        seen = seen.__cause__ or seen.__context__
    return str(exc) or exc.__class__.__name__


def cannot_connect(exc: BaseException, options: ClientOptions) -> Unreachable:
    reason = _reason(exc)
    return Unreachable(f"cannot reach the server at {options.server} ({reason}); is `worlds serve` "
                       "running there? Set --server or WORLDS_SERVER to use another one")


def no_answer(options: ClientOptions) -> Unreachable:
    return Unreachable(f"the server at {options.server} did not answer in time")


def broken(exc: BaseException, options: ClientOptions) -> Unreachable:
    return Unreachable(f"the connection to {options.server} failed ({exc.__class__.__name__}: {exc})")


# -- the calls -----------------------------------------------------------------------------------


class _ConnectFailed(OSError):
    """Connecting (TCP, the proxy's tunnel, TLS) failed: nothing reached the server."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _connect(connect: Callable[[], None], connection: http.client.HTTPConnection) -> None:
    # http.client has one timeout; the connection gets CONNECT_TIMEOUT to be made, then each
    # read READ_TIMEOUT.
    connection.timeout = CONNECT_TIMEOUT
    try:
        connect()
    except OSError as exc:
        raise _ConnectFailed(exc) from exc
    if connection.sock is not None:
        connection.sock.settimeout(READ_TIMEOUT)


class _PlainConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        _connect(super().connect, self)


class _TLSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        _connect(super().connect, self)


class _PlainHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_PlainConnection, req)


class _TLSHandler(urllib.request.HTTPSHandler):
    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self.tls = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_TLSConnection, req, context=self.tls)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is an answer like any other non-2xx (as with httpx): never followed."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> None:
        return None


def _query_text(value: Any) -> str:
    # As httpx encodes them, and as the REST API reads booleans.
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


class Api:
    """Blocking calls to the routes of one org and workspace, one connection each."""

    def __init__(self, options: ClientOptions) -> None:
        self.options = options
        # The default handlers, less redirects, with the timeouts and TLS context above; the
        # environment's proxies (ProxyHandler) included.
        self._opener = urllib.request.build_opener(_PlainHandler(), _TLSHandler(tls_context(options)),
                                                   _NoRedirects())

    def call(self, rpc: str, *, query: Mapping[str, Any] | None = None, body: Any = None,
             **path: str) -> dict[str, Any]:
        """The decoded JSON of a 2xx answer from `rpc`'s route; raises ApiError or Unreachable.

        `query` entries that are None are left out; `body` None sends no body. A `path` value
        that the route does not bind is a query parameter, as the http rule has it
        (ListTrajectories' manifest_id filter).
        """
        method, _ = routes.rule(rpc)
        bound = routes.path_variables(rpc)
        params = [(k, _query_text(v)) for k, v in (query or {}).items() if v is not None]
        params += [(k, v) for k, v in path.items() if k not in bound]
        target = url(self.options, rpc, **{k: v for k, v in path.items() if k in bound})
        target += f"?{urlencode(params)}" if params else ""
        request = urllib.request.Request(target, method=method, headers=headers(self.options))
        if body is not None:
            request.data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        try:
            try:
                with self._opener.open(request) as response:
                    return json_body(response.status, response.read(), target)
            except urllib.error.HTTPError as answer:
                with answer:
                    raise api_error(answer.code, answer.read(), target, self.options) from None
        except (OSError, http.client.HTTPException) as exc:
            raise self._unreachable(exc) from exc

    def _unreachable(self, exc: Exception) -> Unreachable:
        # urllib wraps a failure while connecting or sending in URLError; one while reading
        # the answer arrives as it was raised.
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, _ConnectFailed):
            return cannot_connect(reason.cause, self.options)
        if isinstance(reason, TimeoutError):
            return no_answer(self.options)
        return broken(reason if isinstance(reason, BaseException) else exc, self.options)
