"""Plotly figures built from already-suppressed aggregates only (never from responses).

A hidden period is drawn as a gap in the line and a grey participation bar whose hover
says why; its statistics are not in the figure because the aggregates no longer hold them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections.abc import Sequence
from html import escape
from typing import Any, NamedTuple

import plotly.graph_objects as go
from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from plotly.io.json import to_json_plotly
from plotly.subplots import make_subplots

from .aggregates import Engagement, ItemDistribution, Period, RetentionMonth, ScaleComparison, ScaleTrend
from .wording import babel_locale, format_day, number_shower, reader_locale, show_number

BLUE = "#0b57a4"
BAND_FILL = "rgba(11,87,164,0.18)"
GREY = "#b0b0b0"
BAD_BAND = "rgba(200,60,40,0.10)"
MIDDLE_BAND = "rgba(230,170,30,0.10)"
GOOD_BAND = "rgba(40,140,60,0.10)"
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


def esc(text: object) -> str:
    """Escape a text for Plotly, which renders a subset of HTML (links included) in every label."""
    return escape(str(text), quote=False)  # Plotly decodes &lt; &gt; &amp; but not &quot;


def _r(value: float | None) -> float | None:
    """Round a statistic as the JSON does (3 decimals), so figures never carry full precision."""
    return None if value is None else round(value, 3)


def _x(periods: Sequence[Period]) -> list[str]:
    """Return the period starts as ISO dates for the x axis."""
    return [p.start.isoformat() if p.start else "" for p in periods]


def _date(day: dt.date, pattern: str, locale: Locale | None = None) -> str:
    """Format a date in the interface's language (English outside a request), or the one given."""
    return format_day(day, pattern, locale)


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
        return _date(start, "MMM y", locale)
    if grain == "week":
        return _("wk %(date)s", date=_date(start, "d MMM y", locale))
    return _date(start, "d MMM y", locale)


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


def empty_message(text: str) -> dict[str, Any]:
    """A centred message drawn where a chart has nothing to show."""
    return {
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": 0.5,
        "text": esc(text),
        "showarrow": False,
        "font": {"size": 15},
        "name": "empty",
    }


def band_colour(low: float, high: float, scale_low: float, scale_high: float, higher_is_better: bool) -> str:
    """Colour a band by what it means: the good end green, the bad end red, whichever way the scale runs."""
    span = (scale_high - scale_low) or 1.0
    position = ((low + high) / 2 - scale_low) / span
    goodness = position if higher_is_better else 1 - position
    if goodness < 1 / 3:
        return BAD_BAND
    if goodness > 2 / 3:
        return GOOD_BAND
    return MIDDLE_BAND


def clip(value: float, low: float, high: float) -> float:
    """Keep an interval end inside the scale's range."""
    return min(max(value, low), high)


def wrap(text: str, width: int = 48) -> str:
    """Escape a long label and break it into lines instead of cutting it."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(esc(line) for line in lines)


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
def _hover_html(locale: str, k: int) -> dict[str, str]:
    """Return _hover_words escaped for Plotly once: a number, a date or a count filled in adds nothing to escape."""
    return {key: esc(text) for key, text in _hover_words(locale, k).items()}


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
    a hidden one's n and why (words: _hover_html, show: number_shower's)."""
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
        mean = round(s.mean, 3)  # as _r, which the error bars and the JSON round with
        top = None if s.ci_high is None else clip(s.ci_high, low, high)
        bottom = None if s.ci_low is None else clip(s.ci_low, low, high)
        points.means.append(mean)
        points.above.append(None if top is None else _r(top - mean))
        points.below.append(None if bottom is None else _r(mean - bottom))
        ci = ""
        if top is not None and bottom is not None:
            points.bounds.append((_r(bottom), _r(top)))
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


def _base_layout(fig: go.Figure, title: str) -> None:
    """Apply the shared look: system fonts, no Plotly logo clutter, room for the legend."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font=FONT,
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        plot_bgcolor="white",
        hovermode="closest",
        legend={"orientation": "h", "y": -0.15},
    )


class UncheckedFigure:
    """A figure's trace and layout dicts, built here and served as JSON without a Plotly figure object.

    Making a go.Figure (even unvalidated) deep-copies every trace, which costs more than the request's
    SQL; tests/test_charts.py checks that what these builders produce is what Plotly validates and that
    figure_text writes what to_json does. figure() gives the Plotly figure, for tests and tools.
    """

    __slots__ = ("_data", "_layout")

    def __init__(self, data: list[dict[str, Any]], layout: dict[str, Any]) -> None:
        self._data, self._layout = plotly_order(data, layout)

    def figure(self) -> go.Figure:
        """Return the Plotly figure of these dicts (not validated; Plotly adds its default template itself)."""
        layout = {key: value for key, value in self._layout.items() if key != "template"}
        return go.Figure(data=self._data, layout=layout, _validate=False)

    @property
    def data(self) -> tuple[Any, ...]:
        """Return the Plotly traces."""
        return tuple(self.figure().data)

    @property
    def layout(self) -> Any:
        """Return the Plotly layout."""
        return self.figure().layout

    def to_dict(self) -> dict[str, Any]:
        """Return the figure as Plotly's to_dict does."""
        return dict(self.figure().to_dict())

    def to_json(self) -> str:
        """Return the figure as Plotly's to_json writes it."""
        return str(self.figure().to_json())


