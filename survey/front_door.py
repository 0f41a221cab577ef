"""The site root (a signpost for participants and coordinators) and /favicon.ico."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from .extensions import limiter

bp = Blueprint("front", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Send a logged-in coordinator to their groups; tell anyone else where to go."""
    if current_user.is_authenticated:
        return redirect(url_for("coordinator.groups"))
    return render_template("front/index.html")


@bp.get("/favicon.ico")
@limiter.exempt
def favicon() -> ResponseReturnValue:
    """Serve the site icon where browsers look for it by default."""
    assert current_app.static_folder  # noqa: S101 (the factory always sets it)
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)
