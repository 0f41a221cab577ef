"""plotly.js's own words (mode bar, month names, decimal mark) in the reader's language.

plotly.js ships English only; its `locales` config takes a dictionary of its English strings and a
d3 format block. Both are built here from the catalogue and Babel's locale data, handed to the page
in a data attribute (no inline script) and passed to `Plotly.newPlot` by static/dashboard/dashboard.js.
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from babel.dates import get_day_names, get_month_names
from flask_babel import gettext as _

from .wording import reader_locale


def plotly_dictionary() -> dict[str, str]:
    """Return the mode bar's and the chart's own messages, keyed by plotly.js's English text."""
    return {
        "Autoscale": _("Autoscale"),
        "Compare data on hover": _("Compare data on hover"),
        "Double-click to zoom back out": _("Double-click to zoom back out"),
        "Download plot as a PNG": _("Download plot as a PNG"),
        "Download plot": _("Download plot"),
        "Image download succeeded": _("Image download succeeded"),
        "Pan": _("Pan"),
        "Preparing image - this may take a few seconds": _("Preparing image - this may take a few seconds"),
        "Reset axes": _("Reset axes"),
        "Show closest data on hover": _("Show closest data on hover"),
        "Sorry, there was a problem downloading your image!": _("Sorry, there was a problem downloading your image!"),
        "Toggle Spike Lines": _("Toggle Spike Lines"),
        "Toggle show closest data on hover": _("Toggle show closest data on hover"),
        "Zoom": _("Zoom"),
        "Zoom in": _("Zoom in"),
        "Zoom out": _("Zoom out"),
    }


def plotly_format(code: str) -> dict[str, Any]:
    """Return plotly.js's d3 locale block: day and month names, decimal and thousands marks."""
    locale = Locale.parse(code)
    months = get_month_names("wide", locale=locale)
    short_months = get_month_names("abbreviated", locale=locale)
    days = get_day_names("wide", locale=locale)
    short_days = get_day_names("abbreviated", locale=locale)
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # Babel numbers days from Monday, d3 from Sunday
    return {
        "days": [days[i] for i in sunday_first],
        "shortDays": [short_days[i] for i in sunday_first],
        "months": [months[i] for i in range(1, 13)],
        "shortMonths": [short_months[i] for i in range(1, 13)],
        "decimal": locale.number_symbols["latn"]["decimal"],
        "thousands": locale.number_symbols["latn"]["group"],
    }


def plotly_locale() -> dict[str, Any]:
    """Return the reader's locale for plotly.js: its code, dictionary and format (English needs none)."""
    code = reader_locale()
    if code == "en":
        return {"code": "en"}
    return {"code": code, "dictionary": plotly_dictionary(), "format": plotly_format(code)}
