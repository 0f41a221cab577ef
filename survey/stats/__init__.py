"""Pure statistics for dashboards: summaries, suppression, reliability, change and trends."""

from .change import (
    ChangeClass,
    ChangeShares,
    change_shares,
    classify_change,
    reliable_change_index,
)
from .distributions import t_quantile
from .reliability import Alpha, alpha_from_variances, cronbach_alpha, cronbach_alpha_from_sums
from .summary import Summary, pool_summaries, summarize, summary_from_moments
from .suppression import (
    MIN_K,
    Cell,
    HiddenReason,
    effective_k,
    suppress_small_cells,
)
from .trend import TrendDirection, flag_not_changing, trend_direction

__all__ = [
    "MIN_K",
    "Alpha",
    "Cell",
    "ChangeClass",
    "ChangeShares",
    "HiddenReason",
    "Summary",
    "TrendDirection",
    "alpha_from_variances",
    "change_shares",
    "classify_change",
    "cronbach_alpha",
    "cronbach_alpha_from_sums",
    "effective_k",
    "flag_not_changing",
    "pool_summaries",
    "reliable_change_index",
    "summarize",
    "summary_from_moments",
    "suppress_small_cells",
    "t_quantile",
    "trend_direction",
]
