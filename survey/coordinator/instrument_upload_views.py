"""Admins upload an instrument file in the browser: every problem listed at once, or stored and served everywhere."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from .. import catalog, instrument_uploads
from ..access import admin_required
from ..extensions import csrf
from ..instruments import InstrumentError, InstrumentIssue
from .blueprint import bp

FORM_OVERHEAD = 16 * 1024  # the multipart envelope and the other fields around the file


def upload_page(problems: list[InstrumentIssue], status: int = 200, filename: str = "") -> ResponseReturnValue:
    """Render the upload form, with the problems of the last attempt if any."""
    limit = current_app.config["SURVEY_INSTRUMENT_MAX_BYTES"]
    return (
        render_template(
            "coordinator/instrument_upload.html", problems=problems, filename=filename, limit_kb=limit // 1024
        ),
        status,
    )


def one_problem(message: str, filename: str = "") -> list[InstrumentIssue]:
    """Return a single problem that concerns the upload as a whole."""
    return [InstrumentIssue(filename or _("the upload"), 1, message)]


@bp.route("/instruments/upload", methods=["GET", "POST"])
@admin_required
def instrument_upload() -> ResponseReturnValue:
    """Check an uploaded instrument file like `flask instruments check`; store it only when it has no problem."""
    if request.method == "GET":
        return upload_page([])
    limit = current_app.config["SURVEY_INSTRUMENT_MAX_BYTES"]
    # The app-wide request limit is sized for survey forms; this one route allows a whole instrument file,
    # so its CSRF check runs here, after the limit is raised (the route is exempt from the early one).
    request.max_content_length = limit + FORM_OVERHEAD
    try:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        return upload_page(one_problem(instrument_uploads.too_big(limit)), 413)
    if upload is None or not upload.filename:
        return upload_page(one_problem(_("Choose an instrument file (.yaml) to upload.")), 400)
    filename = instrument_uploads.safe_filename(upload.filename)
    state = catalog.catalog()
    replace = request.form.get("replace") == "1"
    try:
        parsed, text = instrument_uploads.check_upload(filename, upload.read(limit + 1), limit, state.file_ids, replace)
        instrument_uploads.store_upload(parsed, filename, text, state.file_ids, replace)
    except InstrumentError as error:
        return upload_page(error.issues, 400, filename)
    catalog.refresh(state)  # this server at once; the others within SURVEY_INSTRUMENTS_RECHECK_SECONDS
    instrument = parsed.instrument
    flash(
        _(
            "Instrument %(id)s (version %(version)s) is stored and served; groups can now choose it.",
            id=instrument.id,
            version=instrument.version,
        ),
        "success",
    )
    return redirect(url_for("coordinator.instruments"))


csrf.exempt(instrument_upload)