# Layout keys Plotly treats as extra subplot axes ("xaxis2"): kept after the others, in the order given.
SUBPLOT_AXIS = re.compile(r"[xy]axis[0-9]+")


@functools.lru_cache(maxsize=1)
def _default_template() -> dict[str, Any]:
    """Return the layout template Plotly gives every figure (read only: shared by every figure served)."""
    return dict(go.Figure(_validate=False)._layout["template"])


def plotly_order(data: list[dict[str, Any]], layout: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Return the traces and layout with their keys in the order a go.Figure holds them, and its template.

    A trace's properties sorted, its type last; the layout's sorted, then the extra subplot axes (each
    sorted) and the default template. tests/test_charts.py checks the text is what Plotly's to_json writes.
    """
    traces = [{key: trace[key] for key in sorted(trace) if key != "type"} | {"type": trace["type"]} for trace in data]
    ordered = {key: layout[key] for key in sorted(layout) if not SUBPLOT_AXIS.fullmatch(key)}
    ordered |= {key: dict(sorted(value.items())) for key, value in layout.items() if SUBPLOT_AXIS.fullmatch(key)}
    return traces, ordered | {"template": _default_template()}


def unchecked_figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> UncheckedFigure:
    """Wrap trace and layout dicts built here without Plotly validating or copying them on every request.

    Validation costs more than the request's SQL; what these builders produce is validated by
    tests/test_charts.py instead (a validated copy must serialize the same).
    """
    return UncheckedFigure(data, layout)


def figure_text(fig: go.Figure | UncheckedFigure) -> str:
    """Return the figure as fig.to_json() writes it, without the deep copy of every trace it makes first.

    The figure is thrown away after it is sent, and holds no numpy arrays (which to_json would encode as
    base64), so the copy buys nothing; tests/test_charts.py checks the text is the same.
    """
    return str(to_json_plotly({"data": fig._data, "layout": fig._layout}))


def merged(target: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    """Merge layout properties into target as Plotly's update_layout does (nested dicts merge, the rest replaces)."""
    for key, value in updates.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merged(target[key], value)
        else:
            target[key] = value
    return target


@functools.lru_cache(maxsize=32)
def _column_grid(rows: int, spacing: float) -> str:
    """make_subplots' layout for a column of rows (axis domains and title positions), worked out once, as JSON."""
    layout = make_subplots(rows=rows, cols=1, subplot_titles=["-"] * rows, vertical_spacing=spacing).to_dict()["layout"]
    layout.pop("template", None)
    return json.dumps(layout)


def column_grid(titles: Sequence[str], spacing: float) -> dict[str, Any]:
    """A fresh layout of len(titles) subplots in a column, each titled as make_subplots would (empty: no title)."""
    layout: dict[str, Any] = json.loads(_column_grid(max(len(titles), 1), spacing))
    notes = [note | {"text": title} for note, title in zip(layout.pop("annotations"), titles, strict=False) if title]
    return layout | ({"annotations": notes} if notes else {})


def _axis(name: str, row: int) -> str:
    """Return the layout key of a row's x or y axis ("xaxis", "yaxis2")."""
    return name + ("" if row == 1 else str(row))


def _on_row(trace: dict[str, Any], row: int) -> dict[str, Any]:
    """Place a trace on a row of a column_grid, as make_subplots' add_trace(row=...) does."""
    return trace | {"xaxis": f"x{'' if row == 1 else row}", "yaxis": f"y{'' if row == 1 else row}"}


def _base(layout: dict[str, Any]) -> dict[str, Any]:
    """Apply the shared look of _base_layout to a layout dict (room at the top for the subplot titles)."""
    return merged(layout, _layout("") | {"margin": {"l": 50, "r": 20, "t": 50, "b": 40}})


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    """Return the shared layout: system fonts, white background, legend below."""
    return {
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "font": FONT,
        "margin": {"l": 50, "r": 20, "t": 50 if title else 20, "b": 40},
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.15},
        **extra,
    }


