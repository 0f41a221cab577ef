"""Dashboards and exports: suppressed aggregates as Plotly figures, JSON endpoints and CSV."""

from flask import Blueprint

from .wording import template_words

bp = Blueprint("dashboard", __name__)
# Globals rather than a context processor: the shared macros (imported without context) use them too.
bp.record_once(lambda state: state.app.jinja_env.globals.update(template_words()))

from . import views  # noqa: E402,F401  (routes register themselves on bp)
