"""Identifiers of stored records."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """A new record id: a random (version 4) UUID in its canonical text form."""
    return str(uuid.uuid4())
