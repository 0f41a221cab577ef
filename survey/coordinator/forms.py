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
from ..users import ACCESS_LEVELS, ACCESS_NAMES, ROLE_NAMES, ROLES, email_problem
from .schedule_form import one_off_field, repeating_field

PASSWORD_HINT = _l("At least %(num)d characters. A few unrelated words are easy to remember.", num=MIN_PASSWORD_LENGTH)


def valid_email(_form: FlaskForm, field: Field) -> None:
    """Refuse something that is not an e-mail address."""
    problem = email_problem((field.data or "").strip())
    if problem:
        raise ValidationError(problem)


def new_password_field(label: str | None = None) -> PasswordField:
    """Return a password field that asks for the minimum length and says so."""
    return PasswordField(
        label or _l("New password"),
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1024,
                message=_l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
            ),
        ],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )


def confirm_field() -> PasswordField:
    """Return the "type it again" field that must equal `password`."""
    return PasswordField(
        _l("New password, again"),
        validators=[
            DataRequired(_l("Type the new password again.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
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
        _l("Role"),
        choices=[SelectChoice(r, ROLE_NAMES[r]) for r in ROLES],
        description=_l("Admins see and manage every group, account and the audit log."),
    )

    def group_fields(self) -> list[tuple[Group, Field]]:
        """Return each group with its access field, in the order the form was built."""
        return [(group, self[f"group_{group.id}"]) for group in getattr(self, "_groups", ())]


class NewAccountForm(AccountForm):
    """A new account: e-mail and first password as well."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter an e-mail address.")), valid_email],
        render_kw={"autocomplete": "off"},
    )
    password = PasswordField(
        _l("Password (optional)"),
        validators=[
            Optional(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1024,
                message=_l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
            ),
        ],
        description=_l(
            "Leave both password fields empty to get an invitation link instead: the new coordinator opens it "
            "and chooses their own password."
        ),
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )
    confirm = PasswordField(
        _l("Password, again"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


def account_form_class(groups: Sequence[Group], new: bool) -> type[AccountForm]:
    """Build the account form with one access choice per group."""
    base = NewAccountForm if new else AccountForm
    access_choices = [SelectChoice("", _l("No access"))] + [SelectChoice(lv, ACCESS_NAMES[lv]) for lv in ACCESS_LEVELS]
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
        _l("Group name"),
        validators=[DataRequired(_l("Give the group a name.")), Length(max=120)],
        description=_l("Shown on the poster and at the top of the questionnaire."),
    )
    code = StringField(
        _l("Code (optional)"),
        validators=[Optional(), Length(min=4, max=16, message=_l("A code is 4 to 16 letters and digits."))],
        description=_l(
            "Leave empty for a random 8-character code. It cannot be changed later, because printed posters use it."
        ),
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )
    default_locale = SelectField(_l("Default language"), choices=[])
    single_language = BooleanField(
        _l("Always open the survey in the default language"),
        description=_l(
            "For a group that speaks one language: phones set to another language still open in this one "
            "(the language switch stays on the page)."
        ),
    )
    timezone = SelectField(
        _l("Time zone"), choices=[], description=_l("Meetings and dashboards use this zone's dates.")
    )
    repeating = repeating_field()  # the schedule: survey/coordinator/schedule_form.py
    one_off = one_off_field()
    instruments = MultiCheckboxField(
        _l("Questionnaires"), choices=[], validators=[DataRequired(_l("Choose at least one questionnaire."))]
    )
    min_group_size = IntegerField(
        _l("Minimum reporting size (k)"),
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(
                min=MIN_GROUP_SIZE_FLOOR,
                max=1000,
                message=_l("Use a number of at least %(num)d.", num=MIN_GROUP_SIZE_FLOOR),
            ),
        ],
        description=_l(
            "Results over fewer responses than this stay hidden. Never below %(num)d.", num=MIN_GROUP_SIZE_FLOOR
        ),
        render_kw={"min": MIN_GROUP_SIZE_FLOOR, "inputmode": "numeric"},
    )
    is_open = BooleanField(_l("Open to responses"), description=_l("Closed groups show participants a polite notice."))


class AuditFilterForm(FlaskForm):
    """Filters of the audit log, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[], validators=[Optional()])
    actor = StringField(_l("Who (e-mail)"), validators=[Optional(), Length(max=254)])
