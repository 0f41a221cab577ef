"""Reading the stored decisions: published cells as dashboard cells, with no suppression work per request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, or_, select

from ..database import request_reads
from ..models import PublishedCell
from ..stats import Cell, Summary, summary_from_moments
from ..stats.hierarchy import ALL

CellKey = tuple[str, object, str]
_REASONS = ("small_cell", "complement")  # the reasons a view explains; any other stored one hides without a word


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


def _rows(
    group_id: int, measures: Sequence[str], locale: str | None, grains: Sequence[str] | None
) -> Sequence[tuple[Any, ...]]:
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
    return request_reads().execute(query).all()  # Core, fetched at once: no ORM steps


def summary_cells(
    group_id: int, measures: Sequence[str], locale: str | None = None, grains: Sequence[str] | None = None
) -> dict[str, dict[CellKey, Cell[Summary]]]:
    """Return measure -> cell key -> cell (of one language and some grains when asked; default every cell);
    shown cells carry their summary (count measures: n only)."""
    found: dict[str, dict[CellKey, Cell[Summary]]] = {}
    # Unpacked as plain tuples: a Row's attribute lookup costs more than the rest of the loop.
    for measure, grain, period, cell_locale, n, hidden_because, total, total_sq in _rows(
        group_id, measures, locale, grains
    ):
        key: CellKey = (grain, period, cell_locale)
        if hidden_because is not None:
            cell: Cell[Summary] = Cell(key, n, None, hidden_because if hidden_because in _REASONS else None)
        elif total is None:  # a count measure (people): n only
            cell = Cell(key, n)
        else:
            cell = Cell(key, n, summary_from_moments(n, total, total_sq or 0.0))
        if measure in found:
            found[measure][key] = cell
        else:
            found[measure] = {key: cell}
    return found


def count_cells(group_id: int, measures: Sequence[str], key: CellKey) -> dict[str, Cell[dict[float, int]]]:
    """Return measure -> the cell at one key, with its answer counts per value when shown, for those of these
    measures the group has published (each has an all-time cell; the others, answered in other periods only,
    get an empty cell at the key)."""
    grain, period, locale = key
    at_key = and_(
        PublishedCell.grain == grain,
        PublishedCell.period.is_(None) if period is None else PublishedCell.period == period,
    )
    query = select(
        PublishedCell.measure,
        PublishedCell.grain,
        PublishedCell.locale,
        PublishedCell.n,
        PublishedCell.hidden_because,
        PublishedCell.counts,
    ).where(
        PublishedCell.group_id == group_id,
        PublishedCell.measure.in_(list(measures)),
        PublishedCell.locale.in_(sorted({locale, ALL})),  # the languages first, so the index seeks them
        or_(at_key, PublishedCell.grain == "all"),
    )
    found: dict[str, Cell[dict[float, int]]] = {}
    # Every published measure has an all-time cell in all languages: pool_cells makes one from any answer.
    for measure, cell_grain, cell_locale, n, hidden_because, stored in request_reads().execute(query).all():
        if (cell_grain, cell_locale) != (grain, locale):  # a measure's all-time cell, or the key in the other language
            found.setdefault(measure, Cell(key=key, n=0))
            continue
        counts = None if hidden_because else {float(v): c for v, c in (stored or {}).items()}
        hidden = hidden_because if hidden_because in _REASONS else None
        found[measure] = Cell(key=key, n=n, stats=counts, hidden_because=hidden)  # type: ignore[arg-type]
    return found
