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
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .audit import History, audit
from .summary import Summary, summary_from_moments
from .suppression import Cell, HiddenReason, effective_k

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
    leaf: Hashable = None  # the leaf this row belongs to: a release batch id, else (day, locale)

    @property
    def leaf_id(self) -> Hashable:
        """Return the leaf cell this row's answers belong to."""
        return (self.day, self.locale) if self.leaf is None else self.leaf


@dataclass(frozen=True)
class Decision:
    """The audit's decision over one measure: every cell's pooled sums, its leaves and why it is hidden."""

    moments: dict[CellKey, Moments]
    leaves: dict[CellKey, frozenset[Hashable]]
    hidden: dict[CellKey, HiddenReason]
    protected: frozenset[frozenset[Hashable]]  # leaf sets that must never be recoverable (small cells, small leaves)

    def cells(self) -> dict[CellKey, Cell[Summary]]:
        """Return every cell with its summary when shown, its n and reason when hidden."""
        result: dict[CellKey, Cell[Summary]] = {}
        for key, m in self.moments.items():
            reason = self.hidden.get(key)
            stats = None if reason else summary_from_moments(m.n, m.total, m.total_sq)
            result[key] = Cell(key=key, n=m.n, stats=stats, hidden_because=reason)
        return result

    def shown_leaf_sets(self) -> set[frozenset[Hashable]]:
        """Return the leaf sets of the shown cells with answers (what an attacker now holds)."""
        return {self.leaves[key] for key, m in self.moments.items() if key not in self.hidden and m.n > 0}


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


def _leaves(rows: Sequence[MeetingMoments]) -> dict[CellKey, frozenset[Hashable]]:
    """Map every cell key to the leaves with answers it pools."""
    leaves: dict[CellKey, set[Hashable]] = defaultdict(set)
    for row in rows:
        for locale in (row.locale, ALL):
            for grain in GRAIN_ORDER:
                leaves[(grain, _period_of(row, grain), locale)]
                if row.moments.n > 0:
                    leaves[(grain, _period_of(row, grain), locale)].add(row.leaf_id)
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
    """Summarize every cell of the hierarchy, hide small cells, then hide more by the exact audit."""
    return decide(list(rows), k).cells()


def _leaf_order(leaf: Hashable) -> tuple[str, Any]:
    """Sort leaves of one kind (batch ids, or (day, locale) pairs) in their natural order."""
    return (type(leaf).__name__, leaf)


def decide(
    rows: Sequence[MeetingMoments],
    k: int,
    known: Iterable[frozenset[Hashable]] = (),
    protect: Iterable[frozenset[Hashable]] = (),
    other_leaf_n: Mapping[Hashable, int] | None = None,
) -> Decision:
    """Decide which cells of one measure are shown, given what earlier publications showed and protected.

    Rule: a cell with 0 < n < effective_k(k) answers is hidden ("small_cell"), and so is
    every leaf (release batch) with fewer than k answers, as a set to protect; then
    survey.stats.audit hides the fewest further cells ("complement") so that no hidden cell's
    or protected set's 0/1 vector over the leaves lies in the span of the shown cells' vectors
    together with every vector shown before (known), i.e. no combination of sums and
    differences of shown cells, old or new, gives a hidden one. Cells are offered for
    publication finest grain first, all languages before one language, larger n first; cells
    pooling the same answers share one decision. other_leaf_n gives the n of leaves that
    only earlier vectors hold (purged batches).
    """
    moments = pool_cells(rows)
    threshold = effective_k(k)
    leaf_sets = _leaves(rows)
    known, protect = [frozenset(v) for v in known], [frozenset(v) for v in protect]
    leaf_n: dict[Hashable, int] = defaultdict(int, other_leaf_n or {})
    for r in rows:
        leaf_n[r.leaf_id] += r.moments.n
    small_leaves = {frozenset([leaf]) for leaf, n in leaf_n.items() if 0 < n < threshold}
    every_leaf = {leaf for v in [*leaf_sets.values(), *known, *protect, *small_leaves] for leaf in v}
    index = {leaf: i for i, leaf in enumerate(sorted(every_leaf, key=_leaf_order))}
    vectors = {key: frozenset(index[leaf] for leaf in leaves) for key, leaves in leaf_sets.items()}
    primary = {key for key, m in moments.items() if 0 < m.n < threshold}
    order = sorted(moments, key=lambda key: (GRAIN_ORDER.index(key[0]), key[2] != ALL, -moments[key].n, str(key)))
    history = History(
        known=tuple(frozenset(index[leaf] for leaf in v) for v in known),
        protect=tuple(frozenset(index[leaf] for leaf in v) for v in {*protect, *small_leaves}),
        leaf_keys=frozenset(key for key in moments if key[0] == "meeting" and key[2] != ALL),
    )
    ordered_n = [leaf_n[leaf] for leaf in sorted(index, key=index.__getitem__)]
    leaf_phase = sum(1 for key in order if key[0] == "meeting")
    hidden = audit(vectors, primary, order, leaf_n=ordered_n, k=threshold, leaf_phase=leaf_phase, history=history)
    reasons: dict[CellKey, HiddenReason] = {key: "small_cell" for key in primary}
    reasons.update({key: "complement" for key in moments if key in hidden and key not in primary})
    protected = {leaf_sets[key] for key in primary} | small_leaves
    return Decision(moments, leaf_sets, reasons, frozenset(protected))


def count_rows(rows: Iterable[object]) -> list[MeetingMoments]:
    """Turn SQL rows of (day, week, month, locale, n) into count-only meeting cells."""
    return [
        MeetingMoments(r.day, r.week, r.month, r.locale, Moments(int(r.n)))  # type: ignore[attr-defined]
        for r in rows
    ]
