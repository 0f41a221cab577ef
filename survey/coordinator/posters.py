"""QR codes and poster wording for a group's participant link."""

from __future__ import annotations

import io
from typing import NamedTuple

import segno
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from ..i18n import supported
from ..models import Group
from ..public_url import absolute_url
from ..schedule_words import describe_schedule
from ..schedules import ScheduleEntry

# Wall text (poster and "now" screen) is read by participants, so it is in the group's languages, not the
# coordinator's: each line is rendered under `force_locale` from the catalogue, so a new language needs only a
# translation. The duration is the group's own form length (survey/instruments/length.py), so the poster
# never promises less than it takes.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def participant_path(group: Group) -> str:
    """Return the path of the group's questionnaire, as the participant blueprint serves it."""
    return f"/s/{group.code}"


def participant_url(group: Group) -> str:
    """Return the full link to the group's questionnaire, on SURVEY_PUBLIC_URL (see survey.public_url)."""
    return absolute_url(participant_path(group))


def qr_code(url: str) -> segno.QRCode:
    """Return the QR code for a link (medium error correction survives a scuffed poster)."""
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, title: str) -> bytes:
    """Return a scalable SVG of the link's QR code: attributes only, no style, so the CSP allows it."""
    out = io.BytesIO()
    # omitsize: a viewBox instead of width/height, so the code scales to any <img> or print size.
    qr_code(url).save(
        out,
        kind="svg",
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=True,
        omitsize=True,
        svgclass="qr",
        lineclass="qr-modules",
        title=title,
    )
    return out.getvalue()


def qr_png(url: str) -> bytes:
    """Return a PNG of the link's QR code, large enough to print sharp on a full page."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=20, border=4)
    return out.getvalue()


def invitation(language: str, minutes: int) -> str:
    """Return the poster's invitation in this language, promising `minutes` (an app context is needed)."""
    with force_locale(language):
        if minutes == 1:
            return _("After the meeting, scan this code and tell us how it went: about one minute, anonymous.")
        return ngettext(
            "After the meeting, scan this code and tell us how it went: about %(num)d minute, anonymous.",
            "After the meeting, scan this code and tell us how it went: about %(num)d minutes, anonymous.",
            minutes,
        )


def privacy_promise(language: str) -> str:
    """Return the poster's privacy promise in this language."""
    with force_locale(language):
        return _(
            "We never ask your name, never store your address or device, "
            "and show results only for groups of several people."
        )


def wall_languages(languages: list[str]) -> list[str]:
    """Return the group's languages the interface is translated into, in the group's order (English if none)."""
    known = [code for code in dict.fromkeys(supported(lang) for lang in languages) if code]
    return known or ["en"]


def poster_lines(languages: list[str], minutes: int) -> list[tuple[str, str, str]]:
    """Return (language, invitation, privacy promise) for each of the group's languages we have words for."""
    return [(lang, invitation(lang, minutes), privacy_promise(lang)) for lang in wall_languages(languages)]


def window_lines(languages: list[str], schedule: tuple[ScheduleEntry, ...]) -> list[tuple[str, str]]:
    """Return (language, when the survey is open) in each of the poster's languages (Babel's catalogue)."""
    lines = []
    for lang in wall_languages(languages):
        with force_locale(lang):
            if schedule:
                text = _(
                    "Open from an hour before each meeting until a day after it: %(schedule)s.",
                    schedule=describe_schedule(schedule),
                )
            else:
                text = _("Open every day.")
        lines.append((lang, text))
    return lines


class NowLine(NamedTuple):
    """The "now" screen's words for participants in one language."""

    lang: str
    invitation: str
    counted: str  # "responses for this meeting", after the live number
    closed: str


def now_lines(languages: list[str], count: int, archived: bool) -> list[NowLine]:
    """Return the "now" screen's participant-facing words in each of the group's languages."""
    lines = []
    for lang in wall_languages(languages):
        with force_locale(lang):
            closed = _("This group is closed to responses.")
            lines.append(
                NowLine(
                    lang,
                    _("Scan the code or type the link to share how the meeting went."),
                    ngettext("response for this meeting", "responses for this meeting", count),
                    closed + (" " + _("It is archived.") if archived else ""),
                )
            )
    return lines
