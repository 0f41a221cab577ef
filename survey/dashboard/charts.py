"""Plotly figures built from already-suppressed aggregates only (never from responses).

A hidden period is drawn as a gap in the line and a grey participation bar whose hover
says why; its statistics are not in the figure because the aggregates no longer hold them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..stats import Summary
from .aggregates import Engagement, ItemDistribution, Period, ScaleComparison, ScaleTrend

BLUE = "#0b57a4"
BAND_FILL = "rgba(11,87,164,0.18)"
GREY = "#b0b0b0"
BAND_COLOURS = ("rgba(200,60,40,0.07)", "rgba(230,170,30,0.07)", "rgba(40,140,60,0.07)")
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


def _x(periods: Sequence[Period]) -> list[str]:
    """Return the period starts as ISO dates for the x axis."""
    return [p.start.isoformat() if p.start else "" for p in periods]


def _hover(period: Period, grain: str, k: int) -> str:
    """Return the hover text of one period: the mean with its CI and n, or why it is hidden."""
    label = f"{grain.capitalize()} of {period.start.isoformat()}" if period.start else "All time"
    if period.suppressed or period.summary is None:
        why = (
            f"fewer than {k} responses" if period.hidden_because == "small_cell" else "hidden to protect a small group"
        )
        return f"{label}<br>n = {period.n}: {why}, not shown"
    s = period.summary
    ci = "" if s.ci_low is None else f" (95% CI {s.ci_low:.1f} to {s.ci_high:.1f})"
    return f"{label}<br>mean {s.mean:.2f}{ci}<br>n = {period.n}"


def ci_band(x: Sequence[str], shown: Sequence[Summary | None]) -> tuple[list[str | None], list[float | None]]:
    """Return one closed outline per run of consecutive shown periods (None between runs), for fill="toself"."""
    band_x: list[str | None] = []
    band_y: list[float | None] = []
    run: list[tuple[str, Summary]] = []
    for day, summary in [*zip(x, shown, strict=True), ("", None)]:
        if summary is not None and summary.ci_low is not None and summary.ci_high is not None:
            run.append((day, summary))
            continue
        if len(run) > 1:
            band_x += [d for d, _ in run] + [d for d, _ in reversed(run)] + [None]
            band_y += [s.ci_high for _, s in run] + [s.ci_low for _, s in reversed(run)] + [None]  # type: ignore[misc]
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


def trend_figure(trend: ScaleTrend, participation: Sequence[Period], k: int) -> go.Figure:
    """Mean with a 95% CI band per period, the scale's bands shaded behind, and n as bars underneath.

    Built as one dict and validated once: make_subplots and add_hrect cost more than the SQL.
    """
    x = _x(trend.periods)
    shown = [p.summary if (p.summary and not p.suppressed) else None for p in trend.periods]
    band_x, band_y = ci_band(x, shown)
    band = {
        "type": "scatter",
        "x": band_x,
        "y": band_y,
        "mode": "lines",
        "line": {"width": 0},
        "fill": "toself",
        "fillcolor": BAND_FILL,
        "hoverinfo": "skip",
        "name": "95% confidence band",
    }
    mean = {
        "type": "scatter",
        "x": x,
        "y": [s.mean if s else None for s in shown],
        "mode": "lines+markers",
        "name": f"{trend.scale.label} (mean)",
        "line": {"color": BLUE, "width": 2},
        "marker": {"size": 7},
        "connectgaps": False,
        "hovertext": [_hover(p, trend.grain, k) for p in trend.periods],
        "hoverinfo": "text",
        "error_y": {
            "type": "data",
            "symmetric": False,
            "color": BLUE,
            "thickness": 1,
            "width": 3,
            "array": [s.ci_high - s.mean if s and s.ci_high is not None else None for s in shown],
            "arrayminus": [s.mean - s.ci_low if s and s.ci_low is not None else None for s in shown],
        },
    }
    bars = _participation_trace(participation, trend.grain, k)
    bars.update(xaxis="x", yaxis="y2")
    shapes, notes = [], []
    for index, (label, low, high) in enumerate(trend.scale.bands):
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": low,
                "y1": high,
                "fillcolor": BAND_COLOURS[index % len(BAND_COLOURS)],
                "line": {"width": 0},
                "layer": "below",
            }
        )
        notes.append(
            {
                "xref": "paper",
                "yref": "y",
                "x": 0,
                "y": high,
                "xanchor": "left",
                "yanchor": "top",
                "text": label,
                "showarrow": False,
                "font": {"size": 11},
            }
        )
    layout = _layout(
        "",
        xaxis={"type": "date", "showgrid": False, "anchor": "y2"},
        yaxis={"domain": [0.34, 1], "range": [trend.scale.low, trend.scale.high], "title": {"text": "Score"}},
        yaxis2={"domain": [0, 0.28], "rangemode": "tozero", "title": {"text": "n"}},
        shapes=shapes,
        annotations=notes,
    )
    return go.Figure(data=[band, mean, bars], layout=layout)


def _participation_trace(periods: Sequence[Period], grain: str, k: int) -> dict[str, Any]:
    """Return responses per period as a bar trace; periods whose results are withheld are grey."""
    return {
        "type": "bar",
        "x": _x(periods),
        "y": [p.n for p in periods],
        "name": "Responses",
        "marker": {"color": [GREY if p.suppressed else BLUE for p in periods]},
        "hovertext": [
            f"{grain.capitalize()} of {p.start}: {p.n} responses"
            + (f" (fewer than {k}: results not shown)" if p.hidden_because == "small_cell" else "")
            for p in periods
        ],
        "hoverinfo": "text",
    }


def participation_figure(periods: Sequence[Period], grain: str, k: int) -> go.Figure:
    """Responses per period as a bar chart (grey where results are withheld)."""
    layout = _layout(f"Responses per {grain}", yaxis={"title": {"text": "Responses"}, "rangemode": "tozero"})
    return go.Figure(data=[_participation_trace(periods, grain, k)], layout=layout)


def _item_label(item: ItemDistribution) -> str:
    """Return the item's text for an axis, marked when reverse-scored."""
    text = item.text if len(item.text) <= 60 else item.text[:57] + "…"
    return f"{text} (reverse-scored)" if item.reverse else text


