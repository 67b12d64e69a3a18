"""Who is calling: the API key a call carries.

Callers present an API key, either as `authorization: Bearer <key>` or as
`x-api-key: <key>` (gRPC metadata; the gateway forwards the HTTP headers of the
same names). Roles and key hashing live in `worlds.core.access`.
"""

from __future__ import annotations

from collections.abc import Iterable

from worlds.core.errors import Unauthenticated


def key_from_metadata(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    """The API key a call carries, or Unauthenticated when it has none, a malformed
    one, or several that disagree.

    Every credential sent is checked: a malformed `authorization` is refused even when
    an `x-api-key` is present too, and two credentials that name different keys are
    refused (CONFLICTING_CREDENTIALS) rather than one of them silently winning."""
    keys: list[str] = []
    for name, value in metadata or ():
        if name not in ("authorization", "x-api-key"):
            continue
        if isinstance(value, bytes):
            raise Unauthenticated(f"Malformed {name} metadata", reason="MALFORMED_CREDENTIALS")
        keys.append(_bearer(value) if name == "authorization" else _api_key(value))
    if not keys:
        raise Unauthenticated(
            "Missing credentials: send 'Authorization: Bearer <api-key>' or 'X-API-Key: <api-key>'",
            reason="MISSING_CREDENTIALS",
        )
    if len(set(keys)) > 1:
        raise Unauthenticated(
            "Conflicting credentials: the call carries more than one API key; send one",
            reason="CONFLICTING_CREDENTIALS",
        )
    return keys[0]


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "Malformed authorization header: expected 'Bearer <api-key>'",
            reason="MALFORMED_CREDENTIALS",
        )
    return token.strip()


def _api_key(value: str) -> str:
    if not value.strip():
        raise Unauthenticated("Empty X-API-Key header", reason="MALFORMED_CREDENTIALS")
    return value.strip()
