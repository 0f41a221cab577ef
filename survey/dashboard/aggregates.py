"""The dashboard data layer's public names: pages, JSON endpoints, exports and the report call only these.

Each view lives in its own module (trends, participation, items, engagement, reliability,
change, comments, compare, waiting) and reads its cells from the privacy layer (published.py), which
is the only module that reaches the answers; this module just names what views may call.
"""

from __future__ import annotations

from .change import ScaleChange, change
from .comments import CommentsView, comments, mask_contacts, shown_meetings
from .compare import GroupComparison, ScaleComparison, comparison
from .context import Dashboard, choose_grain, group_instruments, load_dashboard, released_group
from .engagement import Engagement, RetentionMonth, engagement
from .items import ItemDistribution, ItemsView, items_view
from .participation import participation
from .periods import Period, ScaleInfo, period_end, periods_at
from .reliability import ScaleReliability, reliability
from .trends import ScaleTrend, group_trends, scale_trend
from .waiting import WaitingMeeting, waiting_meetings

__all__ = [
    "CommentsView",
    "Dashboard",
    "Engagement",
    "GroupComparison",
    "ItemDistribution",
    "ItemsView",
    "Period",
    "RetentionMonth",
    "ScaleChange",
    "ScaleComparison",
    "ScaleInfo",
    "ScaleReliability",
    "ScaleTrend",
    "WaitingMeeting",
    "change",
    "choose_grain",
    "comments",
    "comparison",
    "engagement",
    "group_instruments",
    "group_trends",
    "items_view",
    "load_dashboard",
    "mask_contacts",
    "participation",
    "period_end",
    "periods_at",
    "released_group",
    "reliability",
    "scale_trend",
    "shown_meetings",
    "waiting_meetings",
]
