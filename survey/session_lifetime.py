"""How long a coordinator's session lasts: an idle timeout and an absolute lifetime, enforced by the server.

Login stamps the session with when it started and when it was last used (the cookie is signed, so
neither can be changed by the browser; an older copy of the cookie only carries older stamps). Every
request by a logged-in coordinator checks both against SURVEY_SESSION_IDLE_MINUTES and
SURVEY_SESSION_MAX_HOURS and, once either is passed, ends the session and sends them to the login page
with a message saying why. Logout and password changes end sessions through the account's session
version (survey.accounts), which no copied cookie survives either.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user
from werkzeug.wrappers import Response

from . import clock

STARTED = "_survey_started"
SEEN = "_survey_seen"
# Refresh the "last used" stamp at most once a minute, so an active page does not rewrite the cookie each time.
SEEN_RESOLUTION_SECONDS = 60


def init_app(app: Flask) -> None:
    """Check every logged-in request; bound the cookie signature's age by the absolute lifetime too."""
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=app.config["SURVEY_SESSION_MAX_HOURS"])
    app.before_request(end_expired_session)


def start() -> None:
    """Stamp a session that has just logged in."""
    session[STARTED] = session[SEEN] = int(clock.now())


def expiry_reason(started: float, seen: float, now: float, idle_minutes: float, max_hours: float) -> str | None:
    """Return "idle" or "lifetime" when the session has expired at `now`, else None."""
    if now - started > max_hours * 3600:
        return "lifetime"
    if now - seen > idle_minutes * 60:
        return "idle"
    return None


def end_expired_session() -> Response | None:
    """End a logged-in session past its idle timeout or lifetime and send its owner to log in again."""
    if "_user_id" not in session:
        return None
    now = int(clock.now())
    if STARTED not in session:  # a session made before these stamps existed starts its lifetime now
        session[STARTED] = session[SEEN] = now
    config = current_app.config
    reason = expiry_reason(
        session[STARTED],
        session[SEEN],
        now,
        config["SURVEY_SESSION_IDLE_MINUTES"],
        config["SURVEY_SESSION_MAX_HOURS"],
    )
    if reason is None:
        if now - session[SEEN] >= SEEN_RESOLUTION_SECONDS:
            session[SEEN] = now
        return None
    message = expiry_message(reason)  # before logging out: in the account's own language
    logout_user()
    session.clear()
    flash(message, "info")
    if request.endpoint == "auth.login":
        return None  # the login page itself shows the message
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target.rstrip("?") if target else None))


def expiry_message(reason: str) -> str:
    """Tell the coordinator why they must log in again."""
    if reason == "idle":
        minutes = f"{current_app.config['SURVEY_SESSION_IDLE_MINUTES']:g}"
        return _(
            "You were logged out after %(minutes)s minutes without activity. Log in again to continue.", minutes=minutes
        )
    hours = f"{current_app.config['SURVEY_SESSION_MAX_HOURS']:g}"
    return _("Your session reached its limit of %(hours)s hours. Log in again to continue.", hours=hours)
