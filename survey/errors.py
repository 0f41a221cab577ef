"""Friendly error pages (HTML, or JSON for JSON requests); every page offers a way back."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError


def init_app(app: Flask) -> None:
    """Render every HTTP error through one template."""
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_unexpected)


def wants_json() -> bool:
    """Tell whether the client asked for JSON rather than a page."""
    return request.accept_mimetypes.best == "application/json" or request.path.endswith(".json")


def render_error(error: HTTPException):  # type: ignore[no-untyped-def]
    """Show the error's code and message, never a traceback."""
    code = error.code or 500
    if wants_json():
        return jsonify(error=error.name, message=error.description), code
    return render_template("errors/error.html", error=error, code=code), code


def render_unexpected(error: Exception):  # type: ignore[no-untyped-def]
    """Log an unexpected exception and show the generic 500 page."""
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return render_error(InternalServerError())