def trend_figure(trend: ScaleTrend, participation: Sequence[Period], k: int) -> UncheckedFigure:
    """Mean with a 95% CI band per period, the scale's bands shaded behind, and n as bars underneath.

    Built as one dict and validated once: make_subplots and add_hrect cost more than the SQL.
    """
    low, high = trend.scale.low, trend.scale.high
    locale, words, labels = babel_locale(), _hover_html(reader_locale(), k), PeriodLabels(trend.grain, babel_locale())
    x = _x(trend.periods)
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
    bars = _participation_trace(participation, trend.grain, k, labels)
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
    layout = _layout(
        "",
        xaxis=date_axis(trend.periods or participation, trend.grain, labels, anchor="y2"),
        yaxis={"domain": [0.34, 1], "range": [low, high], "title": {"text": _("Mean score")}},
        yaxis2={"domain": [0, 0.28], **count_axis([p.n for p in participation], _("People"))},
        shapes=shapes,
        annotations=notes,
    )
    return unchecked_figure([band, mean, bars], layout)


def _participation_trace(
    periods: Sequence[Period], grain: str, k: int, labels: PeriodLabels | None = None
) -> dict[str, Any]:
    """Return responses per period as a bar trace; periods whose results are withheld are grey (labels: the
    figure's, when it labels the periods elsewhere too)."""
    words = _hover_html(reader_locale(), k)
    labels = labels if labels is not None and labels.grain == grain else PeriodLabels(grain, babel_locale())
    return {
        "type": "bar",
        "x": _x(periods),
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
    _hover_html)."""
    label = esc(labels[period.start]) if period.start else words["all time"]
    text = words["people"] % {"period": label, "n": period.n}
    if period.hidden_because == "small_cell":
        return text + " " + words["bar small"]
    if period.hidden_because == "complement":
        return text + " " + words["bar protect"]
    return text


COMPARISON_NAMES = {"previous": _l("previous"), "latest": _l("latest")}


def participation_figure(periods: Sequence[Period], grain: str, k: int) -> UncheckedFigure:
    """Responses per period as a bar chart (grey where results are withheld)."""
    labels = PeriodLabels(grain, babel_locale())
    layout = _layout(
        {"meeting": _("People per meeting"), "week": _("People per week"), "month": _("People per month")}.get(
            grain, ""
        ),
        xaxis=date_axis(periods, grain, labels),
        yaxis=count_axis([p.n for p in periods], _("People")),
        **({} if any(p.n for p in periods) else {"annotations": [empty_message(_("No answers in this period"))]}),
    )
    return unchecked_figure([_participation_trace(periods, grain, k, labels)], layout)


def _item_label(item: ItemDistribution) -> str:
    """Return the item's text for an axis (escaped, wrapped, never cut), marked when reverse-scored."""
    return wrap(_("%(question)s (reverse-scored)", question=item.text) if item.reverse else item.text)


LIKERT_COLOURS = ("#b2182b", "#ef8a62", "#bdbdbd", "#67a9cf", "#2166ac", "#053061", "#67001f")


