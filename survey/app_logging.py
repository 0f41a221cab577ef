"""Where the app's own log lines go: gunicorn's error log when running under gunicorn.

Flask's logger writes to standard error by default; gunicorn's error log (GUNICORN_ERROR_LOG)
may be a file, so start-up problems (an instrument not loaded) and faults (rate-limit storage
unreachable, logged by Flask-Limiter) would miss it. Here the app's logger and Flask-Limiter's
use gunicorn's error-log handlers and level when gunicorn has set them up, and the values in their
records are escaped (survey/log_escaping.py).
"""

from __future__ import annotations

import logging

from flask import Flask

from .log_escaping import EscapeArguments

LIMITER_LOGGER = "flask-limiter"


def init_app(app: Flask) -> None:
    """Send the app's and Flask-Limiter's records to gunicorn's error log, or Flask's default handler."""
    gunicorn = logging.getLogger("gunicorn.error")
    if gunicorn.handlers:
        app.logger.handlers = list(gunicorn.handlers)
        app.logger.setLevel(gunicorn.level)
    limiter_logger = logging.getLogger(LIMITER_LOGGER)
    # alembic's fileConfig (`flask db upgrade` in the same process) disables loggers that existed before it.
    app.logger.disabled = limiter_logger.disabled = False
    for handler in app.logger.handlers:
        if handler not in limiter_logger.handlers:
            limiter_logger.addHandler(handler)
    for logger in (app.logger, limiter_logger):  # values such as a request path cannot forge a log line
        if not any(isinstance(f, EscapeArguments) for f in logger.filters):
            logger.addFilter(EscapeArguments())
    if limiter_logger.level == logging.NOTSET or limiter_logger.level > logging.WARNING:
        limiter_logger.setLevel(logging.WARNING)
