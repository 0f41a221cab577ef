"""Friendly error pages (HTML, or JSON for JSON requests); every page offers a way back."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

# Werkzeug's own titles and default descriptions are English; these are said in the reader's language.
TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please log in"),
    403: _l("You cannot see this page"),
    404: _l("Page not found"),
    405: _l("This address does not accept that kind of request"),
    410: _l("This page is no longer available"),
    413: _l("What was sent is too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("The service is unavailable for a moment"),
}
DESCRIPTIONS = {
    400: _l("Something in the address or the form was not as expected. Go back and try again."),
    401: _l("This page is for logged-in coordinators."),
    403: _l("Your account has no access to this page. Ask an administrator if you need it."),
    404: _l("There is nothing at this address. Check the link, or start again from the start page."),
    405: _l("Go back and use the page's own buttons and links."),
    410: _l("What was here has been removed or has expired."),
    413: _l("Send less at once, then try again."),
    429: _l("Wait a minute, then try again."),
    500: _l("The error has been logged. Try again in a moment; if it keeps happening, tell your administrator."),
    503: _l("Try again in a minute."),
}

FORM_EXPIRED = _l("The form expired or did not come from this site. Go back, reload the page and try again.")


def error_texts(error: HTTPException) -> tuple[str, str]:
    """Return the error's title and description in the reader's language (a view's own message kept)."""
    code = error.code or 500
    title = str(TITLES.get(code, error.name))
    if isinstance(error, CSRFError):  # Flask-WTF's reasons ("The CSRF token has expired.") are English
        return title, str(FORM_EXPIRED)
    default = error.description == type(error).description or not error.description
    description = str(DESCRIPTIONS.get(code, error.description)) if default else str(error.description)
    return title, description


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
    title, description = error_texts(error)
    if wants_json():
        return jsonify(error=error.name, message=description), code
    return render_template("errors/error.html", title=title, description=description, code=code), code


def render_unexpected(error: Exception):  # type: ignore[no-untyped-def]
    """Log an unexpected exception and show the generic 500 page."""
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return render_error(InternalServerError())
