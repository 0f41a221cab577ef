"""The `auth` blueprint: log in and log out (the account pages are in account_views.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from .. import audit, session_lifetime
from ..accounts import signed_in_account
from ..database import begin_write
from ..extensions import db, limiter
from ..users import authenticate, end_sessions, known_email, normalise_email
from .forms import ConfirmForm, LoginForm

bp = Blueprint("auth", __name__)


def too_many_logins() -> str:
    """The lockout page's message, in the visitor's language."""
    return _(
        "Too many login attempts from this device. Wait a few minutes, then try again. "
        "If you forgot your password, ask an administrator for a password reset link."
    )


def account_limit() -> str:
    """Failed logins allowed per submitted e-mail."""
    return str(current_app.config["SURVEY_LOGIN_LIMIT_PER_ACCOUNT"])


def client_limit() -> str:
    """Failed logins allowed per client address (counted in memory or Redis, never stored)."""
    return str(current_app.config["SURVEY_LOGIN_LIMIT_PER_CLIENT"])


def submitted_email() -> str:
    """Key the per-account limit by the client address and the e-mail typed into the form.

    Keyed by the e-mail alone, anyone could keep its owner locked out for ever by failing on purpose
    from anywhere; with the address in the key the owner's own device still logs in. Guessing one
    account from many addresses is bounded by each address's own limit and the common-password check.
    """
    return f"login-account:{request.remote_addr or 'unknown'}:" + normalise_email(request.form.get("email", ""))[:254]


def login_failed(response: Response) -> bool:
    """Count only failed attempts against the limits (a success redirects)."""
    return response.status_code != 302


def safe_next(target: str | None) -> str | None:
    """Return `target` when it is a path on this site, else None (no `//host`, scheme, or backslash tricks)."""
    if not target or "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


UNKNOWN_ACCOUNT = "(no such account)"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    account_limit, key_func=submitted_email, methods=["POST"], deduct_when=login_failed, error_message=too_many_logins
)
@limiter.limit(client_limit, methods=["POST"], deduct_when=login_failed, error_message=too_many_logins)
def login() -> ResponseReturnValue:
    """Show the login form; on success go to `next` (this site only) or the groups page."""
    if current_user.is_authenticated:
        return redirect(url_for("coordinator.groups"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("coordinator/login.html", form=form), 400 if form.is_submitted() else 200
    begin_write()
    user = authenticate(form.email.data or "", form.password.data or "")
    if user is None:
        # Only an existing account's address is recorded: whatever else was typed (a password in the
        # wrong field, a probe) never reaches the audit log.
        audit.record("login.failure", actor_email=known_email(form.email.data or "") or UNKNOWN_ACCOUNT)
        db.session.commit()
        flash(_("That e-mail and password do not match an active account."), "error")
        form.password.data = ""
        return render_template("coordinator/login.html", form=form), 401
    session.clear()  # a new session at login: nothing planted before it (a CSRF token, say) carries over
    login_user(user)
    session_lifetime.start()
    audit.record("login.success")
    db.session.commit()
    return redirect(safe_next(request.args.get("next")) or url_for("coordinator.groups"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    """End this session and return to the login page."""
    if ConfirmForm().validate_on_submit():
        begin_write()
        audit.record("logout")
        end_sessions(signed_in_account())  # a copy of this session's cookie stops working too
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
