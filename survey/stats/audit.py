"""Exact secondary suppression: no hidden cell of any measure lies in the linear span of the published cells.

Model. Every cell a view can publish (a meeting, week, month or all time; one language or
all) pools a set of leaf cells (meeting x language). Counts, sums, sums of squares and answer
counts are additive, so a cell of one measure (a scale, a question, the people who answered)
is a 0/1 vector over the leaves that hold answers for that measure, and an attacker holding
the published cells can work out exactly every cell whose vector lies in their span (a month
minus a week minus a meeting, in any combination).

One audit for all the measures of a group. The measures are not independent: a one-question
scale is that question, and where nobody skips, every measure counts the same people at a
meeting. So the unknowns are not per measure but per (meeting x language, n): the caller
gives two measures the same unknown on a leaf where they hold the same number of answers,
assuming the worst, that the attacker knows they are the same quantity there. One basis holds
the published vectors of every measure, and every hidden cell's vector of every measure must
stay out of it, so scales and questions cannot be suppressed over different cells and undo
each other; where measures do differ (a question skipped or not asked), each keeps its own
decision, and a cell small for one measure does not hide the others.

Algorithm (in the spirit of Statistics Norway's GaussSuppression, Langsrud 2019):
1. Primary cells (0 < n < k for a measure) are hidden for that measure.
2. Every other cell is a candidate, taken in the order the caller prefers to publish them
   (finest grain first, then all languages before one language, then larger n first), for
   each measure; measures whose vectors for the cell are equal are decided together.
3. Elimination over the integers modulo a random 61-bit prime, with sparse dict rows: the
   published basis is kept in echelon form, and each guarded vector (a hidden cell's, a
   protected set's) keeps its residual, zero in every pivot column. A candidate is reduced
   to its residual r. If r is zero the candidate is already implied by published cells and
   is published at no cost. Otherwise publishing it adds exactly span(r), so a guarded
   vector becomes recoverable iff its residual is a multiple of r; then the candidate is
   hidden instead (it costs the fewest answers among the cells that would break the
   dependency, since larger and finer cells were preferred earlier). Else it is published
   and every guarded residual is reduced by r.
4. Rank modulo p never exceeds the rational rank, so a wrong answer modulo p can only call a
   candidate "already implied"; the final decision is therefore re-checked from scratch
   with a second random prime (`recoverable`), and the audit reruns with new primes on the
   (negligibly rare) disagreement.
5. Earlier publications count: every vector shown before seeds the basis, and every vector
   once protected stays guarded, so snapshots taken before a late answer, a purge or a
   change of k combine with today's figures into nothing new.
6. Once the meeting cells (offered first) are decided, the hidden leaves under each cell,
   when two or more of them hold fewer than k answers of a measure together, are guarded
   too: a total minus its shown parts must not give the pooled answers of fewer than k
   people either.

In the issue's example (weekly meetings in October, 2 and 5 November, one person on
9 November) this hides the lone meeting, its week, the November month and all time, and
shows every other meeting.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .modular import Basis, Row, random_prime


@dataclass(frozen=True)
class Measure:
    """One measure's cells as vectors of unknowns, with what earlier publications of it showed and protected.

    vectors: cell key -> the unknowns (leaf x n) holding this measure's answers (a cell may be absent).
    primary: the cells with 0 < n < k answers, hidden from the start.
    known: vectors once shown (an attacker may hold them: they join the published basis).
    protect: vectors once hidden as small, which must stay unrecoverable for good.
    """

    vectors: Mapping[Hashable, frozenset[int]]
    primary: frozenset[Hashable] = frozenset()
    known: tuple[frozenset[int], ...] = ()
    protect: tuple[frozenset[int], ...] = ()


class _Pass:
    """One greedy pass modulo p: the published basis and the residual of every guarded vector."""

    def __init__(
        self, measures: Sequence[Measure], unknown_n: Mapping[int, int], p: int, leaf_keys: frozenset[Hashable]
    ) -> None:
        self.measures, self.unknown_n, self.p, self.leaf_keys = measures, unknown_n, p, leaf_keys
        self.basis = Basis(p)
        for measure in measures:
            for vector in measure.known:
                self.basis.insert(self.basis.reduce(vector))
        self.guarded: dict[frozenset[int], Row] = {}
        self.hidden: list[set[Hashable]] = [set() for _ in measures]
        self.hidden_leaves: list[set[int]] = [set() for _ in measures]
        for i, measure in enumerate(measures):
            for vector in measure.protect:
                self.guard(vector)
            for key in measure.primary:
                self.hide(i, key)

    def guard(self, vector: frozenset[int], residual: Row | None = None) -> None:
        """Keep a vector out of the span from now on (one already in it was given away earlier)."""
        if vector and vector not in self.guarded:
            residual = self.basis.reduce(vector) if residual is None else residual
            if residual:
                self.guarded[vector] = residual

    def hide(self, i: int, key: Hashable, residual: Row | None = None) -> None:
        """Hide a cell of measure i."""
        self.hidden[i].add(key)
        vector = self.measures[i].vectors.get(key)
        if vector:
            self.guard(vector, residual)
            if key in self.leaf_keys:
                self.hidden_leaves[i] |= vector

    def guard_pooled(self, k: int) -> None:
        """Guard each pooled remainder of hidden leaves that holds fewer than k answers of a measure."""
        for i, measure in enumerate(self.measures):
            for pooled in {vector & self.hidden_leaves[i] for vector in measure.vectors.values()}:
                if len(pooled) >= 2 and sum(self.unknown_n.get(u, 0) for u in pooled) < k:
                    self.guard(frozenset(pooled))

    def offer(self, key: Hashable) -> None:
        """Publish the cell for every measure unless that would put a guarded vector in the span."""
        by_vector: dict[frozenset[int], list[int]] = {}
        for i, measure in enumerate(self.measures):
            vector = measure.vectors.get(key)
            if vector and key not in self.hidden[i]:
                by_vector.setdefault(vector, []).append(i)
        for vector, which in by_vector.items():
            if vector in self.guarded:  # the same unknowns are hidden for another measure
                for i in which:
                    self.hide(i, key)
                continue
            residual = self.basis.reduce(vector)
            if not residual:
                continue  # implied by published cells already: publishing it tells nothing new
            if any(_is_multiple(r, residual, self.p) for r in self.guarded.values()):
                for i in which:
                    self.hide(i, key, residual)
                continue
            self.basis.insert(residual)
            pivot, row = self.basis.rows[-1]
            for r in self.guarded.values():
                factor = r.get(pivot)
                if factor:
                    Basis.subtract(r, row, factor, self.p)


def _is_multiple(row: Row, of: Row, p: int) -> bool:
    """Whether row == alpha * of for some alpha modulo p (row and of non-zero)."""
    if row.keys() != of.keys():
        return False
    col = next(iter(of))
    alpha = row[col] * pow(of[col], -1, p) % p
    return all(value == alpha * of[c] % p for c, value in row.items())


def _greedy(
    measures: Sequence[Measure],
    unknown_n: Mapping[int, int],
    order: Sequence[Hashable],
    p: int,
    leaf_keys: frozenset[Hashable],
    k: int,
    leaf_phase: int,
) -> tuple[list[set[Hashable]], list[frozenset[int]]]:
    """One pass of the greedy audit modulo p; return each measure's hidden cell keys and every guarded vector."""
    state = _Pass(measures, unknown_n, p, leaf_keys)
    for position, key in enumerate(order):
        if position == leaf_phase:
            state.guard_pooled(k)  # leaves are decided now
        state.offer(key)
    return state.hidden, list(state.guarded)


