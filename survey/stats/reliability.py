"""Cronbach's alpha, from raw item answers or from the sums a SQL query can return."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from .summary import variance_from_moments


@dataclass(frozen=True, slots=True)
class Alpha:
    """Cronbach's alpha with the complete responses (n) and items (k) it was computed from."""

    value: float
    n: int
    k: int
    n_excluded: int = 0


def alpha_from_variances(k: int, sum_item_variances: float, total_variance: float) -> float | None:
    """Return k/(k-1) * (1 - sum of item variances / variance of the total); None when undefined."""
    if k < 2 or total_variance <= 0.0:
        return None
    alpha = k / (k - 1) * (1.0 - sum_item_variances / total_variance)
    # Alpha cannot exceed 1 (Cauchy-Schwarz); rounding can nudge parallel items to 1 + 1e-16.
    return min(alpha, 1.0)


def cronbach_alpha(rows: Sequence[Sequence[float | None]]) -> Alpha | None:
    """Return Cronbach's alpha of respondents x items, using only rows with every item answered.

    Listwise deletion: a row with any None is left out and counted in n_excluded, because
    alpha's item and total variances must come from the same people. None when there are
    fewer than 2 items, fewer than 2 complete rows, or no variance in the total score.

    :raises ValueError: when rows differ in length or hold NaN or infinite values.
    """
    if not rows:
        return None
    k = len(rows[0])
    if any(len(row) != k for row in rows):
        raise ValueError("every row must have one entry per item")
    complete = [[float(v) for v in row if v is not None] for row in rows if None not in row]
    if not all(math.isfinite(v) for row in complete for v in row):
        raise ValueError("item values must be finite numbers")
    if k < 2 or len(complete) < 2:
        return None
    item_variances = sum(statistics.variance(column) for column in zip(*complete, strict=True))
    total_variance = statistics.variance([sum(row) for row in complete])
    value = alpha_from_variances(k, item_variances, total_variance)
    if value is None:
        return None
    return Alpha(value=value, n=len(complete), k=k, n_excluded=len(rows) - len(complete))


def cronbach_alpha_from_sums(
    n: int,
    item_sums: Sequence[float],
    item_sq_sums: Sequence[float],
    total_sum: float,
    total_sq_sum: float,
) -> Alpha | None:
    """Return Cronbach's alpha from per-item SUM(x), SUM(x*x) and SUM/SUM of squares of row totals.

    All sums must cover the same n complete responses (filter out partly answered ones in
    SQL first), mirroring the listwise deletion of cronbach_alpha.

    :raises ValueError: when item_sums and item_sq_sums differ in length.
    """
    if len(item_sums) != len(item_sq_sums):
        raise ValueError("item_sums and item_sq_sums must have one entry per item")
    k = len(item_sums)
    if k < 2 or n < 2:
        return None
    item_variances = sum(variance_from_moments(n, s, sq) for s, sq in zip(item_sums, item_sq_sums, strict=True))
    value = alpha_from_variances(k, item_variances, variance_from_moments(n, total_sum, total_sq_sum))
    return None if value is None else Alpha(value=value, n=n, k=k)
