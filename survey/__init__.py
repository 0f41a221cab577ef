"""Participant feedback surveys for peer-support recovery groups."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask

from . import (
    accounts,
    app_logging,
    catalog,
    database,
    errors,
    front_door,
    health,
    i18n,
    offline,
    participant,
    proxy,
    rate_limits,
    retention,
    security,
    serving,
    session_lifetime,
)
from .config import PROJECT_ROOT, ConfigError, exit_on_config_error, load_settings
from .extensions import babel, csrf, db, login_manager, migrate


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, instruments, blueprints, CLI."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("SURVEY_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    try:
        app.config.update(load_settings(Path(app.instance_path), config, os.environ))
    except ConfigError as error:
        if click.get_current_context(silent=True) is None:
            raise  # called from code (tests, a WSGI server): the caller decides
        exit_on_config_error(error)  # a `flask` command: one line and exit code 2, never a traceback
    app_logging.init_app(app)  # before the instruments load: their errors go to gunicorn's error log
    register_extensions(app)
    catalog.init_app(app)
    register_blueprints(app)
    errors.init_app(app)
    security.init_app(app)
    serving.init_app(app)
    proxy.init_app(app)  # outermost: everything inside sees the real client address
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind every extension to this app."""
    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    accounts.init_app(app)
    session_lifetime.init_app(app)
    rate_limits.init_app(app)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "survey" / "translations"))
    babel.init_app(app, locale_selector=i18n.select_locale)
    app.context_processor(i18n.template_locale)


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per audience."""
    app.register_blueprint(health.bp)
    app.register_blueprint(front_door.bp)
    app.register_blueprint(participant.bp)
    from .coordinator import init_app as init_coordinator  # the auth and coordinator blueprints

    init_coordinator(app)
    app.register_blueprint(offline.bp)
    app.register_blueprint(retention.bp)
    from .dashboard import bp as dashboard_bp  # imported here: its views import the models
    from .dashboard import prebuilt

    app.register_blueprint(dashboard_bp)
    prebuilt.init_app(app)  # each publication's default views built once and stored


def register_cli(app: Flask) -> None:
    """Add the `flask` commands."""
    from .cli import register_commands

    register_commands(app)
