"""Words for periods and grains on dashboards, charts and the report, in the reader's language.

A grain ("meeting", "week", "month") is a machine value in URLs, JSON and CSV; people read it
through these phrases, each a whole phrase so that a language can agree its words with the noun.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, get_decimal_symbol, parse_pattern
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    from .periods import Period

ENGLISH = Locale("en")


def reader_locale() -> str:
    """Return the locale Flask-Babel selected, or English outside a request (charts are also built in tests)."""
    return str(get_locale() or "en")


def babel_locale() -> Locale:
    """Return the babel locale in force (English outside a request), to look up once and hand to the helpers."""
    return _locale()


# One Locale object per language for the whole process: the caches below are keyed by it, and comparing two
# equal Locale objects (each request parses its own) costs more than the lookup. Last: (request's, canonical).
_CANONICAL: dict[str, Locale] = {"en": ENGLISH}
_last: tuple[Locale | None, Locale] = (None, ENGLISH)


def _locale() -> Locale:
    """Return the babel locale Flask-Babel selected, or English outside a request (charts are built in tests too).

    Handed to babel as it is: parsing its name again on every number and date cost more than the formatting.
    Always the same object for the same language (see _CANONICAL).
    """
    global _last
    found = get_locale()
    if found is None:
        return ENGLISH
    seen, canonical = _last
    if seen is not found:
        canonical = _CANONICAL.setdefault(str(found), found)
        _last = (found, canonical)
    return canonical


def format_day(day: dt.date, pattern: str, locale: Locale | None = None) -> str:
    """Format a date with a CLDR pattern ("d MMM yyyy") in the reader's language (or the one given)."""
    return _formatted_day(day, pattern, locale or _locale())


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


def show_date(day: dt.date | str | None, locale: Locale | None = None) -> str:
    """Return a date as people read it in this language ("Nov 3, 2026", "3 nov 2026")."""
    if isinstance(day, str):  # a date some database drivers hand back as text
        day = dt.date.fromisoformat(day[:10])
    return _formatted_day(day, "medium", locale or _locale()) if day is not None else ""


def show_month(day: dt.date) -> str:
    """Return a month and year ("Nov 2026", "nov 2026")."""
    return format_day(day, "MMM yyyy")


def show_period(start: dt.date | str | None, grain: str) -> str:
    """Return a period by its first day, or by month and year for a month."""
    if grain == "month" and start is not None:
        return show_month(dt.date.fromisoformat(start[:10]) if isinstance(start, str) else start)
    return show_date(start)


# babel's NumberPattern.apply for a "0.00" pattern rounds the number's shortest decimal text (str(value)) half
# to even, with no grouping and a literal "-". Python's own formatting rounds the exact binary value: the same
# unless that text is exactly halfway at the last digit kept (2.675) or the number is huge, and those few go
# through Decimal as babel does. tests/test_dashboard_words.py checks the two agree (a page formats a thousand).
_QUANTA = tuple(decimal.Decimal(1).scaleb(-digits) for digits in range(8))
_PLAIN_BELOW = 1e12  # below this a float's shortest text and its exact value round alike (halfway texts aside)
_FIXED = tuple(f"%.{digits}f" for digits in range(len(_QUANTA)))  # printf patterns: parsed faster than f"{:.{n}f}"


@functools.lru_cache(maxsize=16)
def _decimal_symbol(locale: Locale) -> str:
    """Return the language's decimal separator ("." or ",") in Latin digits, as babel's patterns use it."""
    return get_decimal_symbol(locale, numbering_system="latn")


def show_number(value: float | None, digits: int = 2, locale: Locale | None = None) -> str:
    """Return a statistic with a fixed number of decimals, in this language's notation ("3.50", "3,50")."""
    if value is None:
        return "–"
    return format_number(value, digits, locale or _locale())


def number_shower(locale: Locale) -> Callable[[float | None, int], str]:
    """Return show_number for one language with its decimal separator looked up once (a chart shows hundreds)."""
    symbol = _decimal_symbol(locale)

    def show(value: float | None, digits: int = 2) -> str:
        """Return show_number(value, digits, locale)."""
        return "–" if value is None else _number_text(value, digits, symbol, locale)

    return show


def format_number(value: float, digits: int, locale: Locale) -> str:
    """Return a number with a fixed number of decimals in one language, exactly as babel's format_decimal does."""
    return _number_text(value, digits, _decimal_symbol(locale), locale)


def _number_text(value: float, digits: int, symbol: str, locale: Locale) -> str:
    """Return format_number's text, the language's decimal separator (`symbol`) already looked up."""
    if isinstance(value, float) and -_PLAIN_BELOW < value < _PLAIN_BELOW and digits < len(_QUANTA):
        shortest = repr(value)  # has a "." unless written with an exponent
        # Halfway at the last digit kept: the shortest text has digits + 1 decimals and ends in 5.
        if "e" not in shortest and not (shortest[-1] == "5" and len(shortest) - shortest.find(".") == digits + 2):
            text = _FIXED[digits] % value
            return text.replace(".", symbol) if digits else text
    return _decimal_text(value, digits, locale)


def _decimal_text(value: float, digits: int, locale: Locale) -> str:
    """Return format_number's text the way babel works it out: half to even on the number's decimal text."""
    number = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))
    if not number.is_finite() or digits >= len(_QUANTA):
        return str(_decimals(digits).apply(value, locale))
    text = f"{abs(number).quantize(_QUANTA[digits]):f}"
    if digits:
        text = text.replace(".", _decimal_symbol(locale))
    return "-" + text if number.is_signed() else text


class PeriodRow(NamedTuple):
    """One row of a "numbers behind this chart" table, its texts ready: mean None when the period is hidden."""

    day: str
    n: int
    mean: str | None
    ci: str


def period_rows(periods: Sequence[Period]) -> list[PeriodRow]:
    """Return the rows of a period table, formatted in the reader's language (its words looked up once a table)."""
    locale = _locale()
    show = number_shower(locale)
    between = _("%(low)s to %(high)s")  # translated once, filled in per row (the template escapes the text)
    rows = []
    for p in periods:
        s = p.summary
        if p.suppressed or s is None:
            rows.append(PeriodRow(show_date(p.start, locale), p.n, None, ""))
            continue
        ci = "–"
        if s.ci_low is not None:
            ci = between % {"low": show(s.ci_low, 2), "high": show(s.ci_high, 2)}
        rows.append(PeriodRow(show_date(p.start, locale), p.n, show(s.mean, 2), ci))
    return rows


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
        "period_rows": period_rows,
        "show_date": show_date,
        "show_period": show_period,
        "show_number": show_number,
    }
