"""Participation: people per period at the dashboard's grain (counts reveal no answer, so n is always shown)."""

from __future__ import annotations

from .context import Dashboard
from .periods import Period, periods_at


def participation(dashboard: Dashboard) -> list[Period]:
    """Responses per period at the dashboard's grain (n is always shown; it reveals no answer)."""
    return periods_at(
        dashboard.response_cells, dashboard.grain, dashboard.locale_key, dashboard.filters, counts_only=True
    )


def period_starts(dashboard: Dashboard) -> list[Period]:
    """Return the periods with a start at the dashboard's grain (what items and comments let people pick)."""
    return [p for p in participation(dashboard) if p.start is not None]
