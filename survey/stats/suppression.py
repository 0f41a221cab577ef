"""Small-cell and complementary suppression, so dashboards never reveal fewer than k answers."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, Literal, TypeVar

# Below three answers a mean can be matched to a person no matter what is configured.
MIN_K = 3

HiddenReason = Literal["small_cell", "complement"]
T = TypeVar("T")


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
