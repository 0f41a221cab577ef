"""The charts' axes: period dates, a date axis ticked at exactly the periods shown, a whole-number count axis."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from ..aggregates import Period
from ..wording import babel_locale
from .labels import PeriodLabels


def period_dates(periods: Sequence[Period]) -> list[str]:
    """Return the period starts as ISO dates for the x axis."""
    return [p.start.isoformat() if p.start else "" for p in periods]


def grain_axis(grain: str) -> str:
    """Return the date axis title of a grain."""
    titles = {"meeting": _("Meeting"), "week": _("Week starting"), "month": _("Month")}
    return titles.get(grain, grain.capitalize())


def date_axis(
    periods: Sequence[Period], grain: str, labels: PeriodLabels | None = None, **extra: Any
) -> dict[str, Any]:
    """A date axis whose ticks are exactly the periods shown, padded by half a period on each side
    (labels: the figure's own, when it labels its periods elsewhere too)."""
    starts = [p.start for p in periods if p.start is not None]
    labels = labels if labels is not None and labels.grain == grain else PeriodLabels(grain, babel_locale())
    axis: dict[str, Any] = {
        "type": "date",
        "showgrid": False,
        "title": {"text": grain_axis(grain)},
        "tickmode": "array",
        "tickvals": [d.isoformat() for d in starts],
        "ticktext": [labels[d] for d in starts],
        **extra,
    }
    if starts:
        half = {"meeting": 3, "week": 4, "month": 16}.get(grain, 4)
        if len(starts) == 1:
            half *= 2
        axis["range"] = [
            (min(starts) - dt.timedelta(days=half)).isoformat(),
            (max(starts) + dt.timedelta(days=half)).isoformat(),
        ]
    return axis


def count_axis(counts: Sequence[int | None], title: str, **extra: Any) -> dict[str, Any]:
    """A count axis from zero with whole-number ticks only."""
    top = max([c or 0 for c in counts], default=0)
    step = max(1, math.ceil(top / 4))
    return {
        "title": {"text": title},
        "range": [0, max(step * 4, top) * 1.05 if top else 1],
        "tickmode": "linear",
        "tick0": 0,
        "dtick": step,
        "tickformat": "d",
        **extra,
    }
