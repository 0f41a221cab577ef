"""Admin pages: accounts (create, role and groups, password reset, disable) and the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from .. import audit
from .. import users as user_service
from ..access import admin_required
from ..database import begin_write
from ..extensions import db
from ..groups import all_groups
from ..models import User
from ..users import AccountError
from .account_link_views import link_page, own_password_elsewhere
from .blueprint import bp
from .confirmation import confirmation_page, is_confirmed
from .forms import AccountForm, AuditFilterForm, ConfirmForm, ResetPasswordForm, account_form_class

AUDIT_PAGE_SIZE = 50


def user_or_404(user_id: int) -> User:
    """Return the account with this id.

    :raises NotFound: when there is none.
    """
    return db.get_or_404(User, user_id)


def account_form(user: User | None) -> AccountForm:
    """Build the account form with one access choice per group, prefilled from the account."""
    groups = all_groups(include_archived=True)
    form_class = account_form_class(groups, new=user is None)
    data: dict[str, str] = {"role": user.role if user else "coordinator"}
    for membership in user.memberships if user else ():
        data[f"group_{membership.group_id}"] = membership.access
    return form_class(data=data)


def memberships_from(form: AccountForm) -> dict[int, str | None]:
    """Read the access choice for every group on the form."""
    return {group.id: field.data or None for group, field in form.group_fields()}


@bp.route("/users")
@admin_required
def users() -> ResponseReturnValue:
    """List every account with its role, groups and state."""
    return render_template(
        "coordinator/users.html",
        users=user_service.all_users(),
        confirm=ConfirmForm(),
        role_names=user_service.ROLE_NAMES,
        access_names=user_service.ACCESS_NAMES,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new() -> ResponseReturnValue:
    """Create an account and give it groups."""
    form = account_form(None)
    if form.validate_on_submit():
        begin_write()
        try:
            # No password typed: an invitation, whose link lets the new coordinator choose their own.
            user = user_service.create_user(form.email.data or "", form.password.data or None, form.role.data or "")
        except AccountError as error:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(error)]
        else:
            user_service.set_memberships(user, memberships_from(form))
            db.session.flush()
            audit.record(
                "user.create",
                target=user.email,
                detail=f"role {user.role}; groups: {user_service.describe_memberships(user) or 'none'}",
            )
            if not form.password.data:
                return link_page(user, "invite")  # commits the account with its audit events
            db.session.commit()
            flash(
                _("Account %(email)s created. Give them their password in person or by phone.", email=user.email),
                "success",
            )
            return redirect(url_for("coordinator.users"))
    status = 400 if form.is_submitted() else 200
    return render_template("coordinator/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int) -> ResponseReturnValue:
    """Change an account's role and groups."""
    user = user_or_404(user_id)
    form = account_form(user)
    if form.validate_on_submit():
        if user.id == current_user.id and form.role.data != "admin":
            form.role.errors = [_("You cannot remove your own admin role; ask another admin.")]
        else:
            begin_write()
            user_service.set_role(user, form.role.data or "")
            user_service.set_memberships(user, memberships_from(form))
            db.session.flush()
            audit.record(
                "user.update",
                target=user.email,
                detail=f"role {user.role}; groups: {user_service.describe_memberships(user) or 'none'}",
            )
            db.session.commit()
            flash(_("Changes to %(email)s saved.", email=user.email), "success")
            return redirect(url_for("coordinator.users"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "coordinator/user_form.html",
        form=form,
        user=user,
        reset_form=ResetPasswordForm(formdata=None),
        confirm=ConfirmForm(),
    ), status


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@admin_required
def user_reset_password(user_id: int) -> ResponseReturnValue:
    """Set a new password for an account; its open sessions end."""
    user = user_or_404(user_id)
    if user.id == current_user.id:
        return own_password_elsewhere()  # here no current password would be asked
    reset_form = ResetPasswordForm()
    if reset_form.validate_on_submit():
        begin_write()
        try:
            user_service.set_password(user, reset_form.password.data or "")
        except AccountError as error:
            reset_form.password.errors = [str(error)]
        else:
            audit.record("user.password_reset", target=user.email)
            db.session.commit()
            flash(_("New password set for %(email)s; their open sessions have ended.", email=user.email), "success")
            return redirect(url_for("coordinator.users"))
    return render_template(
        "coordinator/user_form.html", form=account_form(user), user=user, reset_form=reset_form, confirm=ConfirmForm()
    ), 400


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def user_set_active(user_id: int) -> ResponseReturnValue:
    """Disable an account (ending its sessions) or enable it again (`active=1`)."""
    user = user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, _("The form expired; go back and try again."))
    active = request.form.get("active") == "1"
    if user.id == current_user.id and not active:
        flash(_("You cannot disable your own account."), "error")
        return redirect(url_for("coordinator.users"))
    if not active and not is_confirmed():
        return confirmation_page(
            _("Disable %(email)s?", email=user.email),
            _(
                "They are logged out at once and cannot log in until an administrator enables the account again. "
                "Nothing they did is deleted."
            ),
            _("Disable account"),
            {"active": "0"},
            url_for("coordinator.users"),
        )
    begin_write()
    user_service.set_active(user, active)
    audit.record("user.enable" if active else "user.disable", target=user.email)
    db.session.commit()
    if active:
        flash(_("%(email)s is enabled.", email=user.email), "success")
    else:
        flash(_("%(email)s is disabled; their open sessions have ended.", email=user.email), "success")
    return redirect(url_for("coordinator.users"))


@bp.route("/audit")
@admin_required
def audit_log() -> ResponseReturnValue:
    """The audit log, newest first, filterable by action and by who acted, 50 to a page."""
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [SelectChoice("", _("Any action"))] + [SelectChoice(a) for a in audit.recorded_actions()]
    action = form.action.data if form.validate() else ""
    actor = (form.actor.data or "") if not form.actor.errors else ""
    page = db.paginate(
        audit.events_query(action or "", actor), per_page=AUDIT_PAGE_SIZE, max_per_page=AUDIT_PAGE_SIZE, error_out=False
    )
    filters = {"action": action or "", "actor": actor}
    return render_template("coordinator/audit.html", form=form, page=page, filters=filters)
