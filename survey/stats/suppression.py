"""Small-cell and complementary suppression, so dashboards never reveal fewer than k answers."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Generic, Literal, TypeVar

# Below three answers a mean can be matched to a person no matter what is configured.
MIN_K = 3

HiddenReason = Literal["small_cell", "complement"]
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Cell(Generic[T]):
    """One aggregate shown on a dashboard: a key, its number of answers and its statistics."""

    key: Hashable
    n: int
    stats: T | None = None
    hidden_because: HiddenReason | None = None

    def __post_init__(self) -> None:
        """Refuse a hidden cell that still carries statistics, so nothing downstream can leak them."""
        if self.n < 0:
            raise ValueError(f"cell {self.key!r} has a negative n ({self.n})")
        if self.hidden_because is not None and self.stats is not None:
            raise ValueError(f"cell {self.key!r} is hidden but still carries statistics")

    @property
    def suppressed(self) -> bool:
        """Whether the statistics of this cell are withheld."""
        return self.hidden_because is not None


def effective_k(k: int) -> int:
    """Return the suppression threshold actually used: the configured k, never below MIN_K."""
    return max(int(k), MIN_K)


def _hide(cell: Cell[T], reason: HiddenReason) -> Cell[T]:
    """Return the cell without statistics, keeping the first reason it was hidden for."""
    return replace(cell, stats=None, hidden_because=cell.hidden_because or reason)


def suppress_small_cells(cells: Sequence[Cell[T]], k: int) -> list[Cell[T]]:
    """Hide the statistics of every cell with fewer than effective_k(k) answers; n stays visible."""
    threshold = effective_k(k)
    return [_hide(cell, "small_cell") if cell.n < threshold else cell for cell in cells]


def _remainder_is_exposed(parts: Sequence[Cell[T]], unassigned: int, threshold: int) -> bool:
    """Whether total minus the shown parts pins down one hidden part or fewer than k answers."""
    hidden = [part.n for part in parts if part.suppressed and part.n > 0]
    hidden_n = sum(hidden) + unassigned
    return (len(hidden) == 1 and unassigned == 0) or 0 < hidden_n < threshold


def suppress_complements(parts: Sequence[Cell[T]], total: Cell[T], k: int) -> tuple[list[Cell[T]], Cell[T]]:
    """Suppress small cells, then hide more parts until the total cannot expose a hidden one.

    Rule: when the total is shown, everything not shown (the hidden parts plus any answers
    in the total that belong to no listed part) can be recovered as total minus shown parts.
    That remainder must not belong to exactly one hidden part and must hold at least
    effective_k(k) answers; while it fails, the smallest shown non-empty part is hidden too
    (ties: the earliest listed), or the total itself when no part is left. Empty parts
    count as nothing, since hiding them protects no one. Parts must partition the total:
    weekly total vs. that week's meetings, or "all groups" vs. each group.

    :raises ValueError: when the parts hold more answers than the total.
    """
    threshold = effective_k(k)
    shown_parts = suppress_small_cells(parts, threshold)
    (total,) = suppress_small_cells([total], threshold)
    unassigned = total.n - sum(part.n for part in shown_parts)
    if unassigned < 0:
        raise ValueError(f"parts of {total.key!r} hold more answers than the total")
    if total.suppressed:
        return shown_parts, total
    while _remainder_is_exposed(shown_parts, unassigned, threshold):
        candidates = [i for i, p in enumerate(shown_parts) if not p.suppressed and p.n > 0]
        if not candidates:
            return shown_parts, _hide(total, "complement")
        smallest = min(candidates, key=lambda i: shown_parts[i].n)
        shown_parts[smallest] = _hide(shown_parts[smallest], "complement")
    return shown_parts, total


def suppress_partitions(
    cells: Mapping[K, Cell[T]],
    partitions: Sequence[tuple[K, Sequence[K]]],
    k: int,
) -> dict[K, Cell[T]]:
    """Apply suppress_complements over several (total key, part keys) partitions until stable.

    A table with row and column totals (meetings within weeks, weeks within a group, groups
    within all groups) needs this: hiding a part for one total can leave a lone hidden
    part under another total, so passes repeat until no cell changes.
    """
    result = dict(zip(cells, suppress_small_cells(list(cells.values()), k), strict=True))
    changed = True
    while changed:
        changed = False
        for total_key, part_keys in partitions:
            parts, total = suppress_complements([result[key] for key in part_keys], result[total_key], k)
            for key, cell in zip([*part_keys, total_key], [*parts, total], strict=True):
                if cell.suppressed and not result[key].suppressed:
                    result[key] = cell
                    changed = True
    return result
