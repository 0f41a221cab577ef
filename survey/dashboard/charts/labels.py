"""Words on the charts in the reader's language: a period's label, and the hover texts' phrases."""

from __future__ import annotations

import datetime as dt
import functools

from babel import Locale
from flask_babel import gettext as _

from ..wording import babel_locale, format_day
from .style import esc


def period_label(start: dt.date, grain: str, locale: Locale | None = None) -> str:
    """Return a tick label naming exactly one period: a meeting date, a week start or a month."""
    return _period_label(start, grain, locale or babel_locale())


class PeriodLabels(dict[dt.date, str]):
    """One figure's period labels by start, each worked out once (a trend labels a period as a tick, in its
    hover and in its bar's hover)."""

    def __init__(self, grain: str, locale: Locale) -> None:
        super().__init__()
        self.grain, self.locale = grain, locale

    def __missing__(self, start: dt.date) -> str:
        label = self[start] = _period_label(start, self.grain, self.locale)
        return label


@functools.lru_cache(maxsize=8192)
def _period_label(start: dt.date, grain: str, locale: Locale) -> str:
    """Return period_label's text in the language in force, which is `locale` (a chart labels each period
    several times: tick, hover and bar, and every chart of a dashboard the same periods)."""
    if grain == "month":
        return format_day(start, "MMM y", locale)
    if grain == "week":
        return _("wk %(date)s", date=format_day(start, "d MMM y", locale))
    return format_day(start, "d MMM y", locale)


@functools.lru_cache(maxsize=64)
def _hover_words(locale: str, k: int) -> dict[str, str]:
    """Return the hover texts' phrases in this language, translated once (a chart has a hover per period).

    Phrases with placeholders come back unfilled ("mean %(mean)s"); each hover fills them in.
    """
    return {
        "all time": _("All time"),
        "small": _("fewer than %(k)d responses, not shown", k=k),
        "protect": _("hidden to protect another cell, not shown"),
        "ci": _("(95%% CI %(low)s to %(high)s)"),
        "mean": _("mean %(mean)s"),
        "people": _("%(period)s: %(n)d people"),
        "bar small": _("(fewer than %(k)d: results not shown)", k=k),
        "bar protect": _("(results hidden to protect another cell)"),
    }


@functools.lru_cache(maxsize=64)
def hover_html(locale: str, k: int) -> dict[str, str]:
    """Return _hover_words escaped for Plotly once: a number, a date or a count filled in adds nothing to escape."""
    return {key: esc(text) for key, text in _hover_words(locale, k).items()}
