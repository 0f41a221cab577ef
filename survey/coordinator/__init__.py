"""The coordinator workspace: login (`auth`) and groups, meetings, posters, users, instruments, audit."""

from __future__ import annotations

from flask import Flask, current_app

from . import auth
from .blueprint import bp


def init_app(app: Flask) -> None:
    """Mount the `auth` and `coordinator` blueprints and the helpers their templates use."""
    from . import (  # noqa: F401  (routes register on import)
        account_link_views,
        account_views,
        admin_views,
        group_views,
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
    """Expose `has_endpoint`, the access helpers and the page's language (unless a view passes its own)."""
    from flask_babel import get_locale

    from ..access import is_admin

    return {"has_endpoint": has_endpoint, "is_admin": is_admin, "page_locale": str(get_locale() or "en")}
