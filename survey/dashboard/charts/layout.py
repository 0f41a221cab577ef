"""The charts' shared layout: fonts and margins, a column of subplots, a centred message where nothing is shown."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import FONT, esc


def merged(target: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    """Merge layout properties into target as Plotly's update_layout does (nested dicts merge, the rest replaces)."""
    for key, value in updates.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merged(target[key], value)
        else:
            target[key] = value
    return target


def base_layout(title: str, **extra: Any) -> dict[str, Any]:
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


def with_base_look(layout: dict[str, Any]) -> dict[str, Any]:
    """Apply the shared look of style_figure to a layout dict (room at the top for the subplot titles)."""
    return merged(layout, base_layout("") | {"margin": {"l": 50, "r": 20, "t": 50, "b": 40}})


def style_figure(fig: go.Figure, title: str) -> None:
    """Apply the shared look: system fonts, no Plotly logo clutter, room for the legend."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font=FONT,
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        plot_bgcolor="white",
        hovermode="closest",
        legend={"orientation": "h", "y": -0.15},
    )


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


def axis_key(name: str, row: int) -> str:
    """Return the layout key of a row's x or y axis ("xaxis", "yaxis2")."""
    return name + ("" if row == 1 else str(row))


def on_row(trace: dict[str, Any], row: int) -> dict[str, Any]:
    """Place a trace on a row of a column_grid, as make_subplots' add_trace(row=...) does."""
    return trace | {"xaxis": f"x{'' if row == 1 else row}", "yaxis": f"y{'' if row == 1 else row}"}
