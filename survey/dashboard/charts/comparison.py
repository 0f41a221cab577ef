"""The compare page's chart: each group's previous and latest period means side by side."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..aggregates import ScaleComparison
from ..wording import show_number
from .labels import period_label
from .layout import empty_message, style_figure
from .style import BLUE, clip, esc, rounded

COMPARISON_NAMES = {"previous": _l("previous"), "latest": _l("latest")}


def comparison_figure(comparison: ScaleComparison) -> go.Figure:
    """Grouped bars per group: previous and latest period means with 95% CIs; hidden groups say so."""
    fig = go.Figure()
    low, high = comparison.scale.low, comparison.scale.high
    names = [esc(g.name) for g in comparison.groups]
    for attr, colour in (("previous", "#9ecae1"), ("latest", BLUE)):
        periods = [getattr(g, attr) for g in comparison.groups]
        start = getattr(comparison, f"{attr}_start")
        means = [rounded(p.summary.mean) if p.summary else None for p in periods]
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
                        rounded(clip(p.summary.ci_high, low, high) - m)
                        if p.summary and p.summary.ci_high is not None and m is not None
                        else None
                        for p, m in zip(periods, means, strict=True)
                    ],
                    "arrayminus": [
                        rounded(m - clip(p.summary.ci_low, low, high))
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
    style_figure(fig, esc(comparison.scale.label))
    if not comparison.groups:
        fig.update_layout(annotations=[empty_message(_("No groups to compare"))])
    return fig
