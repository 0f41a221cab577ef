"""Engagement: people per held meeting, meetings with any response, and return visits of participant codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from . import published
from .context import Dashboard
from .periods import in_range


@dataclass(frozen=True)
class RetentionMonth:
    """Participant codes active in a month and how many answered again in a later month."""

    month: dt.date
    n: int
    returned: int | None  # None when hidden (fewer than k codes) or too early to tell
    note: str

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON/CSV form."""
        return {"month": self.month.isoformat(), "n": self.n, "returned": self.returned, "note": self.note}


@dataclass(frozen=True)
class Engagement:
    """Responses per held meeting, meetings with any response, and return visits of participant codes."""

    meetings: list[tuple[dt.date, int]]
    meetings_with_response: int
    retention: list[RetentionMonth]


def engagement(dashboard: Dashboard) -> Engagement:
    """Return the group's engagement figures in the date range.

    Rule: responses per meeting are counts (they reveal no answer) and are always shown;
    a month's return rate is shown only when at least k participant codes answered that
    month, and the latest month is "too early to tell" because nobody could come back yet.
    """
    f = dashboard.filters
    meetings = [(day, n) for day, n in published.meeting_counts(dashboard.group.id) if f.includes(day)]
    months = published.returning_by_month(dashboard.group.id)
    retention = []
    for index, r in enumerate(months):
        n = int(r.n)
        if n < dashboard.k:
            retention.append(RetentionMonth(r.month, n, None, _("fewer than %(k)d participant codes", k=dashboard.k)))
        elif index == len(months) - 1:
            retention.append(RetentionMonth(r.month, n, None, _("too early to tell")))
        else:
            retention.append(RetentionMonth(r.month, n, int(r.returned), ""))
    retention = [m for m in retention if in_range(f, m.month, "month")]
    return Engagement(meetings, sum(1 for _, n in meetings if n > 0), retention)
