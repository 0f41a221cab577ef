"""Exact rational span checks for the privacy tests: plain Gaussian elimination on Fractions.

Independent of the app's audit (which works modulo random primes): a test that asks whether an
attacker can work out a hidden cell asks this module.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from fractions import Fraction


class Span:
    """The span of 0/1 vectors (sets of unknowns) over the rationals, grown one vector at a time."""

    def __init__(self, vectors: Iterable[Iterable[Hashable]] = ()) -> None:
        self.basis: list[tuple[Hashable, dict[Hashable, Fraction]]] = []
        for vector in vectors:
            self.add(vector)

    def _reduce(self, vector: Iterable[Hashable]) -> dict[Hashable, Fraction]:
        row = {unknown: Fraction(1) for unknown in vector}
        for pivot, other in self.basis:
            factor = row.get(pivot)
            if factor:
                for unknown, value in other.items():
                    row[unknown] = row.get(unknown, Fraction(0)) - factor * value
                    if row[unknown] == 0:
                        del row[unknown]
        return row

    def add(self, vector: Iterable[Hashable]) -> None:
        """Add a vector to the span."""
        row = self._reduce(vector)
        if row:
            pivot = min(row, key=repr)
            self.basis.append((pivot, {unknown: value / row[pivot] for unknown, value in row.items()}))

    def __contains__(self, vector: Iterable[Hashable]) -> bool:
        """Whether the vector is a rational combination of the vectors added."""
        return not self._reduce(vector)
