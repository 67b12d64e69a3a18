"""The idempotency key a create call carries, and the fingerprint of its request.

Over REST the key is the `Idempotency-Key` header (the gateway forwards it as the
`idempotency-key` metadata key); over gRPC it is that metadata key itself. The
fingerprint is a SHA-256 of the request message as sent (deterministic protobuf
bytes), so the same request retried matches and any change of a field does not.
What the store does with them: `worlds.store.idempotency`.

A create RPC calls `claim_from_metadata` once, outside its transaction, and passes
the result to `worlds.store.idempotency.reserve` inside it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from google.protobuf.message import Message

from worlds.core.errors import InvalidArgument
from worlds.store.idempotency import Claim

METADATA_KEY = "idempotency-key"
MAX_KEY_LENGTH = 255


def key_from_metadata(metadata: Iterable[tuple[str, str | bytes]] | None) -> str | None:
    """The call's idempotency key, None when it sent none; InvalidArgument when it is
    empty or longer than 255 characters."""
    for name, value in metadata or ():
        if name != METADATA_KEY or isinstance(value, bytes):
            continue
        key = value.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise InvalidArgument(
                message=f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters",
                reason="INVALID_IDEMPOTENCY_KEY")
        return key
    return None


def fingerprint(request: Message) -> str:
    """SHA-256 (hex) of the request's deterministic serialisation."""
    return hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()


def claim_from_metadata(method: str, request: Message,
                        metadata: Iterable[tuple[str, str | bytes]] | None) -> Claim | None:
    """The claim of a create call of `method` (its RPC name), or None without a key."""
    key = key_from_metadata(metadata)
    if key is None:
        return None
    return Claim(key=key, method=method, fingerprint=fingerprint(request))
