"""Exact secondary suppression: no hidden cell lies in the linear span of the published cells (pure Python).

Model. Every cell a view can publish (a meeting, week, month or all time; one language or
all) pools a set of leaf cells (meeting x language). Counts, sums and sums of squares are
additive, so a cell is a 0/1 vector over the leaves, and an attacker holding the published
cells can work out exactly every cell whose vector lies in their span (a month minus a week
minus a meeting, in any combination). Leaves with no answers for the measure are dropped:
their values are known to be zero anyway.

Algorithm (in the spirit of Statistics Norway's GaussSuppression, Langsrud 2019):
1. Primary cells (0 < n < k) are hidden.
2. Every other cell is a candidate, taken in the order the caller prefers to publish them
   (finest grain first, then all languages before one language, then larger n first).
3. Elimination over the integers modulo a random 61-bit prime, with sparse dict rows: the
   published basis is kept in echelon form, and each hidden cell keeps its residual
   (its vector reduced against the basis, zero in every pivot column). A candidate is
   reduced to its residual r. If r is zero the candidate is already implied by published
   cells and is published at no cost. Otherwise publishing it adds exactly span(r), so a
   hidden cell becomes recoverable iff its residual is a multiple of r; then the candidate
   is hidden instead (it costs the fewest answers among the cells that would break the
   dependency, since larger and finer cells were preferred earlier). Else it is published
   and every hidden residual is reduced by r.
4. Rank modulo p never exceeds the rational rank, so a wrong answer modulo p can only call a
   candidate "already implied"; the final decision is therefore re-checked from scratch
   with a second random prime (`recoverable`), and the audit reruns with new primes on the
   (negligibly rare) disagreement.
5. Earlier publications count (History): every vector shown before seeds the basis, and
   every vector once protected stays protected, so snapshots taken before a late answer, a
   purge or a change of k combine with today's figures into nothing new.
6. Once the meeting cells (offered first) are decided, the hidden leaves under each cell,
   when two or more of them hold fewer than k answers together, are protected like hidden
   cells: a total minus its shown parts must not give the pooled answers of fewer than k
   people either.

In the issue's example (weekly meetings in October, 2 and 5 November, one person on
9 November) this hides the lone meeting, its week, the November month and all time, and
shows every other meeting.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Row = dict[int, int]


@dataclass(frozen=True)
class History:
    """What earlier publications of the same measure showed and protected, as leaf-index vectors.

    known: vectors once shown (an attacker may hold them: they join the published basis).
    protect: vectors once hidden as small, which must stay unrecoverable for good.
    leaf_keys: the cell keys that are leaves for the pooled-remainder rule (default: one-leaf cells).
    """

    known: tuple[frozenset[int], ...] = ()
    protect: tuple[frozenset[int], ...] = ()
    leaf_keys: frozenset[Hashable] | None = None


def _random_prime(rng: random.Random) -> int:
    """Return a random prime between 2**60 and 2**61 (Miller-Rabin with fixed bases, exact below 3.3e24)."""
    while True:
        candidate = rng.randrange(2**60, 2**61) | 1
        if _is_prime(candidate):
            return candidate


def _is_prime(n: int) -> bool:
    """Deterministic Miller-Rabin for n < 3.3e24."""
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


class _Basis:
    """An echelon basis modulo p: rows keyed by pivot, each zero in the pivots of the rows added before it."""

    def __init__(self, p: int) -> None:
        self.p = p
        self.rows: list[tuple[int, Row]] = []

    def reduce(self, vector: Iterable[int]) -> Row:
        """Return the vector (a set of leaf indices) reduced against the basis, zero in every pivot."""
        row: Row = dict.fromkeys(vector, 1)
        for pivot, basis_row in self.rows:
            factor = row.get(pivot)
            if factor:
                _subtract(row, basis_row, factor, self.p)
        return row

    def add(self, residual: Row) -> int:
        """Add a non-zero residual (already reduced), normalized to 1 at its pivot; return the pivot."""
        pivot = min(residual)
        inverse = pow(residual[pivot], -1, self.p)
        row = {col: value * inverse % self.p for col, value in residual.items()}
        self.rows.append((pivot, row))
        return pivot


def _subtract(row: Row, other: Row, factor: int, p: int) -> None:
    """row -= factor * other, in place, modulo p, dropping zeros."""
    for col, value in other.items():
        new = (row.get(col, 0) - factor * value) % p
        if new:
            row[col] = new
        else:
            row.pop(col, None)


def _is_multiple(row: Row, of: Row, p: int) -> bool:
    """Whether row == alpha * of for some alpha modulo p (row non-zero)."""
    if row.keys() != of.keys():
        return False
    col = next(iter(of))
    alpha = row[col] * pow(of[col], -1, p) % p
    return all(value == alpha * of[c] % p for c, value in row.items())


def _greedy(
    vectors: Mapping[Any, frozenset[int]],
    primary: set[Hashable],
    order: Sequence[Hashable],
    p: int,
    history: History,
    leaf_n: Sequence[int] | None,
    k: int,
    leaf_phase: int,
) -> set[Hashable]:
    """One pass of the greedy audit modulo p; return the hidden cell keys."""
    basis = _Basis(p)
    for vector in history.known:
        residual = basis.reduce(vector)
        if residual:
            basis.add(residual)
    hidden = set(primary)
    leaf_keys = history.leaf_keys
    hidden_leaves: set[int] = set()
    for key in primary:
        if (key in leaf_keys) if leaf_keys is not None else len(vectors[key]) == 1:
            hidden_leaves |= vectors[key]
    residuals: dict[Hashable, Row] = {key: basis.reduce(vectors[key]) for key in primary if vectors[key]}
    for vector in history.protect:
        residuals[("protected", vector)] = basis.reduce(vector)
    for position, key in enumerate(order):
        if position == leaf_phase and leaf_n is not None:
            # Leaves are decided: protect each pooled remainder of fewer than k answers like a hidden cell.
            for pooled in {vectors[c] & hidden_leaves for c in vectors}:
                if len(pooled) >= 2 and sum(leaf_n[i] for i in pooled) < k:
                    residuals[pooled] = basis.reduce(pooled)
        if key in hidden:
            continue
        residual = basis.reduce(vectors[key])
        if not residual:
            continue  # implied by published cells already: publishing it tells nothing new
        if any(r and _is_multiple(r, residual, p) for r in residuals.values()):
            hidden.add(key)
            residuals[key] = residual
            if (key in leaf_keys) if leaf_keys is not None else len(vectors[key]) == 1:
                hidden_leaves |= vectors[key]
            continue
        pivot = basis.add(residual)
        normalized = basis.rows[-1][1]
        for r in residuals.values():
            factor = r.get(pivot)
            if factor:
                _subtract(r, normalized, factor, p)
    return hidden


def recoverable(
    vectors: Mapping[Hashable, frozenset[int]], hidden: set[Hashable], p: int, history: History | None = None
) -> set[Hashable]:
    """Return the hidden cells (with answers) and protected vectors that lie in the span of the published ones.

    The published ones are the cells not hidden plus everything shown before (history.known);
    a vector that the earlier publications alone already give away is not counted, since no
    decision now can take it back.
    """
    history = history or History()
    before = _Basis(p)
    for vector in history.known:
        residual = before.reduce(vector)
        if residual:
            before.add(residual)
    basis = _Basis(p)
    for vector in [*history.known, *(vector for key, vector in vectors.items() if key not in hidden)]:
        residual = basis.reduce(vector)
        if residual:
            basis.add(residual)
    guarded = [(key, vectors[key]) for key in hidden] + [(("protected", v), v) for v in history.protect]
    return {key for key, vector in guarded if vector and before.reduce(vector) and not basis.reduce(vector)}


def audit(
    vectors: Mapping[Any, frozenset[int]],
    primary: Iterable[Hashable],
    order: Sequence[Hashable] | None = None,
    seed: int | None = None,
    leaf_n: Sequence[int] | None = None,
    k: int = 0,
    leaf_phase: int = 0,
    history: History | None = None,
) -> set[Hashable]:
    """Return the cells to hide: the primary ones and the fewest more so none is recoverable by linear algebra.

    vectors maps each cell to the leaf indices it pools (leaves with answers only); order is
    the preference to publish (earlier = kept first), by default the mapping's order. With
    leaf_n (answers per leaf) and k, a cell is also hidden when publishing it would make the
    hidden leaves under it, taken together, recoverable while they hold fewer than k answers;
    the first leaf_phase entries of order (the meeting cells) decide the leaves first.
    history carries what earlier publications showed (known to an attacker who kept them) and
    the vectors they had to protect, which stay protected.
    """
    history = history or History()
    rng = random.SystemRandom() if seed is None else random.Random(seed)  # noqa: S311 (seeded only in tests)
    order = list(vectors) if order is None else list(order)
    primary_set = set(primary)
    for _attempt in range(4):
        hidden = _greedy(vectors, primary_set, order, _random_prime(rng), history, leaf_n, k, leaf_phase)
        if not recoverable(vectors, hidden, _random_prime(rng), history):
            return hidden
    raise RuntimeError("suppression audit did not converge; refusing to publish")  # pragma: no cover
