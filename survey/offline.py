"""GET /sw.js: the participant pages' service worker, served from the site root so its scope is `/`."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, send_from_directory

from .extensions import limiter

bp = Blueprint("offline", __name__)


@bp.get("/sw.js")
@limiter.exempt
def service_worker() -> Response:
    """Send static/sw.js uncached, so a new deployment's worker replaces the old one at the next visit."""
    response = send_from_directory(current_app.static_folder or "static", "sw.js", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response
