"""Infrastructure faults on participant pages: a 503 in the participant's language, with Retry-After.

A database that cannot be reached (or is locked, full or restarting) is not the participant's
mistake and not a bug: the page says so in their language and asks them to try again in a minute,
and `Retry-After` tells the offline queue (static/participant/offline.js) when. The log names the
error class and the driver's message only, never the statement's parameters (the answers).
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from ..extensions import db
from ..i18n import use_locale_hints

RETRY_AFTER_SECONDS = 30
INFRASTRUCTURE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,  # connection refused or lost, database locked, disk full, server restarting
    InterfaceError,
    DisconnectionError,
    PoolTimeoutError,  # every pooled connection busy for pool_timeout seconds
    PendingRollbackError,  # an earlier one of the above in this request's transaction
)


def init_blueprint(bp: Blueprint) -> None:
    """Answer every infrastructure fault raised in this blueprint's views with the 503 page."""
    for error_class in INFRASTRUCTURE_ERRORS:
        bp.register_error_handler(error_class, service_unavailable)


def service_unavailable(error: Exception) -> ResponseReturnValue:
    """Log the fault, end the transaction and render the 503 page in the participant's language."""
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [""])[0][:200]
    current_app.logger.error(
        "Database unavailable on %s %s: %s: %s", request.method, request.path, type(cause).__name__, first_line
    )
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (the connection may be gone; the pool discards it)
        current_app.logger.warning("Rollback after a database fault failed too")
    use_locale_hints()
    from .views import render_page  # imported here: views imports this module's blueprint hook

    title, message = _texts()
    page, status = render_page("participant/retry_later.html", 503, title=title, message=message)
    return page, status, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


def _texts() -> tuple[str, str]:
    """What to tell the participant: their answers are not saved yet, or were, or the form will be back."""
    if request.endpoint == "participant.thanks":
        return (
            _("Thank you"),
            _("Your answers were received. This page cannot be shown right now; you can close it."),
        )
    if request.method == "POST":
        return _("Your answers are not saved yet"), _("Please wait a minute, then send them again.")
    return _("The survey is not available right now"), _("Please try again in a minute.")
