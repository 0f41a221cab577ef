"""Security headers on every response (Content-Security-Policy without inline scripts)."""

from flask import Flask, Response, request
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

SIGNED_IN_BLUEPRINTS = frozenset({"auth", "coordinator", "dashboard", "retention"})


def init_app(app: Flask) -> None:
    """Install the header hook."""
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    """Add CSP, nosniff, referrer policy and HSTS (over HTTPS only)."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Coordinator forms need a same-origin Referer: Flask-WTF's strict CSRF check refuses HTTPS POSTs without one.
    policy = "same-origin" if request.blueprint in SIGNED_IN_BLUEPRINTS else "no-referrer"
    response.headers.setdefault("Referrer-Policy", policy)
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.blueprint in SIGNED_IN_BLUEPRINTS and current_user.is_authenticated:
        # Logged-in pages, JSON and exports hold group data: never kept by a browser or a proxy cache.
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