def recoverable(
    measures: Sequence[Measure], hidden: Sequence[set[Hashable]], guarded: Iterable[frozenset[int]], p: int
) -> list[frozenset[int]]:
    """Return the guarded vectors that lie in the span of every measure's published and earlier shown cells.

    A vector that the earlier publications alone already give away is not counted, since no
    decision now can take it back.
    """
    before, basis = Basis(p), Basis(p)
    known = [vector for measure in measures for vector in measure.known]
    for vector in known:
        before.insert(before.reduce(vector))
    published = {v for m, h in zip(measures, hidden, strict=True) for key, v in m.vectors.items() if key not in h and v}
    for vector in [*known, *published]:
        basis.insert(basis.reduce(vector))
    return [vector for vector in guarded if before.reduce(vector) and not basis.reduce(vector)]


def audit(
    measures: Sequence[Measure],
    unknown_n: Mapping[int, int],
    order: Sequence[Hashable],
    leaf_keys: Iterable[Hashable] = (),
    k: int = 0,
    leaf_phase: int = 0,
    seed: int | None = None,
) -> list[set[Hashable]]:
    """Return, per measure, the cells to hide: its primary ones and the fewest more so none is recoverable.

    unknown_n gives the answers each unknown holds (for the pooled-remainder rule); order is the
    preference to publish (earlier = kept first) over the cell keys of every
    measure; leaf_keys are the cells that are leaves (one meeting, one language) for the
    pooled-remainder rule, decided in the first leaf_phase entries of order; k is the
    threshold of that rule.
    """
    rng = random.SystemRandom() if seed is None else random.Random(seed)  # noqa: S311 (seeded only in tests)
    leaves = frozenset(leaf_keys)
    for _attempt in range(4):
        hidden, guarded = _greedy(measures, unknown_n, order, random_prime(rng), leaves, k, leaf_phase)
        if not recoverable(measures, hidden, guarded, random_prime(rng)):
            return hidden
    raise RuntimeError("suppression audit did not converge; refusing to publish")  # pragma: no cover