def likert_figure(items: Sequence[ItemDistribution], k: int) -> UncheckedFigure:
    """Diverging stacked bars: disagreement left of zero, agreement right, the middle answer split across zero.

    Plotly stacks each side outwards in trace order, so the traces go: half the neutral answer left, the
    negative answers from the mildest outwards, the other half of neutral right, then the positive answers.
    """
    shown = [i for i in items if i.kind == "diverging_bar"]
    labels = [
        _item_label(i) + ("" if not i.hidden_because else esc(" — " + _("n = %(n)s, not shown", n=i.n))) for i in shown
    ]
    anchors = shown[0].anchors if shown else ()
    middle = (len(anchors) - 1) / 2
    traces: list[dict[str, Any]] = []

    def shares_of(value: float) -> list[float | None]:
        out = []
        for item in shown:
            total = sum((item.counts or {}).values())
            count = (item.counts or {}).get(value, 0)
            out.append(None if item.counts is None or not total else 100.0 * count / total)
        return out

    def bar(index: int, sign: int, half: bool, legend: bool) -> None:
        value, label = anchors[index]
        shares = shares_of(value)
        traces.append(
            {
                "type": "bar",
                "y": labels,
                "x": [None if s is None else _r(sign * (s / 2 if half else s)) for s in shares],
                "orientation": "h",
                "name": esc(label),
                "legendgroup": str(index),
                "legendrank": index,
                "showlegend": legend,
                "marker": {"color": _likert_colour(index, len(anchors))},
                "hovertext": [
                    f"{esc(label)}: {show_number(s, 0)}% (n = {i.n})"
                    if s is not None
                    else esc(_("n = %(n)s: fewer than %(k)s, not shown", n=i.n, k=k))
                    for s, i in zip(shares, shown, strict=True)
                ],
                "hoverinfo": "text",
            }
        )

    neutral = int(middle) if middle == int(middle) else None
    negatives = [i for i in range(len(anchors)) if i < middle]
    positives = [i for i in range(len(anchors)) if i > middle]
    if neutral is not None:
        bar(neutral, -1, True, False)
    for index in reversed(negatives):
        bar(index, -1, False, True)
    if neutral is not None:
        bar(neutral, 1, True, True)
    for index in positives:
        bar(index, 1, False, True)
    layout = _layout(
        "",
        barmode="relative",
        xaxis={
            "title": {"text": esc(_("%(percent)s of answers (disagree ← → agree)", percent="%"))},
            "range": [-100, 100],
        },
        yaxis={"autorange": "reversed", "automargin": True},
        height=120 + 60 * max(sum(label.count("<br>") + 1 for label in labels), 1),
    )
    layout["legend"] |= {"x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"}
    layout["margin"] |= {"t": 70}
    if not shown:
        layout["annotations"] = [empty_message(_("No answers in this period"))]
    return unchecked_figure(traces, layout)


def _likert_colour(index: int, count: int) -> str:
    """Pick a diverging colour: reds below the middle answer, grey in the middle, blues above, darker further out."""
    distance = index - (count - 1) / 2
    if distance == 0:
        return LIKERT_COLOURS[2]
    if distance < 0:
        return LIKERT_COLOURS[1] if distance >= -1 else LIKERT_COLOURS[0]
    return LIKERT_COLOURS[3] if distance <= 1 else LIKERT_COLOURS[4]


def slider_figure(items: Sequence[ItemDistribution], k: int) -> UncheckedFigure:
    """One small bar chart per slider item: how many chose each value."""
    shown = [i for i in items if i.kind == "histogram"]
    rows = max(len(shown), 1)
    titles = [
        _item_label(i)
        + ("" if not i.hidden_because else esc(" (" + _("n = %(n)s: fewer than %(k)s, not shown", n=i.n, k=k) + ")"))
        for i in shown
    ]
    layout = column_grid(titles, 0.12 if rows > 1 else 0.2)
    traces = []
    for row, item in enumerate(shown, start=1):
        values = sorted((item.counts or {}).items())
        trace = {
            "type": "bar",
            "x": [v for v, _ in values],
            "y": [c for _, c in values],
            "marker": {"color": BLUE},
            "showlegend": False,
            "hovertemplate": esc(_("value %{x}: %{y} answers")) + "<extra>n = " + str(item.n) + "</extra>",
        }
        traces.append(_on_row(trace, row))
        x_axis = {"range": [item.low - 0.5, item.high + 0.5], "dtick": 1, "title": {"text": _("Answer")}}
        merged(layout[_axis("xaxis", row)], x_axis)
        merged(layout[_axis("yaxis", row)], count_axis([count for _value, count in values], _("Answers")))
    layout["height"] = 80 + 200 * rows
    return unchecked_figure(traces, _base(layout))


def comparison_figure(comparison: ScaleComparison) -> go.Figure:
    """Grouped bars per group: previous and latest period means with 95% CIs; hidden groups say so."""
    fig = go.Figure()
    low, high = comparison.scale.low, comparison.scale.high
    names = [esc(g.name) for g in comparison.groups]
    for attr, colour in (("previous", "#9ecae1"), ("latest", BLUE)):
        periods = [getattr(g, attr) for g in comparison.groups]
        start = getattr(comparison, f"{attr}_start")
        means = [_r(p.summary.mean) if p.summary else None for p in periods]
        fig.add_trace(
            go.Bar(
                x=names,
                y=means,
                marker_color=colour,
                name=esc(period_label(start, comparison.grain)) if start else str(COMPARISON_NAMES[attr]),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        _r(clip(p.summary.ci_high, low, high) - m)
                        if p.summary and p.summary.ci_high is not None and m is not None
                        else None
                        for p, m in zip(periods, means, strict=True)
                    ],
                    "arrayminus": [
                        _r(m - clip(p.summary.ci_low, low, high))
                        if p.summary and p.summary.ci_low is not None and m is not None
                        else None
                        for p, m in zip(periods, means, strict=True)
                    ],
                },
                hovertext=[
                    name + esc(": " + _("mean %(mean)s, n = %(n)s", mean=show_number(p.summary.mean), n=p.n))
                    if p.summary
                    else name + esc(": " + _("not enough responses (n = %(n)s)", n=p.n))
                    for name, p in zip(names, periods, strict=True)
                ],
                hoverinfo="text",
                text=["" if p.summary else esc(_("n = %(n)s, hidden", n=p.n)) for p in periods],
                textposition="outside",
                textangle=-90,
            )
        )
    fig.update_yaxes(range=[low, high], title_text=_("Mean score"))
    fig.update_xaxes(title_text=_("Group"), automargin=True)
    fig.update_layout(barmode="group")
    _base_layout(fig, esc(comparison.scale.label))
    if not comparison.groups:
        fig.update_layout(annotations=[empty_message(_("No groups to compare"))])
    return fig


