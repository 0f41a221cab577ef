"""Consistent suppression over the whole hierarchy a dashboard can show (pure, no database).

Every dashboard cell is a (grain, period start, language) key: meetings, weeks, months and
"all time", each for one language or for all ("*"). Because the page lets people switch grain
and language, a hidden cell could otherwise be recovered by subtraction across views (a week
minus its shown meetings, or all languages minus English). So suppression is decided once
over every key at once (survey.stats.audit), and each view only picks its cells:
whatever grain or filter is asked, the same cells are hidden.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..stats import Cell, Summary, effective_k, summary_from_moments
from ..stats.audit import audit

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


def pool_cells(rows: Iterable[MeetingMoments]) -> dict[CellKey, Moments]:
    """Pool meeting cells into every grain (meeting, week, month, all time) and language (each and all)."""
    cells: dict[CellKey, Moments] = defaultdict(Moments)
    for row in rows:
        for locale in (row.locale, ALL):
            for grain in GRAIN_ORDER:
                key: CellKey = (grain, _period_of(row, grain), locale)
                cells[key] = cells[key] + row.moments
    return dict(cells)


def _leaves(rows: Sequence[MeetingMoments]) -> dict[CellKey, frozenset[tuple[dt.date, str]]]:
    """Map every cell key to the (meeting date, language) leaves it pools."""
    leaves: dict[CellKey, set[tuple[dt.date, str]]] = defaultdict(set)
    for row in rows:
        for locale in (row.locale, ALL):
            for grain in GRAIN_ORDER:
                leaves[(grain, _period_of(row, grain), locale)].add((row.day, row.locale))
    return {key: frozenset(value) for key, value in leaves.items()}


def suppress_hierarchy(rows: Iterable[MeetingMoments], k: int) -> dict[CellKey, Cell[Summary]]:
    """Return _suppress_hierarchy's result, memoized on the exact SQL rows and k (it is a pure function).

    The dashboard page and each of its JSON endpoints ask for the same group's cells within
    a second of each other; the rows themselves are the key, so new answers mean a new entry.
    """
    return dict(_memoized(tuple(rows), int(k)))


@lru_cache(maxsize=512)
def _memoized(rows: tuple[MeetingMoments, ...], k: int) -> dict[CellKey, Cell[Summary]]:
    """Cache the suppressed hierarchy of one set of rows (callers get a copy of the dict)."""
    return _suppress_hierarchy(rows, k)


def _suppress_hierarchy(rows: Iterable[MeetingMoments], k: int) -> dict[CellKey, Cell[Summary]]:
    """Summarize every cell of the hierarchy, hide small cells, then hide more by the exact audit.

    Rule: a cell with 0 < n < effective_k(k) answers is hidden ("small_cell"); then
    survey.stats.audit hides the fewest further cells ("complement") so that no hidden cell's
    0/1 vector over the leaves (meeting x language, with answers) lies in the span of the
    shown cells' vectors, i.e. no combination of sums and differences of shown cells gives a
    hidden one. Cells are offered for publication finest grain first, all languages before
    one language, larger n first; cells pooling the same answers share one decision.
    """
    rows = list(rows)
    moments = pool_cells(rows)
    threshold = effective_k(k)
    index = {leaf: i for i, leaf in enumerate(sorted({(r.day, r.locale) for r in rows if r.moments.n > 0}))}
    vectors = {key: frozenset(index[leaf] for leaf in leaves if leaf in index) for key, leaves in _leaves(rows).items()}
    primary = {key for key, m in moments.items() if 0 < m.n < threshold}
    order = sorted(moments, key=lambda key: (GRAIN_ORDER.index(key[0]), key[2] != ALL, -moments[key].n, str(key)))
    leaf_n = [0] * len(index)
    for r in rows:
        if (r.day, r.locale) in index:
            leaf_n[index[(r.day, r.locale)]] += r.moments.n
    leaf_phase = sum(1 for key in order if key[0] == "meeting")
    hidden = audit(vectors, primary, order, leaf_n=leaf_n, k=threshold, leaf_phase=leaf_phase)
    result: dict[CellKey, Cell[Summary]] = {}
    for key, m in moments.items():
        if key in primary:
            result[key] = Cell(key=key, n=m.n, hidden_because="small_cell")
        elif key in hidden:
            result[key] = Cell(key=key, n=m.n, hidden_because="complement")
        else:
            result[key] = Cell(key=key, n=m.n, stats=summary_from_moments(m.n, m.total, m.total_sq))
    return result


def count_rows(rows: Iterable[object]) -> list[MeetingMoments]:
    """Turn SQL rows of (day, week, month, locale, n) into count-only meeting cells."""
    return [
        MeetingMoments(r.day, r.week, r.month, r.locale, Moments(int(r.n)))  # type: ignore[attr-defined]
        for r in rows
    ]
