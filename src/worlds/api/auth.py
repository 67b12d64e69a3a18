"""Who is calling: the API key a call carries.

Callers present an API key, either as `authorization: Bearer <key>` or as
`x-api-key: <key>` (gRPC metadata; the gateway forwards the HTTP headers of the
same names). Roles and key hashing live in `worlds.core.access`.
"""

from __future__ import annotations

from collections.abc import Iterable

from worlds.core.errors import Unauthenticated


def key_from_metadata(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    """The API key a call carries, or Unauthenticated when it has none or a malformed one."""
    authorization = api_key = None
    for name, value in metadata or ():
        if isinstance(value, bytes):
            continue
        if name == "authorization":
            authorization = value
        elif name == "x-api-key":
            api_key = value
    if authorization is not None:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(
                "Malformed authorization header: expected 'Bearer <api-key>'",
                reason="MALFORMED_CREDENTIALS",
            )
        return token.strip()
    if api_key is not None:
        if not api_key.strip():
            raise Unauthenticated("Empty X-API-Key header", reason="MALFORMED_CREDENTIALS")
        return api_key.strip()
    raise Unauthenticated(
        "Missing credentials: send 'Authorization: Bearer <api-key>' or 'X-API-Key: <api-key>'",
        reason="MISSING_CREDENTIALS",
    )
