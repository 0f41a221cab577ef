"""Consistent suppression over the whole hierarchy a dashboard can show (pure, no database).

Every dashboard cell is a (grain, period start, language) key: meetings, weeks, months and
"all time", each for one language or for all ("*"). Because the page lets people switch grain
and language, a hidden cell could otherwise be recovered by subtraction across views (a week
minus its shown meetings, or all languages minus English). So suppression is decided once
over every key and every partition between them, and each view only picks its cells:
whatever grain or filter is asked, the same cells are hidden.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..stats import Cell, Summary, summary_from_moments, suppress_partitions

ALL = "*"
GRAIN_ORDER = ("meeting", "week", "month", "all")
CellKey = tuple[str, dt.date | None, str]


@dataclass(frozen=True, slots=True)
class Moments:
    """Additive sums of one cell: count, sum and sum of squares (as a SQL GROUP BY returns them)."""

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0

    def __add__(self, other: Moments) -> Moments:
        """Pool two disjoint sets of answers."""
        return Moments(self.n + other.n, self.total + other.total, self.total_sq + other.total_sq)


@dataclass(frozen=True, slots=True)
class MeetingMoments:
    """The finest cell: one meeting date in one language, with its week and month starts."""

    day: dt.date
    week: dt.date
    month: dt.date
    locale: str
    moments: Moments


def _period_of(row: MeetingMoments, grain: str) -> dt.date | None:
    """Return the start of the row's period at this grain (None for all time)."""
    return {"meeting": row.day, "week": row.week, "month": row.month, "all": None}[grain]


def rollup(rows: Iterable[MeetingMoments]) -> tuple[dict[CellKey, Moments], list[tuple[CellKey, list[CellKey]]]]:
    """Pool meeting cells into every grain and language, and list each total with the parts that make it up."""
    rows = list(rows)
    cells: dict[CellKey, Moments] = defaultdict(Moments)
    members: dict[CellKey, set[CellKey]] = defaultdict(set)  # coarser cell -> meeting cells inside it
    for row in rows:
        for locale in (row.locale, ALL):
            meeting_key: CellKey = ("meeting", row.day, locale)
            for grain in GRAIN_ORDER:
                key: CellKey = (grain, _period_of(row, grain), locale)
                cells[key] = cells[key] + row.moments
                members[key].add(meeting_key)
    locales = sorted({row.locale for row in rows})
    partitions: list[tuple[CellKey, list[CellKey]]] = []
    for key in list(cells):
        grain, period, locale = key
        if locale == ALL:
            partitions.append((key, [(grain, period, each) for each in locales if (grain, period, each) in cells]))
        if grain != "meeting":
            partitions.append((key, sorted(members[key], key=str)))
        if grain == "all":
            for finer in ("week", "month"):
                parts = sorted(
                    {(finer, _period_of(r, finer), locale) for r in rows if locale in (ALL, r.locale)}, key=str
                )
                partitions.append((key, parts))
    return dict(cells), partitions


def suppress_hierarchy(rows: Iterable[MeetingMoments], k: int) -> dict[CellKey, Cell[Summary]]:
    """Summarize every cell of the hierarchy and hide small cells and their complements everywhere at once.

    Rule: a cell with fewer than effective_k(k) answers is hidden ("small_cell"); then, for
    each total and its parts (all languages vs. each language; a week, month or all time vs.
    its meetings; all time vs. its weeks and its months), more parts are hidden until no
    total minus its shown parts pins down a hidden cell ("complement"); repeated until stable.
    """
    moments, partitions = rollup(rows)
    cells = {
        key: Cell(key=key, n=m.n, stats=summary_from_moments(m.n, m.total, m.total_sq)) for key, m in moments.items()
    }
    return suppress_partitions(cells, partitions, k)


def count_rows(rows: Iterable[object]) -> list[MeetingMoments]:
    """Turn SQL rows of (day, week, month, locale, n) into count-only meeting cells."""
    return [
        MeetingMoments(r.day, r.week, r.month, r.locale, Moments(int(r.n)))  # type: ignore[attr-defined]
        for r in rows
    ]
