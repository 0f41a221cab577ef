"""Sparse Gaussian elimination modulo a random large prime, for the exact suppression audit (pure Python).

Rows are dicts from column (a leaf index) to a non-zero value modulo p. Over a random prime
of 61 bits, elimination gives the rational rank except with negligible probability, and only
ever a lower one; survey.stats.audit re-checks its decision with a second prime.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable

Row = dict[int, int]


def random_prime(rng: random.Random) -> int:
    """Return a random prime between 2**60 and 2**61."""
    while True:
        candidate = rng.randrange(2**60, 2**61) | 1
        if is_prime(candidate):
            return candidate


def is_prime(n: int) -> bool:
    """Deterministic Miller-Rabin, exact for n < 3.3e24."""
    if n < 2:
        return False
    bases = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)
    for b in bases:
        if n % b == 0:
            return n == b
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in bases:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


class Basis:
    """An echelon basis modulo p: rows keyed by pivot, each zero in the pivots of the rows added before it.

    A row's pivot is its smallest column, so a row only has entries at columns from its pivot
    on: reducing a vector column by column in increasing order, subtracting the row of each
    pivot met, never brings back a column already passed. Its cost follows the entries
    touched, not the size of the basis.
    """

    def __init__(self, p: int) -> None:
        self.p = p
        self.rows: list[tuple[int, Row]] = []
        self.pivots: dict[int, Row] = {}

    def reduce(self, vector: Iterable[int]) -> Row:
        """Return a 0/1 vector (a set of leaf indices) reduced against the basis: zero in every pivot."""
        return self._reduce_in_place(dict.fromkeys(vector, 1))

    def reduce_row(self, row: Row) -> Row:
        """Return a copy of a row reduced against the basis."""
        return self._reduce_in_place(dict(row))

    def _reduce_in_place(self, row: Row) -> Row:
        pivots, p = self.pivots, self.p
        heap = [col for col in row if col in pivots]
        heapq.heapify(heap)
        while heap:
            pivot = heapq.heappop(heap)
            factor = row.get(pivot)
            if not factor:
                continue
            for col, value in pivots[pivot].items():
                new = (row.get(col, 0) - factor * value) % p
                if new:
                    if col not in row and col in pivots:
                        heapq.heappush(heap, col)
                    row[col] = new
                else:
                    row.pop(col, None)
        return row

    def insert(self, residual: Row) -> None:
        """Add a residual (already reduced against the basis), normalized to 1 at its pivot; skip a zero one."""
        if not residual:
            return
        pivot = min(residual)
        inverse = pow(residual[pivot], -1, self.p)
        row = {col: value * inverse % self.p for col, value in residual.items()}
        self.rows.append((pivot, row))
        self.pivots[pivot] = row

    @staticmethod
    def subtract(row: Row, other: Row, factor: int, p: int) -> None:
        """row -= factor * other, in place, modulo p, dropping zeros."""
        for col, value in other.items():
            new = (row.get(col, 0) - factor * value) % p
            if new:
                row[col] = new
            else:
                row.pop(col, None)
