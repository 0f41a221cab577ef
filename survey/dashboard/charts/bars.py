"""Participation bars: people per period, grey where results are withheld, with a hover saying why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from ..aggregates import Period
from ..wording import babel_locale, reader_locale
from .axes import period_dates
from .labels import PeriodLabels, hover_html
from .style import BLUE, GREY, esc


def participation_bars(
    periods: Sequence[Period], grain: str, k: int, labels: PeriodLabels | None = None
) -> dict[str, Any]:
    """Return responses per period as a bar trace; periods whose results are withheld are grey (labels: the
    figure's, when it labels the periods elsewhere too)."""
    words = hover_html(reader_locale(), k)
    labels = labels if labels is not None and labels.grain == grain else PeriodLabels(grain, babel_locale())
    return {
        "type": "bar",
        "x": period_dates(periods),
        "y": [p.n for p in periods],
        "name": _("People"),
        "marker": {"color": [GREY if p.suppressed else BLUE for p in periods]},
        "hovertext": [_bar_hover(p, labels, words) for p in periods],
        "hoverinfo": "text",
        **lone_bar_width(len(periods), grain),
    }


# Plotly sizes a date bar by the gap to its neighbour; a lone bar has none and is drawn a millisecond wide.
LONE_BAR_DAYS = {"meeting": 2, "week": 5, "month": 20}


def lone_bar_width(count: int, grain: str) -> dict[str, Any]:
    """Return an explicit width (in ms) for the only bar of a date axis, nothing when there are several."""
    return {"width": [LONE_BAR_DAYS.get(grain, 2) * 86_400_000]} if count == 1 else {}


def _bar_hover(period: Period, labels: PeriodLabels, words: dict[str, str]) -> str:
    """Return a participation bar's hover text: its period, its people and why results are withheld (words:
    hover_html)."""
    label = esc(labels[period.start]) if period.start else words["all time"]
    text = words["people"] % {"period": label, "n": period.n}
    if period.hidden_because == "small_cell":
        return text + " " + words["bar small"]
    if period.hidden_because == "complement":
        return text + " " + words["bar protect"]
    return text
