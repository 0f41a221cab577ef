"""QR codes and poster wording for a group's participant link."""

from __future__ import annotations

import io

import segno
from flask_babel import force_locale
from flask_babel import gettext as _

from ..models import Group
from ..public_url import absolute_url
from ..schedule_words import describe_schedule
from ..schedules import ScheduleEntry

# One sentence each, in every language a shipped questionnaire offers; English is the fallback. The duration
# is the group's own form length (survey/instruments/length.py), so the poster never promises less than it takes.
INVITATIONS = {
    "en": "After the meeting, scan this code and tell us how it went: about {duration}, anonymous.",
    "es": "Después de la reunión, escanee este código y cuéntenos cómo le fue: unos {duration}, de forma anónima.",
}
DURATIONS = {"en": ("one minute", "{n} minutes"), "es": ("un minuto", "{n} minutos")}
PRIVACY_PROMISES = {
    "en": (
        "We never ask your name, never store your address or device, "
        "and show results only for groups of several people."
    ),
    "es": (
        "Nunca pedimos su nombre ni guardamos su dirección o dispositivo, "
        "y solo mostramos resultados de varias personas juntas."
    ),
}
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
    """Return the poster's invitation in this language (one we have words for), promising `minutes`."""
    one, many = DURATIONS[language]
    duration = one if minutes == 1 else many.format(n=minutes)
    text = INVITATIONS[language].format(duration=duration)
    return text.replace("unos un minuto", "un minuto")  # Spanish: "unos" only before a plural


def poster_lines(languages: list[str], minutes: int) -> list[tuple[str, str, str]]:
    """Return (language, invitation, privacy promise) for each language we have words for, English if none."""
    known = [lang for lang in languages if lang.split("-")[0] in INVITATIONS] or ["en"]
    return [(lang, invitation(lang.split("-")[0], minutes), PRIVACY_PROMISES[lang.split("-")[0]]) for lang in known]


def window_lines(languages: list[str], schedule: tuple[ScheduleEntry, ...]) -> list[tuple[str, str]]:
    """Return (language, when the survey is open) in each of the poster's languages (Babel's catalogue)."""
    known = [lang for lang in languages if lang.split("-")[0] in INVITATIONS] or ["en"]
    lines = []
    for lang in known:
        with force_locale(lang.split("-")[0]):
            if schedule:
                text = _(
                    "Open from an hour before each meeting until a day after it: %(schedule)s.",
                    schedule=describe_schedule(schedule),
                )
            else:
                text = _("Open every day.")
        lines.append((lang, text))
    return lines
