"""Page tokens (AIP-158): an opaque cursor for walking a list at a constant cost per page.

A token is the position of the last item of a page, `(created_at, id)`, with a digest of the
filters it was issued for, base64url-encoded JSON. It is not a secret: it only names a
position the caller could read anyway, in a list the caller must still be allowed to read.
A token reused with other filters, or that does not decode, is a validation error on
`page_token`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime
from typing import Any

import orjson

from worlds.core.errors import FieldViolation, InvalidArgument
from worlds.store.jobs import After

_FIELD = "page_token"


def _scope_digest(scope: tuple[Any, ...]) -> str:
    return hashlib.sha256(orjson.dumps(list(scope))).hexdigest()[:16]


def encode(created_at: datetime, item_id: str, scope: tuple[Any, ...]) -> str:
    """The token that continues after the item (`created_at`, `item_id`) of a list
    filtered by `scope` (the workspace and filter values)."""
    raw = orjson.dumps([created_at.isoformat(), item_id, _scope_digest(scope)])
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(token: str, scope: tuple[Any, ...]) -> After:
    """The position a token names, or InvalidArgument on `page_token`."""
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii") + b"=" * (-len(token) % 4))
        created, item_id, digest = orjson.loads(raw)
        position = After(datetime.fromisoformat(created), str(item_id))
    except (ValueError, TypeError, UnicodeError, binascii.Error, orjson.JSONDecodeError):
        raise InvalidArgument([FieldViolation(
            _FIELD, "is not a token this service issued", "page_token")]) from None
    if digest != _scope_digest(scope):
        raise InvalidArgument([FieldViolation(
            _FIELD, "was issued for other filters: repeat the filters of the first page",
            "page_token")])
    return position
