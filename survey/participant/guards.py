"""Cross-site protection for the one anonymous form, which cannot use a session-bound CSRF token.

The signed form token proves the form came from us; these checks stop another site from making
a visitor's browser post it. Browsers send `Sec-Fetch-Site`, and `Origin` on every POST; an
`Origin` of `null` (privacy contexts, older pages) is accepted unless Sec-Fetch-Site says
cross-site, because the token still has to be valid.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Request


def is_cross_site(request: Request) -> bool:
    """Tell whether the request comes from another site's page."""
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return True
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return False
    return urlsplit(origin).netloc.lower() != request.host.lower()
