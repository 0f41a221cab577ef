"""Forms of one's own account: interface language, and a new password set through an invitation or reset link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from ..accounts import MIN_PASSWORD_LENGTH
from ..i18n import LANGUAGE_NAMES

FROM_BROWSER = ""


def locale_choices() -> list[SelectChoice]:
    """Return "as my browser asks", then every language the interface is translated into."""
    return [SelectChoice(FROM_BROWSER, _l("As my browser asks"))] + [
        SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()
    ]


class LanguageForm(FlaskForm):
    """The account's interface language."""

    locale = SelectField(
        _l("Language of these pages"),
        choices=[],
        validate_choice=True,
        description=_l("Participants' questionnaires keep their group's languages."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = locale_choices()


class LinkPasswordForm(FlaskForm):
    """A new password, twice, with the signed link's token carried along."""

    token = HiddenField()
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a password.")), Length(max=1024)],
        description=_l(
            "At least %(count)d characters. A few unrelated words are easy to remember.", count=MIN_PASSWORD_LENGTH
        ),
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )
    confirm = PasswordField(
        _l("New password, again"),
        validators=[
            DataRequired(_l("Type the new password again.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
