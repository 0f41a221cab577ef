"""QR codes (SVG and PNG) and the printable poster of a group's link."""

from __future__ import annotations

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from ..access import group_or_404
from ..groups import current_schedule, group_form_length, group_languages
from . import posters
from .blueprint import bp

PAPERS = {"a4": "A4", "letter": "Letter"}


def download(body: bytes, mimetype: str, filename: str) -> Response:
    """Serve bytes inline, or as a file download when `?download=1`."""
    response = Response(body, mimetype=mimetype)
    if request.args.get("download") == "1":
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/groups/<code>/qr.svg")
@login_required
def group_qr_svg(code: str) -> ResponseReturnValue:
    """The group's QR code as scalable SVG."""
    found = group_or_404(code)
    link = posters.participant_url(found)
    return download(posters.qr_svg(link, title=f"QR code for {link}"), "image/svg+xml", f"qr-{found.code}.svg")


@bp.route("/groups/<code>/qr.png")
@login_required
def group_qr_png(code: str) -> ResponseReturnValue:
    """The group's QR code as a large PNG."""
    found = group_or_404(code)
    return download(posters.qr_png(posters.participant_url(found)), "image/png", f"qr-{found.code}.png")


@bp.route("/groups/<code>/poster")
@login_required
def group_poster(code: str) -> ResponseReturnValue:
    """A printable poster (A4 or Letter): name, invitation in the group's languages, QR, link, privacy promise."""
    found = group_or_404(code)
    paper = request.args.get("paper", "a4") if request.args.get("paper") in PAPERS else "a4"
    return render_template(
        "coordinator/poster.html",
        group=found,
        link=posters.participant_url(found),
        paper=paper,
        papers=PAPERS,
        lines=posters.poster_lines(group_languages(found), group_form_length(found).minutes),
        windows=posters.window_lines(group_languages(found), current_schedule(found)),
        language_names=posters.LANGUAGE_NAMES,
    )
