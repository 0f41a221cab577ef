"""Invitation and password-reset links: an admin makes one, its owner opens it and sets their own password.

The admin sees the link once and sends it (e-mail, a message); nothing about it is stored. The token
travels in the query string, which the access log never writes. See survey/account_links.py for why
a link works once, and what it refuses.
"""

from __future__ import annotations

from flask import after_this_request, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import audit
from ..access import admin_required
from ..account_links import LinkClaims, LinkError, check_claims, make_token, read_token
from ..database import begin_write
from ..extensions import db
from ..i18n import use_locale_hints
from ..models import User
from ..public_url import absolute_url
from ..users import AccountError, set_password
from . import auth
from .account_forms import LinkPasswordForm
from .blueprint import bp
from .forms import ConfirmForm


def link_for(user: User, kind: str) -> str:
    """Return a new absolute link of this kind for the account, on the public base URL."""
    token = make_token(
        current_app.secret_key,  # type: ignore[arg-type]
        user.id,
        kind,
        user.password_hash,
        user.session_version,
        current_app.config["SURVEY_ACCOUNT_LINK_HOURS"],
    )
    return absolute_url(url_for("auth.set_password_by_link", token=token))


def link_page(user: User, kind: str) -> ResponseReturnValue:
    """Show the admin a new link to send, once."""
    audit.record("user.invite_link" if kind == "invite" else "user.reset_link", target=user.email)
    db.session.commit()
    hours = f"{current_app.config['SURVEY_ACCOUNT_LINK_HOURS']:g}"
    return render_template(
        "coordinator/account_link.html", user=user, kind=kind, link=link_for(user, kind), hours=hours
    )


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@admin_required
def user_reset_link(user_id: int) -> ResponseReturnValue:
    """Make a password-reset link for someone else's account (one's own goes through the account page)."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("coordinator.user_edit", user_id=user.id))
    if user.id == current_user.id:
        return own_password_elsewhere()
    begin_write()
    return link_page(user, "reset")


def own_password_elsewhere() -> Response:
    """Send an admin who tries to reset their own password to the page that asks for the current one."""
    flash(_("To change your own password, use this page: it asks for your current password first."), "info")
    return redirect(url_for("auth.change_password"))


def no_store(response: Response) -> Response:
    """Keep the link's page (and its token) out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def link_problem(reason: str) -> ResponseReturnValue:
    """Show why a link cannot be used ("forged", "expired" or "used"), in the visitor's language, changing nothing."""
    if reason == "expired":
        status, message = 410, _("This link has expired. Ask your administrator for a new one.")
    elif reason == "used":
        status, message = (
            410,
            _("This link has already been used. Ask your administrator for a new one if you need it."),
        )
    else:
        status, message = (
            400,
            _("This link is not valid. Check that you copied all of it, or ask your administrator for a new one."),
        )
    return render_template("coordinator/link_problem.html", message=message), status


def usable_claims(token: str, lock: bool = False) -> tuple[LinkClaims, User]:
    """Return the link's claims and its active account.

    :raises LinkError: for a forged, expired or used link.
    """
    secret: str = current_app.secret_key  # type: ignore[assignment]
    claims = read_token(secret, token)
    user = db.session.get(User, claims.user_id, with_for_update=lock)
    active = user is not None and user.is_active_account
    if user is not None:
        use_locale_hints(override=user.locale)  # the page speaks the account's chosen language
    check_claims(
        secret,
        claims,
        user.password_hash if active and user else None,
        user.session_version if active and user else None,
    )
    assert user is not None
    return claims, user


@auth.bp.route("/account/set-password", methods=["GET", "POST"])
def set_password_by_link() -> ResponseReturnValue:
    """Let the owner of an invitation or reset link choose their password; the link then stops working."""
    after_this_request(no_store)
    form = LinkPasswordForm(token=request.args.get("token", ""))
    token = form.token.data or ""
    if form.is_submitted():
        begin_write()  # read the account under the write lock: two tabs sending at once use the link once
    try:
        claims, user = usable_claims(token, lock=form.is_submitted())
    except LinkError as error:
        db.session.rollback()
        return link_problem(error.reason)
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data or "")
        except AccountError as error:
            db.session.rollback()
            form.password.errors = [str(error)]
        else:
            audit.record("password.set_by_link", actor_email=user.email, target=user.email, detail=claims.kind)
            db.session.commit()
            flash(_("Your password is set. Log in with it now."), "success")
            return redirect(url_for("auth.login"))
    else:
        db.session.rollback()
    status = 400 if form.is_submitted() else 200
    return render_template("coordinator/set_password.html", form=form, user=user, kind=claims.kind), status
