"""The items charts: diverging stacked bars per set of answer labels, and a small bar chart per slider."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from ..aggregates import ItemDistribution
from ..wording import show_number
from .axes import count_axis
from .figure import UncheckedFigure, unchecked_figure
from .layout import axis_key, base_layout, column_grid, empty_message, merged, on_row, with_base_look
from .style import BLUE, esc, rounded, wrap


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
                "x": [None if s is None else rounded(sign * (s / 2 if half else s)) for s in shares],
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
    layout = base_layout(
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
        traces.append(on_row(trace, row))
        x_axis = {"range": [item.low - 0.5, item.high + 0.5], "dtick": 1, "title": {"text": _("Answer")}}
        merged(layout[axis_key("xaxis", row)], x_axis)
        merged(layout[axis_key("yaxis", row)], count_axis([count for _value, count in values], _("Answers")))
    layout["height"] = 80 + 200 * rows
    return unchecked_figure(traces, with_base_look(layout))


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
