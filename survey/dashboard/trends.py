"""Scale trends: each scale's periods at the dashboard's grain, its all-time cell, a plain reading and a flag."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_babel import gettext as _

from ..stats import Cell, Summary, flag_not_changing
from ..stats.hierarchy import CellKey
from . import published
from .context import Dashboard
from .periods import GRAIN_NAMES, Period, ScaleInfo, periods_at
from .trend_words import trend_reading


@dataclass(frozen=True)
class ScaleTrend:
    """A scale's trend at one grain: periods in the date range, the all-time cell, a reading and a flag."""

    scale: ScaleInfo
    grain: str
    periods: list[Period]
    overall: Period
    reading: str
    not_changing: bool

    @property
    def too_few(self) -> int:
        """Return how many periods are hidden for having too few answers."""
        return sum(1 for p in self.periods if p.hidden_because == "small_cell")

    @property
    def protecting(self) -> int:
        """Return how many periods are hidden to protect another (by subtraction)."""
        return sum(1 for p in self.periods if p.hidden_because == "complement")


def group_trends(dashboard: Dashboard) -> list[ScaleTrend]:
    """Return every shown instrument's scale trends at the dashboard's grain, suppressed."""
    trends: list[ScaleTrend] = []
    for instrument, _version_ids in dashboard.shown_instruments():
        cells = published.scale_cells(dashboard.group.id, instrument, None, *_trend_cells(dashboard))
        for scale in instrument.scales:
            trends.append(_trend(dashboard, ScaleInfo.of(instrument, scale), cells.get(scale.id, {})))
    return trends


def scale_trend(dashboard: Dashboard, instrument_id: str, scale_id: str) -> ScaleTrend:
    """Return one scale's trend.

    :raises NotFound: when the group has no such instrument or scale.
    """
    if instrument_id not in dashboard.instruments:
        abort(404, description=_("This group has no questionnaire '%(id)s'.", id=instrument_id))
    instrument, _version_ids = dashboard.instruments[instrument_id]
    try:
        scale = instrument.scale(scale_id)
    except KeyError:
        abort(
            404, description=_("The questionnaire '%(id)s' has no scale '%(scale)s'.", id=instrument_id, scale=scale_id)
        )
    cells = published.scale_cells(dashboard.group.id, instrument, [scale_id], *_trend_cells(dashboard))
    return _trend(dashboard, ScaleInfo.of(instrument, scale), cells.get(scale_id, {}))


def _trend_cells(dashboard: Dashboard) -> tuple[str, tuple[str, ...]]:
    """Return the language and grains a trend reads: its periods and the all-time cell."""
    return dashboard.locale_key, (dashboard.grain, "all")


def _trend(dashboard: Dashboard, info: ScaleInfo, cells: dict[CellKey, Cell[Summary]]) -> ScaleTrend:
    """Read one scale's shown cells as a trend at the dashboard's grain."""
    periods = periods_at(cells, dashboard.grain, dashboard.locale_key, dashboard.filters)
    overall = Period.from_cell(None, cells.get(("all", None, dashboard.locale_key)))
    labelled = [(p.start.isoformat() if p.start else "", p.summary) for p in periods]
    reasons = [p.hidden_because for p in periods]
    reading = trend_reading(labelled, info.label, info.higher_is_better, GRAIN_NAMES[dashboard.grain], reasons)
    means = [p.summary.mean if p.summary else None for p in periods]
    return ScaleTrend(info, dashboard.grain, periods, overall, reading, flag_not_changing(means, info.higher_is_better))
