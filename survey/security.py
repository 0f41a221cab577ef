"""Security headers on every response (Content-Security-Policy without inline scripts)."""

from flask import Flask, Response
from flask_login import current_user

from . import unproxied

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

HSTS = "max-age=31536000; includeSubDomains"
SIGNED_IN_BLUEPRINTS = frozenset({"auth", "coordinator", "dashboard", "retention"})


def _page_headers(referrer_policy: str) -> tuple[tuple[str, str], ...]:
    return (
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", referrer_policy),
        ("X-Frame-Options", "DENY"),
    )


# Coordinator forms need a same-origin Referer: Flask-WTF's strict CSRF check refuses HTTPS POSTs without one.
SIGNED_IN_HEADERS = _page_headers("same-origin")
PUBLIC_HEADERS = _page_headers("no-referrer")
HTTPS_HEADERS = (("Strict-Transport-Security", HSTS),)


def init_app(app: Flask) -> None:
    """Install the header hook."""
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    """Add CSP, nosniff, referrer policy and frame options where the view set none, and HSTS (over HTTPS only)."""
    page = unproxied.this_request()  # not through the proxy (unproxied.py)
    signed_in = page.blueprint in SIGNED_IN_BLUEPRINTS
    add_missing(response, SIGNED_IN_HEADERS if signed_in else PUBLIC_HEADERS)
    if signed_in and current_user.is_authenticated:
        # Logged-in pages, JSON and exports hold group data: never kept by a browser or a proxy cache.
        response.headers["Cache-Control"] = "no-store"
    if page.is_secure:
        add_missing(response, HTTPS_HEADERS)
    return response


def add_missing(response: Response, headers: tuple[tuple[str, str], ...]) -> None:
    """Add each header the response does not have yet, in order (as setdefault, with one look at the headers)."""
    present = {name.lower() for name, _value in response.headers}
    response.headers.extend([(name, value) for name, value in headers if name.lower() not in present])
