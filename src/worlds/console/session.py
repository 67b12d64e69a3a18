"""The console's sign-in state: two cookies, both ``SameSite=Strict; Path=/ui/``.

- ``worlds_key`` (``HttpOnly``) holds the API key the user pasted once. JavaScript cannot read
  it, no URL or page carries it, and the browser sends it only to ``/ui/…`` of this origin.
- ``worlds_csrf`` holds a random token set at sign-in (double-submit cookie): a state-changing
  request must repeat it in the ``X-CSRF-Token`` header. The console's own script reads it (so
  it is not ``HttpOnly``, and its presence tells the page it is signed in without a request);
  another origin can neither read this origin's cookies nor set a header on a cross-site
  request without a CORS preflight this server never grants, so a forged request cannot carry
  it. ``SameSite=Strict`` already keeps the cookies off cross-site requests; the token is the
  second, independent layer.

Stateless on the server: any gateway process serves any signed-in browser.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable

KEY_COOKIE = "worlds_key"
CSRF_COOKIE = "worlds_csrf"
CSRF_HEADER = b"x-csrf-token"
COOKIE_PATH = "/ui/"
# A key lives in the browser for at most this long; signing out or revoking the key ends it sooner.
MAX_AGE_SECONDS = 12 * 3600


def parse_cookies(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The request's cookies (RFC 6265 §5.4 ``name=value; …``); the first of a name wins."""
    found: dict[str, str] = {}
    for key, value in headers:
        if key != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            name, sep, val = part.strip().partition("=")
            if sep and name not in found:
                found[name] = val.strip().strip('"')
    return found


def _cookie(name: str, value: str, max_age: int, secure: bool, *, http_only: bool = True) -> str:
    attrs = [f"{name}={value}", f"Path={COOKIE_PATH}", f"Max-Age={max_age}", "SameSite=Strict"]
    if http_only:
        attrs.append("HttpOnly")
    if secure:
        attrs.append("Secure")
    return "; ".join(attrs)


def sign_in_cookies(api_key: str, *, secure: bool) -> tuple[list[str], str]:
    """``Set-Cookie`` values for a new session, and its CSRF token."""
    token = secrets.token_urlsafe(32)
    return [_cookie(KEY_COOKIE, api_key, MAX_AGE_SECONDS, secure),
            _cookie(CSRF_COOKIE, token, MAX_AGE_SECONDS, secure, http_only=False)], token


def sign_out_cookies(*, secure: bool) -> list[str]:
    """``Set-Cookie`` values that delete both cookies."""
    return [_cookie(KEY_COOKIE, "", 0, secure), _cookie(CSRF_COOKIE, "", 0, secure, http_only=False)]


def valid_api_key_syntax(key: str) -> bool:
    """A key that can travel in a cookie and a header: printable ASCII without separators."""
    return 0 < len(key) <= 512 and all(33 <= ord(c) < 127 and c not in ';,"\\' for c in key)


def csrf_ok(cookies: dict[str, str], headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether the ``X-CSRF-Token`` header repeats the session's token (constant-time)."""
    expected = cookies.get(CSRF_COOKIE, "")
    sent = next((v.decode("latin-1") for k, v in headers if k == CSRF_HEADER), "")
    return bool(expected) and hmac.compare_digest(expected.encode(), sent.encode())
