"""A scale's trend (mean, 95% CI band, the scale's bands, people underneath) and the participation chart.

A hidden period is drawn as a gap in the line and a grey participation bar whose hover
says why; its statistics are not in the figure because the aggregates no longer hold them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from flask_babel import gettext as _

from ..aggregates import Period, ScaleTrend
from ..wording import babel_locale, number_shower, reader_locale
from .axes import count_axis, date_axis, period_dates
from .bars import participation_bars
from .figure import UncheckedFigure, unchecked_figure
from .labels import PeriodLabels, hover_html
from .layout import base_layout, empty_message
from .style import BAND_FILL, BLUE, band_colour, clip, esc, rounded


class MeanPoints(NamedTuple):
    """A trend's points, worked out in one pass over its periods: the rounded means, their CI as error bars,
    the CI's clipped, rounded ends (None where no interval is drawn) and the hover texts."""

    means: list[float | None]
    above: list[float | None]
    below: list[float | None]
    bounds: list[tuple[float | None, float | None] | None]
    hovers: list[str]


def mean_points(
    periods: Sequence[Period], labels: PeriodLabels, low: float, high: float, words: dict[str, str], show: Any
) -> MeanPoints:
    """Return the points of a trend's mean line: a shown period's mean with its CI (clipped to the scale) and n,
    a hidden one's n and why (words: hover_html, show: number_shower's)."""
    points = MeanPoints([], [], [], [], [])
    for period in periods:
        s = None if period.suppressed else period.summary
        label = esc(labels[period.start]) if period.start else words["all time"]
        if s is None:
            why = words["small"] if period.hidden_because == "small_cell" else words["protect"]
            points.hovers.append(f"{label}<br>n = {period.n}: {why}")
            for column in (points.means, points.above, points.below, points.bounds):
                column.append(None)
            continue
        mean = round(s.mean, 3)  # as rounded, which the error bars and the JSON round with
        top = None if s.ci_high is None else clip(s.ci_high, low, high)
        bottom = None if s.ci_low is None else clip(s.ci_low, low, high)
        points.means.append(mean)
        points.above.append(None if top is None else rounded(top - mean))
        points.below.append(None if bottom is None else rounded(mean - bottom))
        ci = ""
        if top is not None and bottom is not None:
            points.bounds.append((rounded(bottom), rounded(top)))
            ci = " " + words["ci"] % {"low": show(bottom, 1), "high": show(top, 1)}
        else:
            points.bounds.append(None)
        points.hovers.append(f"{label}<br>{words['mean'] % {'mean': show(s.mean, 2)}}{ci}<br>n = {period.n}")
    return points


def ci_band(
    x: Sequence[str], bounds: Sequence[tuple[float | None, float | None] | None]
) -> tuple[list[str | None], list[float | None]]:
    """Return one closed outline per run of consecutive periods with an interval (None between runs), from each
    period's (low, high) ends as mean_points gives them."""
    band_x: list[str | None] = []
    band_y: list[float | None] = []
    run: list[tuple[str, tuple[float | None, float | None]]] = []
    for day, ends in [*zip(x, bounds, strict=True), ("", None)]:
        if ends is not None:
            run.append((day, ends))
            continue
        if len(run) > 1:
            band_x += [d for d, _ in run] + [d for d, _ in reversed(run)] + [None]
            band_y += [top for _, (_bottom, top) in run] + [bottom for _, (bottom, _top) in reversed(run)] + [None]
        run = []
    return band_x, band_y


def trend_figure(trend: ScaleTrend, participation: Sequence[Period], k: int) -> UncheckedFigure:
    """Mean with a 95% CI band per period, the scale's bands shaded behind, and n as bars underneath.

    Built as one dict and validated once: make_subplots and add_hrect cost more than the SQL.
    """
    low, high = trend.scale.low, trend.scale.high
    locale, words, labels = babel_locale(), hover_html(reader_locale(), k), PeriodLabels(trend.grain, babel_locale())
    x = period_dates(trend.periods)
    points = mean_points(trend.periods, labels, low, high, words, number_shower(locale))
    band_x, band_y = ci_band(x, points.bounds)
    band = {
        "type": "scatter",
        "x": band_x,
        "y": band_y,
        "mode": "lines",
        "line": {"width": 0},
        "fill": "toself",
        "fillcolor": BAND_FILL,
        "hoverinfo": "skip",
        "name": esc(_("%(level)d%% confidence band", level=95)),
    }
    means = points.means
    mean = {
        "type": "scatter",
        "x": x,
        "y": means,
        "mode": "lines+markers",
        "name": esc(_("%(scale)s (mean)", scale=trend.scale.label)),
        "line": {"color": BLUE, "width": 2},
        "marker": {"size": 7},
        "connectgaps": False,
        "hovertext": points.hovers,
        "hoverinfo": "text",
        "error_y": {
            "type": "data",
            "symmetric": False,
            "color": BLUE,
            "thickness": 1,
            "width": 3,
            "array": points.above,
            "arrayminus": points.below,
        },
    }
    bars = participation_bars(participation, trend.grain, k, labels)
    bars.update(xaxis="x", yaxis="y2")
    shapes, notes = [], []
    for label, band_low, band_high in trend.scale.bands:
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": band_low,
                "y1": band_high,
                "fillcolor": band_colour(band_low, band_high, low, high, trend.scale.higher_is_better),
                "line": {"width": 0},
                "layer": "below",
                "name": label,
            }
        )
        notes.append(
            {
                "xref": "paper",
                "yref": "y",
                "x": 0,
                "y": band_high,
                "xanchor": "left",
                "yanchor": "top",
                "text": esc(label),
                "showarrow": False,
                "font": {"size": 11},
            }
        )
    if not any(m is not None for m in means):
        notes.append(
            empty_message(_("No results to show for this period yet") if trend.periods else _("No answers yet"))
        )
    layout = base_layout(
        "",
        xaxis=date_axis(trend.periods or participation, trend.grain, labels, anchor="y2"),
        yaxis={"domain": [0.34, 1], "range": [low, high], "title": {"text": _("Mean score")}},
        yaxis2={"domain": [0, 0.28], **count_axis([p.n for p in participation], _("People"))},
        shapes=shapes,
        annotations=notes,
    )
    return unchecked_figure([band, mean, bars], layout)


def participation_figure(periods: Sequence[Period], grain: str, k: int) -> UncheckedFigure:
    """Responses per period as a bar chart (grey where results are withheld)."""
    labels = PeriodLabels(grain, babel_locale())
    layout = base_layout(
        {"meeting": _("People per meeting"), "week": _("People per week"), "month": _("People per month")}.get(
            grain, ""
        ),
        xaxis=date_axis(periods, grain, labels),
        yaxis=count_axis([p.n for p in periods], _("People")),
        **({} if any(p.n for p in periods) else {"annotations": [empty_message(_("No answers in this period"))]}),
    )
    return unchecked_figure([participation_bars(periods, grain, k, labels)], layout)
