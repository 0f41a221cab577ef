"""How narrowly can an attacker bound a hidden cell? A linear-programming interval audit (HiGHS).

The exact audit (survey/stats/audit.py) guarantees that no hidden cell's count or sum is a
linear combination of published ones. This measures the next question of the statistical offices
(tau-Argus' "protection intervals"): given every published cell's count and sum, and that each
answer lies in [low, high], what are the tightest bounds on a hidden cell's count and sum?

Unknowns per leaf (meeting x language): its count n >= 0 and sum s, with low*n <= s <= high*n.
Each published cell adds two equalities: the sum of its leaves' n, and of their s. For each hidden
cell, four LPs (min and max of its count and of its sum). The LP relaxation lets counts be
fractional, so an attacker who also uses integrality can sometimes do a little better; a width of 0
would mean exact recovery, which the exact audit already rules out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np


@dataclass(frozen=True)
class Interval:
    """Bounds an attacker can prove on one hidden cell, with its true values."""

    count_low: float
    count_high: float
    sum_low: float
    sum_high: float
    true_count: int
    true_sum: float


def intervals(
    leaves: Sequence[tuple[int, float]],
    published: Sequence[frozenset[int]],
    hidden: Sequence[frozenset[int]],
    low: float,
    high: float,
) -> list[Interval]:
    """Return the tightest bounds on each hidden cell's count and sum.

    :param leaves: each leaf's true (count, sum); used only to compute what is published
    :param published: the leaf indices of each published cell (its count and sum are known)
    :param hidden: the leaf indices of each hidden cell
    """
    size = len(leaves)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    for _ in range(size):  # counts n_0..n_{size-1}, then sums s_0..s_{size-1}
        h.addVar(0, inf)
    for _ in range(size):
        h.addVar(-inf, inf)
    for i in range(size):
        h.addRow(0, inf, 2, np.array([size + i, i], dtype=np.int32), np.array([1.0, -low]))
        h.addRow(-inf, 0, 2, np.array([size + i, i], dtype=np.int32), np.array([1.0, -high]))
    for cell in published:
        members = sorted(cell)
        count = float(sum(leaves[i][0] for i in members))
        total = float(sum(leaves[i][1] for i in members))
        ones = np.ones(len(members))
        h.addRow(count, count, len(members), np.array(members, dtype=np.int32), ones)
        h.addRow(total, total, len(members), np.array([size + i for i in members], dtype=np.int32), ones)
    found = []
    for cell in hidden:
        members = sorted(cell)
        bounds = []
        for offset in (0, size):  # the cell's count, then its sum
            columns = np.array([offset + i for i in members], dtype=np.int32)
            for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                h.changeColsCost(2 * size, np.arange(2 * size, dtype=np.int32), np.zeros(2 * size))
                h.changeColsCost(len(members), columns, np.ones(len(members)))
                h.changeObjectiveSense(sense)
                h.run()
                status = h.getModelStatus()
                if status == highspy.HighsModelStatus.kOptimal:
                    bounds.append(h.getInfo().objective_function_value)
                else:  # unbounded: no limit from the published cells
                    bounds.append(-inf if sense == highspy.ObjSense.kMinimize else inf)
        found.append(
            Interval(
                bounds[0],
                bounds[1],
                bounds[2],
                bounds[3],
                sum(leaves[i][0] for i in members),
                sum(leaves[i][1] for i in members),
            )
        )
    return found
