"""Reading the stored decisions: published cells as dashboard cells, with no suppression work per request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select

from ..extensions import db
from ..models import PublishedCell
from ..stats import Cell, Summary, summary_from_moments

CellKey = tuple[str, object, str]


_SUMMARY_COLUMNS = (
    PublishedCell.measure,
    PublishedCell.grain,
    PublishedCell.period,
    PublishedCell.locale,
    PublishedCell.n,
    PublishedCell.hidden_because,
    PublishedCell.total,
    PublishedCell.total_sq,
)


def _rows(group_id: int, measures: Sequence[str], locale: str | None, grains: Sequence[str] | None) -> list[Row[Any]]:
    """Return the stored cells of these measures as plain rows (no ORM objects: a view reads hundreds)."""
    if not measures:
        return []
    query = select(*_SUMMARY_COLUMNS).where(
        PublishedCell.group_id == group_id, PublishedCell.measure.in_(list(measures))
    )
    if locale is not None:
        query = query.where(PublishedCell.locale == locale)
    if grains is not None:
        query = query.where(PublishedCell.grain.in_(list(grains)))
    return list(db.session.execute(query))


def summary_cells(
    group_id: int, measures: Sequence[str], locale: str | None = None, grains: Sequence[str] | None = None
) -> dict[str, dict[CellKey, Cell[Summary]]]:
    """Return measure -> cell key -> cell (of one language and some grains when asked; default every cell);
    shown cells carry their summary (count measures: n only)."""
    found: dict[str, dict[CellKey, Cell[Summary]]] = defaultdict(dict)
    for row in _rows(group_id, measures, locale, grains):
        key: CellKey = (row.grain, row.period, row.locale)
        stats = None
        if row.hidden_because is None and row.total is not None:
            stats = summary_from_moments(row.n, row.total, row.total_sq or 0.0)
        hidden = row.hidden_because if row.hidden_because in ("small_cell", "complement") else None
        found[row.measure][key] = Cell(key=key, n=row.n, stats=stats, hidden_because=hidden)  # type: ignore[arg-type]
    return found


def count_cells(group_id: int, measures: Sequence[str], key: CellKey) -> dict[str, Cell[dict[float, int]]]:
    """Return measure -> the cell at one key, with its answer counts per value when shown."""
    grain, period, locale = key
    query = select(PublishedCell.measure, PublishedCell.n, PublishedCell.hidden_because, PublishedCell.counts).where(
        PublishedCell.group_id == group_id,
        PublishedCell.measure.in_(list(measures)),
        PublishedCell.grain == grain,
        PublishedCell.locale == locale,
        PublishedCell.period.is_(None) if period is None else PublishedCell.period == period,
    )
    found: dict[str, Cell[dict[float, int]]] = {}
    for row in db.session.execute(query):
        counts = None if row.hidden_because else {float(v): n for v, n in (row.counts or {}).items()}
        hidden = row.hidden_because if row.hidden_because in ("small_cell", "complement") else None
        found[row.measure] = Cell(key=key, n=row.n, stats=counts, hidden_because=hidden)  # type: ignore[arg-type]
    return found


def measures_of(group_id: int, prefix: str) -> list[str]:
    """Return the group's published measures starting with prefix."""
    query = (
        select(PublishedCell.measure)
        .where(PublishedCell.group_id == group_id, PublishedCell.measure.startswith(prefix, autoescape=True))
        .distinct()
    )
    return list(db.session.scalars(query))
