"""Mean, SD and a Student's t confidence interval, from raw values or from SQL sums."""

from __future__ import annotations

import math
import statistics
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .distributions import t_quantile

CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class Summary:
    """n, mean, sample SD and 95% CI of the mean; sd and the CI are None when n == 1."""

    n: int
    mean: float
    sd: float | None
    ci_low: float | None
    ci_high: float | None


def _from_variance(n: int, mean: float, variance: float) -> Summary:
    """Build a Summary from n >= 1, the mean and the sample variance."""
    if n == 1:
        # One answer has no spread and no interval; showing 0 would claim false precision.
        return Summary(n=1, mean=mean, sd=None, ci_low=None, ci_high=None)
    sd = math.sqrt(variance)
    half_width = t_quantile(0.5 + CONFIDENCE / 2, n - 1) * sd / math.sqrt(n)
    return Summary(n=n, mean=mean, sd=sd, ci_low=mean - half_width, ci_high=mean + half_width)


def variance_from_moments(n: int, total: float, total_sq: float) -> float:
    """Return the sample variance (ddof=1) of n >= 2 values from their sum and sum of squares.

    The subtraction cancels catastrophically when the spread is tiny next to the mean, and
    SQL sums carry rounding of about n * eps * total_sq; anything below that is noise
    (sometimes negative), so it is reported as exactly 0.
    """
    centred = total_sq - total * (total / n)
    noise = 4.0 * n * sys.float_info.epsilon * abs(total_sq)
    return centred / (n - 1) if centred > noise else 0.0


def _check_count(n: int) -> None:
    """Reject counts that cannot come from a GROUP BY."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")


def summarize(values: Sequence[float]) -> Summary | None:
    """Summarize raw values; None when there are none.

    :raises ValueError: when a value is NaN or infinite.
    """
    if not values:
        return None
    if not all(math.isfinite(v) for v in values):
        raise ValueError("values must be finite numbers")
    n = len(values)
    mean = statistics.fmean(values)
    # statistics.variance works in exact fractions, so this is the reference result.
    return _from_variance(n, mean, statistics.variance(values) if n > 1 else 0.0)


def summary_from_moments(n: int, total: float, total_sq: float) -> Summary | None:
    """Summarize from COUNT, SUM and SUM of squares as a SQL GROUP BY returns them; None when n == 0.

    :raises ValueError: when n is negative or not an integer.
    """
    _check_count(n)
    if n == 0:
        return None
    mean = total / n
    return _from_variance(n, mean, variance_from_moments(n, total, total_sq) if n > 1 else 0.0)


def pool_summaries(summaries: Iterable[Summary | None]) -> Summary | None:
    """Combine summaries of disjoint sets of answers into one, skipping None; None if nothing is left."""
    parts = [s for s in summaries if s is not None]
    n = sum(s.n for s in parts)
    if n == 0:
        return None
    mean = sum(s.n * s.mean for s in parts) / n
    if n == 1:
        return _from_variance(1, mean, 0.0)
    # Within-part plus between-part sums of squares: stabler than re-forming raw moments.
    within = sum((s.n - 1) * (s.sd or 0.0) ** 2 for s in parts)
    between = sum(s.n * (s.mean - mean) ** 2 for s in parts)
    return _from_variance(n, mean, (within + between) / (n - 1))
