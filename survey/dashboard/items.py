"""Item distributions: each numeric question's answer counts in one period, shown only with its cell."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from ..instruments import ITEM_TYPES
from . import published
from .context import Dashboard
from .filters import bad_filter
from .participation import period_starts
from .periods import display_locale, reason_text
from .wording import grain_name


@dataclass(frozen=True)
class ItemDistribution:
    """One item's answers in one period: counts per value when shown, only n when hidden."""

    item_id: str
    text: str
    kind: str  # the item type's chart kind: diverging_bar or histogram
    reverse: bool
    anchors: tuple[tuple[float, str], ...]  # (value, label) in order, for likert items
    low: float
    high: float
    n: int
    counts: dict[float, int] | None
    hidden_because: str | None

    def as_dict(self, k: int) -> dict[str, Any]:
        """Return the JSON/CSV form; a hidden item keeps n and a reason, never its counts."""
        data: dict[str, Any] = {"item": self.item_id, "text": self.text, "reverse": self.reverse, "n": self.n}
        if self.hidden_because is not None:
            return {**data, "suppressed": True, "reason": reason_text(self.hidden_because, k)}
        counts = {str(value): count for value, count in sorted((self.counts or {}).items())}
        return {**data, "suppressed": False, "counts": counts}


@dataclass(frozen=True)
class ItemsView:
    """The item distributions of one instrument in one period."""

    instrument_id: str
    grain: str
    period: dt.date | None
    periods: list[dt.date]
    items: list[ItemDistribution]


def chosen_period(dashboard: Dashboard, starts: list[dt.date]) -> dt.date | None:
    """Return the period asked for (period=YYYY-MM-DD), else the latest.

    :raises BadRequest: when the period asked for is not one of the listed ones.
    """
    period = dashboard.filters.period or (starts[-1] if starts else None)
    if dashboard.filters.period and period not in starts:
        bad_filter(
            _(
                "There is no %(grain)s starting %(start)s with published results; choose one of the listed periods.",
                grain=grain_name(dashboard.grain),
                start=format_date(period, "long"),
            )
        )
    return period


def items_view(dashboard: Dashboard) -> ItemsView:
    """Return each numeric item's distribution for one instrument and one period, suppressed per item.

    Rule: the period is the one asked for (period=YYYY-MM-DD, a period start at the grain),
    else the latest; an item is shown only when its cell (item, period, language) survives
    suppression over the same hierarchy as the trends, so switching grain or language cannot
    expose it.

    :raises BadRequest: when no instrument is chosen or the period is not one of the group's.
    """
    instrument_id = dashboard.filters.instrument or next(iter(dashboard.instruments), None)
    if instrument_id is None:
        return ItemsView("", dashboard.grain, None, [], [])
    instrument, _version_ids = dashboard.instruments[instrument_id]
    grain = dashboard.grain
    starts = [p.start for p in period_starts(dashboard) if p.start is not None]
    period = chosen_period(dashboard, starts)
    if period is None:
        return ItemsView(instrument_id, grain, None, starts, [])
    key = (grain, period, dashboard.locale_key)
    cells = published.item_cells(dashboard.group.id, instrument, key)
    language = display_locale()  # looked up once: every item's text and answer labels are in it
    items = []
    for item in instrument.items:
        kind = ITEM_TYPES[item.type].chart_kind
        if kind not in ("diverging_bar", "histogram") or item.id not in cells:
            continue
        cell = cells[item.id]
        low, high = instrument.numeric_range(item) or (0.0, 0.0)
        anchors = tuple((float(a.value), instrument.text(a.label, language)) for a in getattr(item, "anchors", ()))
        items.append(
            ItemDistribution(
                item_id=item.id,
                text=instrument.text(item.text, language),
                kind=kind,
                reverse=item.reverse,
                anchors=anchors,
                low=low,
                high=high,
                n=cell.n,
                counts=cell.stats,
                hidden_because=cell.hidden_because,
            )
        )
    return ItemsView(instrument_id, grain, period, starts, items)
