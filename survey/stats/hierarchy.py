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
from typing import Any

from .audit import Measure, audit
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
    """Summarize every cell of one measure's hierarchy, hidden by the audit as a release would hide it."""
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
    """Decide the cells of a single measure (decide_measures with one measure)."""
    return decide_measures({"": rows}, k, {"": known}, {"": protect}, {"": other_leaf_n or {}})[""]


def decide_measures(
    rows: Mapping[str, Sequence[MeetingMoments]],
    k: int,
    known: Mapping[str, Iterable[frozenset[Hashable]]] | None = None,
    protect: Mapping[str, Iterable[frozenset[Hashable]]] | None = None,
    other_leaf_n: Mapping[str, Mapping[Hashable, int]] | None = None,
) -> dict[str, Decision]:
    """Decide which cells are shown, for every measure of a group at once, given earlier publications.

    rows gives each measure's meeting cells; known and protect, per measure, what earlier
    publications showed and protected; other_leaf_n, per measure, the n of leaves that only
    earlier vectors hold (purged batches). Rule: a cell with 0 < n < effective_k(k) answers of
    a measure is hidden for it ("small_cell"), and every leaf (release batch) with fewer than
    k answers of a measure is protected; then survey.stats.audit hides the fewest further
    cells ("complement") so that no hidden cell's or protected set's vector, of any measure,
    lies in the span of the shown cells' vectors of all measures together with every vector
    shown before. The vectors are over unknowns (leaf, n): measures counting the same n at a
    leaf are taken to be the same quantity there (a one-question scale and its question; two
    questions nobody skipped), so what one measure shows is audited against what another
    hides. Cells are offered for publication finest grain first, all languages before one
    language, larger n first.
    """
    known, protect, other_leaf_n = known or {}, protect or {}, other_leaf_n or {}
    threshold = effective_k(k)
    moments = {m: pool_cells(r) for m, r in rows.items()}
    leaf_sets = {m: _leaves(r) for m, r in rows.items()}
    old = {m: ([frozenset(v) for v in known.get(m, ())], [frozenset(v) for v in protect.get(m, ())]) for m in rows}
    leaf_n: dict[str, dict[Hashable, int]] = {}
    for m, measure_rows in rows.items():
        leaf_n[m] = defaultdict(int, other_leaf_n.get(m) or {})
        for r in measure_rows:
            leaf_n[m][r.leaf_id] += r.moments.n
    small_leaves = {m: {frozenset([leaf]) for leaf, n in leaf_n[m].items() if 0 < n < threshold} for m in rows}
    primary = {m: {key for key, cell in moments[m].items() if 0 < cell.n < threshold} for m in rows}
    # The unknowns: a leaf's answers of two measures are one unknown when they count the same n.
    unknown: dict[tuple[Hashable, int], int] = {}

    def unknowns(m: str, vector: frozenset[Hashable]) -> frozenset[int]:
        return frozenset(
            unknown.setdefault((leaf, leaf_n[m][leaf]), len(unknown)) for leaf in sorted(vector, key=_leaf_order)
        )

    measures = [
        Measure(
            vectors={key: unknowns(m, leaves) for key, leaves in leaf_sets[m].items()},
            primary=frozenset(primary[m]),
            known=tuple(unknowns(m, v) for v in old[m][0]),
            protect=tuple(unknowns(m, v) for v in {*old[m][1], *small_leaves[m]}),
        )
        for m in rows
    ]
    size: dict[CellKey, int] = defaultdict(int)
    for m in rows:
        for key, cell in moments[m].items():
            size[key] = max(size[key], cell.n)
    order = sorted(size, key=lambda key: (GRAIN_ORDER.index(key[0]), key[2] != ALL, -size[key], str(key)))
    hidden = audit(
        measures,
        {i: n for (_leaf, n), i in unknown.items()},
        order,
        leaf_keys=[key for key in order if key[0] == "meeting" and key[2] != ALL],
        k=threshold,
        leaf_phase=sum(1 for key in order if key[0] == "meeting"),
    )
    decisions = {}
    for m, hidden_keys in zip(rows, hidden, strict=True):
        reasons: dict[CellKey, HiddenReason] = {
            key: "small_cell" if key in primary[m] else "complement" for key in moments[m] if key in hidden_keys
        }
        protected = {leaf_sets[m][key] for key in primary[m]} | small_leaves[m]
        decisions[m] = Decision(moments[m], leaf_sets[m], reasons, frozenset(protected))
    return decisions
