"""A second step before an action a coordinator could regret: a page that says what will happen, then Confirm.

Works without JavaScript: the first POST (without `confirmed=1`) only renders this page, whose form
posts the same fields again with `confirmed=1` and a fresh CSRF token.
"""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from .forms import ConfirmForm


def is_confirmed() -> bool:
    """Tell whether this POST comes from the confirmation page."""
    return request.form.get("confirmed") == "1"


def confirmation_page(
    title: str, explanation: str, action_label: str, fields: dict[str, str], cancel_url: str
) -> ResponseReturnValue:
    """Render the page that asks for confirmation; nothing has changed yet."""
    return render_template(
        "coordinator/confirm.html",
        title=title,
        explanation=explanation,
        action_label=action_label,
        action_url=request.path,
        fields={**fields, "confirmed": "1"},
        cancel_url=cancel_url,
        form=ConfirmForm(),
    )
