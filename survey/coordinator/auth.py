"""The `auth` blueprint: log in, log out, change one's own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from .. import audit
from ..accounts import verify_password
from ..database import begin_write
from ..extensions import db, limiter
from .forms import ChangePasswordForm, ConfirmForm, LoginForm
from .users import AccountError, authenticate, end_sessions, known_email, normalise_email, set_password

bp = Blueprint("auth", __name__)

LOGIN_FAILED = _l("That e-mail and password do not match an active account.")
TOO_MANY = _l("Too many login attempts. Wait a few minutes, then try again.")


def too_many() -> str:
    """The lockout message, in the language of the request that hit the limit."""
    return str(TOO_MANY)


def account_limit() -> str:
    """Failed logins allowed per submitted e-mail."""
    return str(current_app.config["SURVEY_LOGIN_LIMIT_PER_ACCOUNT"])


def client_limit() -> str:
    """Failed logins allowed per client address (counted in memory or Redis, never stored)."""
    return str(current_app.config["SURVEY_LOGIN_LIMIT_PER_CLIENT"])


def submitted_email() -> str:
    """Key the per-account limit by the e-mail typed into the form."""
    return "login-account:" + normalise_email(request.form.get("email", ""))[:254]


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
    account_limit, key_func=submitted_email, methods=["POST"], deduct_when=login_failed, error_message=too_many
)
@limiter.limit(client_limit, methods=["POST"], deduct_when=login_failed, error_message=too_many)
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
        flash(str(LOGIN_FAILED), "error")
        form.password.data = ""
        return render_template("coordinator/login.html", form=form), 401
    session.clear()  # a new session at login: nothing planted before it (a CSRF token, say) carries over
    login_user(user)
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
        end_sessions(current_user)  # a copy of this session's cookie stops working too
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """Change one's own password; every other open session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data or ""):
            form.current_password.errors = [_("That is not your current password.")]
        else:
            begin_write()
            try:
                set_password(current_user, form.password.data or "")
            except AccountError as error:
                form.password.errors = [str(error)]
            else:
                audit.record("password.change", target=current_user.email)
                db.session.commit()
                login_user(current_user._get_current_object())  # this session carries on with the new version
                flash(_("Your password is changed. Other sessions of your account have ended."), "success")
                return redirect(url_for("coordinator.groups"))
    status = 400 if form.is_submitted() else 200
    return render_template("coordinator/password.html", form=form, title=_("Change your password")), status