LIKERT_COLOURS = ("#b2182b", "#ef8a62", "#bdbdbd", "#67a9cf", "#2166ac", "#053061", "#67001f")


def likert_figure(items: Sequence[ItemDistribution], k: int) -> go.Figure:
    """Diverging stacked bars: disagreement left of zero, agreement right, the middle answer split across zero."""
    fig = go.Figure()
    shown = [i for i in items if i.kind == "diverging_bar"]
    labels = [_item_label(i) + ("" if not i.hidden_because else f" — n = {i.n}, not shown") for i in shown]
    anchors = shown[0].anchors if shown else ()
    middle = (len(anchors) - 1) / 2
    for index, (value, label) in enumerate(anchors):
        shares = []
        for item in shown:
            total = sum((item.counts or {}).values())
            count = (item.counts or {}).get(value, 0)
            shares.append(None if item.counts is None or not total else 100.0 * count / total)
        sign = -1 if index < middle else 1
        parts = [(s / 2 if index == middle else s) if s is not None else None for s in shares]
        if index == middle:  # the neutral answer is split in half either side of zero
            fig.add_trace(
                go.Bar(
                    y=labels,
                    x=[-p if p is not None else None for p in parts],
                    orientation="h",
                    name=label,
                    legendgroup=label,
                    showlegend=False,
                    hoverinfo="skip",
                    marker_color=LIKERT_COLOURS[2],
                )
            )
            sign = 1
        fig.add_trace(
            go.Bar(
                y=labels,
                x=[sign * p if p is not None else None for p in parts],
                orientation="h",
                name=label,
                legendgroup=label,
                marker_color=_likert_colour(index, len(anchors)),
                hovertext=[
                    f"{label}: {s:.0f}% (n = {i.n})" if s is not None else f"n = {i.n}: fewer than {k}, not shown"
                    for s, i in zip(shares, shown, strict=True)
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(
        barmode="relative",
        xaxis={"title": "% of answers (disagree ← → agree)", "range": [-100, 100]},
        height=120 + 60 * max(len(shown), 1),
    )
    fig.update_yaxes(autorange="reversed")
    _base_layout(fig, "")
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}, margin={"t": 70})
    return fig


def _likert_colour(index: int, count: int) -> str:
    """Pick a diverging colour: reds below the middle answer, grey in the middle, blues above, darker further out."""
    distance = index - (count - 1) / 2
    if distance == 0:
        return LIKERT_COLOURS[2]
    if distance < 0:
        return LIKERT_COLOURS[1] if distance >= -1 else LIKERT_COLOURS[0]
    return LIKERT_COLOURS[3] if distance <= 1 else LIKERT_COLOURS[4]


def slider_figure(items: Sequence[ItemDistribution], k: int) -> go.Figure:
    """One small bar chart per slider item: how many chose each value."""
    shown = [i for i in items if i.kind == "histogram"]
    rows = max(len(shown), 1)
    fig = make_subplots(
        rows=rows,
        cols=1,
        subplot_titles=[
            _item_label(i) + ("" if not i.hidden_because else f" (n = {i.n}: fewer than {k}, not shown)") for i in shown
        ]
        or [""],
        vertical_spacing=0.12 if rows > 1 else 0.2,
    )
    for row, item in enumerate(shown, start=1):
        values = sorted((item.counts or {}).items())
        fig.add_trace(
            go.Bar(
                x=[v for v, _ in values],
                y=[c for _, c in values],
                marker_color=BLUE,
                showlegend=False,
                hovertemplate="value %{x}: %{y} answers<extra>n = " + str(item.n) + "</extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_xaxes(range=[item.low - 0.5, item.high + 0.5], dtick=1, row=row, col=1)
    fig.update_layout(height=80 + 200 * rows)
    _base_layout(fig, "")
    return fig


def comparison_figure(comparison: ScaleComparison) -> go.Figure:
    """Grouped bars per group: previous and latest period means with 95% CIs; hidden groups say so."""
    fig = go.Figure()
    names = [g.name for g in comparison.groups]
    for attr, colour in (("previous", "#9ecae1"), ("latest", BLUE)):
        periods = [getattr(g, attr) for g in comparison.groups]
        start = getattr(comparison, f"{attr}_start")
        fig.add_trace(
            go.Bar(
                x=names,
                y=[p.summary.mean if p.summary else None for p in periods],
                marker_color=colour,
                name=f"{comparison.grain.capitalize()} of {start}" if start else attr,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        p.summary.ci_high - p.summary.mean if p.summary and p.summary.ci_high is not None else None
                        for p in periods
                    ],
                    "arrayminus": [
                        p.summary.mean - p.summary.ci_low if p.summary and p.summary.ci_low is not None else None
                        for p in periods
                    ],
                },
                hovertext=[
                    f"{name}: mean {p.summary.mean:.2f}, n = {p.n}"
                    if p.summary
                    else f"{name}: not enough responses (n = {p.n})"
                    for name, p in zip(names, periods, strict=True)
                ],
                hoverinfo="text",
                text=["" if p.summary else "not enough responses" for p in periods],
                textposition="outside",
            )
        )
    fig.update_yaxes(range=[comparison.scale.low, comparison.scale.high], title_text="Mean score")
    fig.update_layout(barmode="group")
    _base_layout(fig, comparison.scale.label)
    return fig


def engagement_figure(engagement: Engagement) -> go.Figure:
    """Responses per held meeting (zeros included) and, for participant codes, the share who came back."""
    fig = make_subplots(
        rows=2,
        cols=1,
        subplot_titles=["Responses per meeting", "Participant codes that answered again in a later month"],
        vertical_spacing=0.18,
    )
    fig.add_trace(
        go.Bar(
            x=[d.isoformat() for d, _ in engagement.meetings],
            y=[n for _, n in engagement.meetings],
            marker_color=BLUE,
            name="Responses",
            hovertemplate="%{x}: %{y} responses<extra></extra>",
        ),
        row=1,
        col=1,
    )
    months = engagement.retention
    fig.add_trace(
        go.Bar(
            x=[f"{m.month:%b %Y}" for m in months],
            y=[100.0 * m.returned / m.n if m.returned is not None and m.n else None for m in months],
            marker_color="#2166ac",
            name="Came back (%)",
            hovertext=[
                f"{m.month:%B %Y}: {m.returned} of {m.n} codes came back"
                if m.returned is not None
                else f"{m.month:%B %Y}: {m.n} codes ({m.note})"
                for m in months
            ],
            hoverinfo="text",
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text="n", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="%", range=[0, 100], row=2, col=1)
    fig.update_xaxes(type="category", row=2, col=1)
    fig.update_layout(height=560, showlegend=False)
    _base_layout(fig, "")
    return fig


def item_figures(items: Sequence[ItemDistribution], k: int) -> dict[str, go.Figure]:
    """Return the items charts by name: one diverging bar chart per set of answer labels, and the sliders."""
    figures: dict[str, go.Figure] = {}
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
