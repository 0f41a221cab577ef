"""Figures served without a Plotly figure object: trace and layout dicts in Plotly's key order, and their JSON."""

from __future__ import annotations

import functools
import re
from typing import Any

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly


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
