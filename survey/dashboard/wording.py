"""Words for periods and grains on dashboards, charts and the report, in the reader's language.

A grain ("meeting", "week", "month") is a machine value in URLs, JSON and CSV; people read it
through these phrases, each a whole phrase so that a language can agree its words with the noun.
"""

from __future__ import annotations

import datetime as dt
import functools

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

ENGLISH = Locale("en")


def reader_locale() -> str:
    """Return the locale Flask-Babel selected, or English outside a request (charts are also built in tests)."""
    return str(get_locale() or "en")


def _locale() -> Locale:
    """Return the babel locale Flask-Babel selected, or English outside a request (charts are built in tests too).

    Handed to babel as it is: parsing its name again on every number and date cost more than the formatting.
    """
    return get_locale() or ENGLISH


def format_day(day: dt.date, pattern: str) -> str:
    """Format a date with a CLDR pattern ("d MMM yyyy") in the reader's language."""
    return _formatted_day(day, pattern, _locale())


@functools.lru_cache(maxsize=4096)
def _formatted_day(day: dt.date, pattern: str, locale: Locale) -> str:
    """Return babel's text for the date: the same date, pattern and language always give the same text,
    and every chart's ticks and hovers and every table of a dashboard format the same meeting dates."""
    return format_date(day, pattern, locale=locale)


@functools.lru_cache(maxsize=8)
def _decimals(digits: int) -> NumberPattern:
    """Return the parsed number pattern with this many decimals ("0.00"), as babel's format_decimal parses it."""
    return parse_pattern("0." + "0" * digits if digits else "0")


GRAIN_NAMES = {"meeting": _l("meeting"), "week": _l("week"), "month": _l("month")}
GRAIN_PLURALS = {"meeting": _l("meetings"), "week": _l("weeks"), "month": _l("months")}
GRAIN_CHOICE_NAMES = {"auto": _l("automatic"), "meeting": _l("meeting"), "week": _l("week"), "month": _l("month")}
# Before a date: "Week starting 3 Nov 2026" (headings, table columns, pickers).
PERIOD_STARTING = {"meeting": _l("Meeting of"), "week": _l("Week starting"), "month": _l("Month starting")}
# Inside a sentence: "No comments in the week starting 3 Nov 2026".
PERIOD_PHRASES = {
    "meeting": _l("the meeting of %(date)s"),
    "week": _l("the week starting %(date)s"),
    "month": _l("the month of %(date)s"),
}


def show_date(day: dt.date | str | None) -> str:
    """Return a date as people read it in this language ("Nov 3, 2026", "3 nov 2026")."""
    if isinstance(day, str):  # a date some database drivers hand back as text
        day = dt.date.fromisoformat(day[:10])
    return format_day(day, "medium") if day is not None else ""


def show_month(day: dt.date) -> str:
    """Return a month and year ("Nov 2026", "nov 2026")."""
    return format_day(day, "MMM yyyy")


def show_period(start: dt.date | str | None, grain: str) -> str:
    """Return a period by its first day, or by month and year for a month."""
    if grain == "month" and start is not None:
        return show_month(dt.date.fromisoformat(start[:10]) if isinstance(start, str) else start)
    return show_date(start)


def show_number(value: float | None, digits: int = 2) -> str:
    """Return a statistic with a fixed number of decimals, in this language's notation ("3.50", "3,50")."""
    if value is None:
        return "–"
    return _decimals(digits).apply(value, _locale())  # what format_decimal does, without parsing each time


def grain_name(grain: str) -> str:
    """Return the grain's name ("week"), or the value itself for one we have no word for."""
    return str(GRAIN_NAMES.get(grain, grain))


def grain_plural(grain: str) -> str:
    """Return the grain's plural ("weeks")."""
    return str(GRAIN_PLURALS.get(grain, grain))


def period_starting(grain: str) -> str:
    """Return the words before a period's first day ("Week starting")."""
    return str(PERIOD_STARTING.get(grain, PERIOD_STARTING["week"]))


def period_phrase(grain: str, start: dt.date | None) -> str:
    """Return a period inside a sentence ("the week starting Nov 3, 2026"; the month by name)."""
    if grain == "month" and start is not None:
        return str(PERIOD_PHRASES["month"]) % {"date": show_month(start)}
    return str(PERIOD_PHRASES.get(grain, PERIOD_PHRASES["week"])) % {"date": show_date(start)}


def template_words() -> dict[str, object]:
    """Expose these helpers to the dashboard templates."""
    from .plotly_locale import plotly_locale  # it builds on this module

    return {
        "plotly_locale": plotly_locale,
        "grain_name": grain_name,
        "grain_plural": grain_plural,
        "grain_choice_names": GRAIN_CHOICE_NAMES,
        "period_starting": period_starting,
        "period_phrase": period_phrase,
        "show_date": show_date,
        "show_period": show_period,
        "show_number": show_number,
    }
