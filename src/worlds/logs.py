"""Logging: text or JSON lines, and the request id every line of a request carries.

`configure` sets up the root logger once per process (the CLI calls it): `text` is
`time level logger: message`; `json` is one JSON object per line from python-json-logger
with `time`, `level`, `logger`, `message`, `request_id` and any `extra` fields.

A request's context (`RequestContext`: its id, and the caller's API key id once
known) lives in a context variable that the gateway middleware (REST) or the gRPC
interceptor opens for the request (`worlds.api.access_log`); the servicer notes the key
id in it (`note_key_id`) and the id is stored with a created job, so the worker's lines
about that job carry it too (`job_context`). `RequestIdFilter` copies it onto every
record; outside a request it is `-`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import re
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TextIO

REQUEST_ID_HEADER = "x-request-id"
# What a client may send as its own request id: short, printable, no spaces.
_VALID_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


@dataclass
class RequestContext:
    request_id: str
    # The caller's API key id (never the key or its hash), once authenticated.
    key_id: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("worlds_request", default=None)


# Request ids must be unique, not unguessable: a Mersenne Twister seeded from the OS
# (reseeded in a forked child) draws one in ~0.2 us, where `secrets` makes a system call
# on every request, a few percent of a small call's time on the event loop.
_ids = random.Random()
os.register_at_fork(after_in_child=_ids.seed)


def new_request_id() -> str:
    return f"{_ids.getrandbits(128):032x}"


def accept_request_id(sent: str | None) -> str:
    """The client's id when it is a usable one, else a new one."""
    if sent is not None and _VALID_ID.fullmatch(sent):
        return sent
    return new_request_id()


def current() -> RequestContext | None:
    return _current.get()


def current_request_id() -> str | None:
    context = _current.get()
    return context.request_id if context is not None else None


@contextlib.contextmanager
def request_context(request_id: str) -> Iterator[RequestContext]:
    """Open a request's context for the code (and tasks) it runs."""
    context = RequestContext(request_id)
    token = _current.set(context)
    try:
        yield context
    finally:
        # A stream's generator may be closed from another context (grpc finalising it):
        # that context never saw the value, so there is nothing to restore there.
        with contextlib.suppress(ValueError):
            _current.reset(token)


def job_context(request_id: str | None) -> contextlib.AbstractContextManager[object]:
    """While a worker runs a job: its lines carry the id of the request that created it."""
    if not request_id:
        return contextlib.nullcontext()
    return request_context(request_id)


def note_key_id(key_id: str) -> None:
    """Record the authenticated caller's key id in the current request's context."""
    context = _current.get()
    if context is not None:
        context.key_id = key_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        if not hasattr(record, "request_id"):
            record.request_id = context.request_id if context is not None else "-"
        return True


_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
_JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


def configure(fmt: str = "text", level: str = "INFO", stream: TextIO | None = None) -> None:
    """Configure the root logger: `fmt` is `text` or `json`."""
    if fmt not in ("text", "json"):
        raise ValueError(f"log format must be text or json, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter(
            _JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
