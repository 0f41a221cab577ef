"""Comparison across groups: each visible group's latest period against the previous one, per scale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import abort
from flask_babel import gettext as _

from ..instruments import Instrument
from ..models import Group
from ..release.service import release_due
from ..stats import Cell, Summary, effective_k, pool_summaries
from ..stats.hierarchy import CellKey
from . import published
from .context import group_instruments
from .filters import ALL_LOCALES, Filters, parse_filters
from .periods import Period, ScaleInfo


@dataclass(frozen=True)
class GroupComparison:
    """One group's latest and previous period on one scale (hidden cells carry no statistics)."""

    code: str
    name: str
    k: int
    previous: Period
    latest: Period


@dataclass(frozen=True)
class ScaleComparison:
    """Every visible group on one scale, and the all-groups total when it exposes no hidden group."""

    scale: ScaleInfo
    grain: str
    previous_start: dt.date | None
    latest_start: dt.date | None
    groups: list[GroupComparison]
    total_latest: Period
    total_previous: Period


def comparison(groups: Sequence[Group], args: Mapping[str, str]) -> tuple[Filters, list[str], list[ScaleComparison]]:
    """Compare every visible group's latest period with the previous one, per scale of one instrument.

    Returns the parsed filters, the instrument ids on offer and one comparison per scale.

    Rule: periods are calendar weeks or months (grain, default month) shared by all groups:
    the latest is the one holding the most recent response of any of these groups. Each
    group's cell is the same suppressed cell its own dashboard shows. The all-groups total
    is shown only when no group's cell for that period is hidden (else a total minus the
    shown groups would expose the hidden ones), and only over at least k responses.

    :raises BadRequest: on an unknown filter or a grain of "meeting".
    """
    for g in groups:
        release_due(g)
    by_group = {g.id: group_instruments(g) for g in groups}
    instrument_ids = sorted({iid for found in by_group.values() for iid in found})
    filters = parse_filters(args, instrument_ids, [])
    grain = "month" if filters.grain in ("auto", "") else filters.grain
    if grain == "meeting":
        abort(400, description=_("Groups meet on different days: compare by week or month."))
    instrument_id = filters.instrument or (instrument_ids[0] if instrument_ids else None)
    if instrument_id is None:
        return filters, instrument_ids, []
    cells_by_group: dict[int, dict[str, dict[CellKey, Cell[Summary]]]] = {}
    starts: set[dt.date] = set()
    instrument: Instrument | None = None
    for g in groups:
        if instrument_id not in by_group[g.id]:
            continue
        instrument, _ids = by_group[g.id][instrument_id]
        cells_by_group[g.id] = published.scale_cells(g.id, instrument)
        starts.update(p for cells in cells_by_group[g.id].values() for (gr, p, loc) in cells if gr == grain and p)
    if instrument is None:
        return filters, instrument_ids, []
    ordered = sorted(starts)
    latest = ordered[-1] if ordered else None
    previous = ordered[-2] if len(ordered) > 1 else None
    k_all = max((effective_k(g.min_group_size) for g in groups), default=effective_k(0))
    result = []
    for scale in instrument.scales:
        rows_out = []
        for g in groups:
            if g.id not in cells_by_group:
                continue
            cells = cells_by_group[g.id].get(scale.id, {})
            rows_out.append(
                GroupComparison(
                    g.code,
                    g.name,
                    effective_k(g.min_group_size),
                    Period.from_cell(previous, cells.get((grain, previous, ALL_LOCALES))),
                    Period.from_cell(latest, cells.get((grain, latest, ALL_LOCALES))),
                )
            )
        total = _all_groups(latest, [r.latest for r in rows_out], k_all)
        total_previous = _all_groups(previous, [r.previous for r in rows_out], k_all)
        info = ScaleInfo.of(instrument, scale)
        result.append(ScaleComparison(info, grain, previous, latest, rows_out, total, total_previous))
    return filters, instrument_ids, result


def _all_groups(start: dt.date | None, periods: Sequence[Period], k_all: int) -> Period:
    """Pool one period over all groups, only when no group's cell is hidden and there are at least k answers."""
    parts = [p for p in periods if p.n > 0]
    total_n = sum(p.n for p in parts)
    if parts and not any(p.suppressed for p in parts) and total_n >= k_all:
        return Period(start, total_n, pool_summaries([p.summary for p in parts]), None)
    return Period(start, total_n, None, "complement" if total_n >= k_all else "small_cell")
