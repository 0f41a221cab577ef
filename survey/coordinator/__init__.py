"""The coordinator workspace: login (`auth`) and groups, meetings, posters, users, instruments, audit."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import gettext

from ..instruments import InstrumentIssue
from . import auth
from .blueprint import bp


def init_app(app: Flask) -> None:
    """Mount the `auth` and `coordinator` blueprints and the helpers their templates use."""
    from . import (  # noqa: F401  (routes register on import)
        account_link_views,
        account_views,
        admin_views,
        group_views,
        instrument_upload_views,
        instrument_views,
        poster_views,
    )

    app.register_blueprint(auth.bp)
    app.register_blueprint(bp)
    app.context_processor(template_helpers)


def has_endpoint(name: str) -> bool:
    """Tell whether a view with this endpoint name exists (links to other teams' pages appear only then)."""
    return name in current_app.view_functions


def template_helpers() -> dict[str, object]:
    """Expose `has_endpoint`, the access helpers, the page's language (unless a view passes its own), the
    demo-accounts warning and `issue_text` (an instrument problem in the reader's language) to every template."""
    from flask_babel import get_locale

    from ..access import is_admin

    return {
        "has_endpoint": has_endpoint,
        "is_admin": is_admin,
        "issue_text": issue_text,
        "open_demo_logins": open_demo_logins,
        "page_locale": str(get_locale() or "en"),
    }


def issue_text(issue: InstrumentIssue) -> str:
    """Return an instrument problem as `path:line: message`, the message in the page's language."""
    return issue.in_language(gettext)


def open_demo_logins() -> list[str]:
    """Return the e-mails of demo accounts still open with their published passwords, for an admin's warning.

    Never in development (SURVEY_DEV=1), where the demo accounts are the point; [] for non-admins.
    """
    from .. import demo
    from ..access import is_admin

    if current_app.config.get("SURVEY_DEVELOPMENT") or not is_admin():
        return []
    return [email for email, _password, _role in demo.open_demo_logins()]
