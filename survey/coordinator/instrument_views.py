"""The instruments page (versions, languages, validation) and a participant-exact preview that stores nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required
from jinja2 import TemplateNotFound
from sqlalchemy import select

from .. import catalog
from ..access import is_admin
from ..extensions import db
from ..i18n import reader_locale
from ..instruments import Instrument, InstrumentIssue
from ..instruments.length import form_length
from ..models import InstrumentVersion
from .blueprint import bp

PARTICIPANT_ITEMS = "participant/_items.html"


@dataclass(frozen=True)
class InstrumentRow:
    """One loaded instrument with the versions stored for it."""

    instrument: Instrument
    versions: list[InstrumentVersion]

    @property
    def current_stored(self) -> bool:
        """Tell whether the current file's version has been answered (stored) yet."""
        return any(v.content_hash == self.instrument.content_hash for v in self.versions)


def stored_versions() -> dict[str, list[InstrumentVersion]]:
    """Return every stored version, grouped by instrument id, newest first."""
    rows = db.session.scalars(select(InstrumentVersion).order_by(InstrumentVersion.first_used_at.desc()))
    grouped: dict[str, list[InstrumentVersion]] = {}
    for row in rows:
        grouped.setdefault(row.instrument_id, []).append(row)
    return grouped


def issues_by_file(issues: list[InstrumentIssue]) -> dict[str, list[InstrumentIssue]]:
    """Group load problems by file, for one block per broken file."""
    grouped: dict[str, list[InstrumentIssue]] = {}
    for issue in issues:
        grouped.setdefault(issue.path, []).append(issue)
    return grouped


def preview_banner() -> dict[str, str]:
    """Return the preview banner's words in the coordinator's own language, whatever the language previewed."""
    locale = reader_locale()
    with force_locale(locale):
        return {
            "lang": locale,
            "heading": _("Preview for coordinators."),
            "text": _("This is exactly what participants see. Nothing you choose here is sent or stored."),
            "back": _("Back to instruments"),
        }


def participant_view(instrument: Instrument, locale: str) -> dict[str, Any] | None:
    """Build the participant form's own view of this instrument, or None if the participant pages are absent."""
    try:
        current_app.jinja_env.get_template(PARTICIPANT_ITEMS)
        from ..i18n import language_links
        from ..participant import form as participant_form
    except (TemplateNotFound, ImportError):
        return None
    plan = participant_form.FormPlan.of([instrument])
    return {
        "banner": preview_banner(),
        "sections": participant_form.sections(plan, locale),
        "languages": language_links(locale),
        "lang": locale,
        "page_locale": locale,
    }


@bp.route("/instruments")
@login_required
def instruments() -> ResponseReturnValue:
    """Every loaded instrument: versions, languages, item count; load errors with path:line for admins."""
    registry = catalog.registry()
    versions = stored_versions()
    rows = [InstrumentRow(inst, versions.get(inst.id, [])) for inst in registry.all()]
    issues = issues_by_file(registry.issues) if is_admin() else {}
    return render_template(
        "coordinator/instruments.html",
        rows=rows,
        issues=issues,
        broken_files=len(issues_by_file(registry.issues)),
        form_length=form_length,
    )


@bp.route("/instruments/<instrument_id>/preview")
@login_required
def instrument_preview(instrument_id: str) -> ResponseReturnValue:
    """Show the questionnaire exactly as participants see it, in the chosen language; nothing is stored."""
    instrument = catalog.registry().get(instrument_id)
    if instrument is None:
        abort(404)
    chosen = request.args.get("lang", "")
    locale = chosen if chosen in instrument.locales else instrument.locales[0]
    view = participant_view(instrument, locale)
    if view is not None:
        return render_template("coordinator/preview_participant.html", instrument=instrument, **view)
    return render_template("coordinator/preview.html", instrument=instrument, locale=locale)