def engagement_figure(engagement: Engagement) -> UncheckedFigure:
    """Responses per held meeting (zeros included) and, for participant codes, the share who came back."""
    titles = [esc(_("People per meeting")), esc(_("Participant codes that answered again in a later month"))]
    layout = column_grid(titles, 0.18)
    locale = babel_locale()
    labels = PeriodLabels("meeting", locale)  # a meeting's tick and its hover name it the same way
    people_words = esc(_("%(period)s: %(n)d people"))  # translated once, filled per meeting
    people = {
        "type": "bar",
        "x": [d.isoformat() for d, _ in engagement.meetings],
        "y": [n for _day, n in engagement.meetings],
        "marker": {"color": BLUE},
        "name": _("People"),
        "hovertext": [people_words % {"period": esc(labels[d]), "n": n} for d, n in engagement.meetings],
        "hoverinfo": "text",
        **lone_bar_width(len(engagement.meetings), "meeting"),
    }
    months = engagement.retention
    returned = {
        "type": "bar",
        "x": [_date(m.month, "MMM y", locale) for m in months],
        "y": [_r(100.0 * m.returned / m.n) if m.returned is not None and m.n else None for m in months],
        "marker": {"color": "#2166ac"},
        "name": _("Came back (%)"),
        "hovertext": [_retention_hover(m, locale) for m in months],
        "hoverinfo": "text",
    }
    meetings = [Period(start=d, n=n, summary=None, hidden_because=None) for d, n in engagement.meetings]
    axis = date_axis(meetings, "meeting", labels)
    axis.pop("type")
    merged(layout["xaxis"], {"type": "date", **axis})
    merged(layout["yaxis"], count_axis([n for _day, n in engagement.meetings], _("People")))
    merged(layout["yaxis2"], {"title": {"text": "%"}, "range": [0, 100]})
    merged(layout["xaxis2"], {"type": "category", "title": {"text": _("Month")}})
    layout |= {"height": 560, "showlegend": False}
    if not engagement.meetings:
        layout["annotations"] = [*layout.get("annotations", []), empty_message(_("No meetings in this period"))]
    return unchecked_figure([_on_row(people, 1), _on_row(returned, 2)], _base(layout))


@functools.lru_cache(maxsize=16)
def _retention_words(locale: str) -> tuple[str, str]:
    """Return the two phrases of a month's hover, translated and escaped once (filled in per month)."""
    return esc(_("%(month)s: %(returned)d of %(n)d codes came back")), esc(_("%(month)s: %(n)d codes (%(note)s)"))


def _retention_hover(month: RetentionMonth, locale: Locale) -> str:
    """Return a month's hover text: how many codes came back, or why that is not shown."""
    came_back, codes = _retention_words(str(locale))
    name = esc(_date(month.month, "MMMM y", locale))
    if month.returned is not None:
        return came_back % {"month": name, "returned": month.returned, "n": month.n}
    return codes % {"month": name, "n": month.n, "note": esc(month.note)}


def item_figures(items: Sequence[ItemDistribution], k: int) -> dict[str, UncheckedFigure]:
    """Return the items charts by name: one diverging bar chart per set of answer labels, and the sliders."""
    figures: dict[str, UncheckedFigure] = {}
    anchor_sets: list[tuple[tuple[float, str], ...]] = []
    for item in items:
        if item.kind == "diverging_bar" and item.anchors not in anchor_sets:
            anchor_sets.append(item.anchors)
    for index, anchors in enumerate(anchor_sets, start=1):
        figures[f"likert{index}"] = likert_figure(
            [i for i in items if i.kind == "diverging_bar" and i.anchors == anchors], k
        )
    if any(i.kind == "histogram" for i in items):
        figures["sliders"] = slider_figure(items, k)
    return figures
