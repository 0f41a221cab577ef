"""One's own account (`auth` blueprint): the settings page (language) and the password change.

The current-password check is throttled per account (SURVEY_REAUTH_LIMIT): a stolen session cannot
guess its way to the password and so to a permanent foothold.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from limits import parse_many
from werkzeug.wrappers import Response

from .. import audit, session_lifetime
from ..accounts import signed_in_account, verify_password
from ..database import begin_write
from ..extensions import db, limiter
from ..users import AccountError, set_password
from .account_forms import FROM_BROWSER, LanguageForm
from .auth import bp
from .forms import ChangePasswordForm


def reauth_limit() -> str:
    """Wrong current passwords allowed per account."""
    return str(current_app.config["SURVEY_REAUTH_LIMIT"])


def reauth_key() -> str:
    """Key the throttle by the account, whichever device or session the guesses come from."""
    return f"reauth:{current_user.id if current_user.is_authenticated else 'anonymous'}"


def wrong_current_password(_response: Response) -> bool:
    """Count only attempts whose current password was wrong."""
    return bool(g.get("wrong_current_password"))


def too_many_guesses() -> str:
    """The throttle's message, in the coordinator's language, naming the longest window of the limit."""
    window = dt.timedelta(seconds=max(item.get_expiry() for item in parse_many(reauth_limit())))
    return _(
        "Too many wrong current passwords for this account. Wait up to %(window)s, then try again; "
        "if you forgot it, log out and ask an administrator for a password reset link.",
        window=format_timedelta(window, threshold=1),
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    """Show the account's settings and save its interface language."""
    form = LanguageForm(data={"locale": current_user.locale or FROM_BROWSER})
    if form.validate_on_submit():
        begin_write()
        account = signed_in_account()
        account.locale = form.locale.data or None
        audit.record("account.language", target=account.email, detail=account.locale or "browser")
        db.session.commit()
        flash(_("Your language is saved."), "success")
        return redirect(url_for("auth.account"))
    status = 400 if form.is_submitted() else 200
    return render_template("coordinator/account.html", form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(
    reauth_limit,
    key_func=reauth_key,
    methods=["POST"],
    deduct_when=wrong_current_password,
    error_message=too_many_guesses,
)
@login_required
def change_password() -> ResponseReturnValue:
    """Change one's own password; every other open session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        account = signed_in_account()
        if not verify_password(account.password_hash, form.current_password.data or ""):
            g.wrong_current_password = True
            form.current_password.errors = [_("That is not your current password.")]
        else:
            begin_write()
            try:
                set_password(account, form.password.data or "")
            except AccountError as error:
                db.session.rollback()
                form.password.errors = [str(error)]
            else:
                audit.record("password.change", target=account.email)
                db.session.commit()
                login_user(account)  # this session carries on with the new version
                session_lifetime.start()
                flash(_("Your password is changed. Other sessions of your account have ended."), "success")
                return redirect(url_for("auth.account"))
    status = 400 if form.is_submitted() else 200
    return render_template("coordinator/password.html", form=form, title=_("Change your password")), status
