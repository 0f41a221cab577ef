"""A trend's direction and a worsening flag for a group's scale scores over time (words: dashboard/trend_words.py)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Literal

from .distributions import t_quantile
from .summary import Summary, pool_summaries

TrendDirection = Literal["risen", "fallen", "same", "too_little"]

# Fewer shown periods than this cannot give two halves of at least two periods each.
MIN_TREND_PERIODS = 4


def trend_direction(periods: Sequence[tuple[str, Summary | None]]) -> TrendDirection:
    """Compare the pooled first and second halves of the shown periods by their 95% CIs.

    Rule: suppressed periods (None) are skipped; with fewer than 4 shown periods the answer
    is "too_little". Otherwise the shown periods are split into an earlier and a later
    half of equal length (the middle one is left out when the count is odd), each half's
    answers are pooled, and the score has "risen" or "fallen" only when the two halves'
    95% confidence intervals do not overlap, else it is "same". Non-overlap is a strict
    test (stricter than p < 0.05) and answers from the same people in different weeks
    are treated as independent, so this errs towards "about the same".
    """
    shown = [summary for _, summary in periods if summary is not None]
    if len(shown) < MIN_TREND_PERIODS:
        return "too_little"
    half = len(shown) // 2
    early, late = pool_summaries(shown[:half]), pool_summaries(shown[-half:])
    if early is None or late is None or early.ci_low is None or late.ci_low is None:
        return "too_little"
    assert early.ci_high is not None and late.ci_high is not None
    if late.ci_low > early.ci_high:
        return "risen"
    if late.ci_high < early.ci_low:
        return "fallen"
    return "same"


def flag_not_changing(
    period_means: Sequence[float | None],
    higher_is_better: bool = True,
    window: int = 3,
    min_baseline: int = 4,
) -> bool:
    """Return True when the latest rolling mean has moved outside the group's own earlier band on the worse side.

    Rule: suppressed periods (None) are skipped. The rolling mean of the last `window`
    period means is compared with the baseline, i.e. all earlier period means (at least
    `min_baseline` of them, else False). The band is a 95% prediction interval for a mean
    of `window` further periods from a stable baseline: baseline mean +/- t(0.975, m-1) *
    baseline SD * sqrt(1/window + 1/m). The flag is raised only below the band when higher
    is better, or above it when lower is better, so about 2.5% of stable groups are flagged.

    :raises ValueError: when window < 1 or min_baseline < 2.
    """
    if window < 1 or min_baseline < 2:
        raise ValueError("window must be at least 1 and min_baseline at least 2")
    values = [mean for mean in period_means if mean is not None]
    if len(values) < window + min_baseline:
        return False
    baseline, recent = values[:-window], values[-window:]
    m = len(baseline)
    centre = statistics.fmean(baseline)
    half_width = t_quantile(0.975, m - 1) * statistics.stdev(baseline) * math.sqrt(1 / window + 1 / m)
    rolling = statistics.fmean(recent)
    if higher_is_better:
        return rolling < centre - half_width
    return rolling > centre + half_width
