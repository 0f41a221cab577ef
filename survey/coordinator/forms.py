"""Flask-WTF forms of the coordinator workspace (every one carries a CSRF token)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts import MIN_PASSWORD_LENGTH
from ..groups import MIN_GROUP_SIZE_FLOOR
from ..models import Group
from .schedule_form import one_off_field, repeating_field
from .users import ACCESS_LEVELS, ROLES, email_problem

PASSWORD_HINT = f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words are easy to remember."


def valid_email(_form: FlaskForm, field: Field) -> None:
    """Refuse something that is not an e-mail address."""
    problem = email_problem((field.data or "").strip())
    if problem:
        raise ValidationError(problem)


def new_password_field(label: str = "New password") -> PasswordField:
    """Return a password field that asks for the minimum length and says so."""
    return PasswordField(
        label,
        validators=[
            DataRequired("Enter a password."),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
        ],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )


def confirm_field() -> PasswordField:
    """Return the "type it again" field that must equal `password`."""
    return PasswordField(
        "New password, again",
        validators=[DataRequired("Type the new password again."), EqualTo("password", "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        "E-mail",
        validators=[DataRequired("Enter your e-mail address."), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field()
    confirm = confirm_field()


class ResetPasswordForm(FlaskForm):
    """An admin sets a new password for someone else."""

    password = new_password_field()
    confirm = confirm_field()


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class AccountForm(FlaskForm):
    """Role of an account; the group access fields are added at run time by `account_form_class`."""

    role = SelectField(
        "Role",
        choices=[SelectChoice(r, r.capitalize()) for r in ROLES],
        description="Admins see and manage every group, account and the audit log.",
    )

    def group_fields(self) -> list[tuple[Group, Field]]:
        """Return each group with its access field, in the order the form was built."""
        return [(group, self[f"group_{group.id}"]) for group in getattr(self, "_groups", ())]


class NewAccountForm(AccountForm):
    """A new account: e-mail and first password as well."""

    email = EmailField(
        "E-mail", validators=[DataRequired("Enter an e-mail address."), valid_email], render_kw={"autocomplete": "off"}
    )
    password = PasswordField(
        _l("Password (optional)"),
        validators=[
            Optional(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
        ],
        description=_l(
            "Leave both password fields empty to get an invitation link instead: the new coordinator opens it "
            "and chooses their own password."
        ),
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )
    confirm = PasswordField(
        "Password, again",
        validators=[EqualTo("password", "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


def account_form_class(groups: Sequence[Group], new: bool) -> type[AccountForm]:
    """Build the account form with one access choice per group."""
    base = NewAccountForm if new else AccountForm
    access_choices = [SelectChoice("", "No access")] + [SelectChoice(lv, lv.capitalize()) for lv in ACCESS_LEVELS]
    attributes: dict[str, Any] = {"_groups": tuple(groups)}
    for group in groups:
        attributes[f"group_{group.id}"] = SelectField(
            f"{group.name} ({group.code})", choices=access_choices, default=""
        )
    return type("AccountFormWithGroups", (base,), attributes)


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as a list of check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GroupForm(FlaskForm):
    """A group's settings; `code` is used only when creating."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schedule_problems: list[str] = []  # the whole schedule's (overlaps, past dates), not one field's

    name = StringField(
        "Group name",
        validators=[DataRequired("Give the group a name."), Length(max=120)],
        description="Shown on the poster and at the top of the questionnaire.",
    )
    code = StringField(
        "Code (optional)",
        validators=[Optional(), Length(min=4, max=16)],
        description="Leave empty for a random 8-character code. It cannot be changed later, "
        "because printed posters use it.",
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )
    default_locale = SelectField("Default language", choices=[])
    single_language = BooleanField(
        _l("Always open the survey in the default language"),
        description=_l(
            "For a group that speaks one language: phones set to another language still open in this one "
            "(the language switch stays on the page)."
        ),
    )
    timezone = SelectField("Time zone", choices=[], description="Meetings and dashboards use this zone's dates.")
    repeating = repeating_field()  # the schedule: survey/coordinator/schedule_form.py
    one_off = one_off_field()
    instruments = MultiCheckboxField(
        "Questionnaires", choices=[], validators=[DataRequired("Choose at least one questionnaire.")]
    )
    min_group_size = IntegerField(
        "Minimum reporting size (k)",
        validators=[
            InputRequired("Enter a number."),
            NumberRange(
                min=MIN_GROUP_SIZE_FLOOR, max=1000, message=f"Use a number of at least {MIN_GROUP_SIZE_FLOOR}."
            ),
        ],
        description=f"Results over fewer responses than this stay hidden. Never below {MIN_GROUP_SIZE_FLOOR}.",
        render_kw={"min": MIN_GROUP_SIZE_FLOOR, "inputmode": "numeric"},
    )
    is_open = BooleanField("Open to responses", description="Closed groups show participants a polite notice.")


class AuditFilterForm(FlaskForm):
    """Filters of the audit log, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    action = SelectField("Action", choices=[], validators=[Optional()])
    actor = StringField("Who (e-mail)", validators=[Optional(), Length(max=254)])
