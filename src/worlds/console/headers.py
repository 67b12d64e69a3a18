"""The security headers of every console response (pages, assets, forwarded API answers).

The policy allows scripts, styles, images and connections from this origin only: no inline
script, no ``style`` attributes in markup (the front end sets styles through the CSSOM or classes),
no framing (``frame-ancestors 'none'`` and, for old browsers, ``X-Frame-Options``).
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def security_headers() -> dict[str, str]:
    """The headers above, as a dict for Starlette responses."""
    return {k.decode(): v.decode() for k, v in SECURITY_HEADERS}
