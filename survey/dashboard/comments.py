"""Comments: the free-text answers of one period, masked, from meetings whose own cell is shown."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..instruments import ITEM_TYPES
from . import published
from .context import Dashboard
from .items import chosen_period
from .participation import period_starts
from .periods import period_end, periods_at

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{5,}\d(?!\w)")


def mask_contacts(text: str) -> str:
    """Replace e-mail addresses and phone numbers (7+ digits with separators) before display."""
    text = EMAIL.sub("[e-mail removed]", text)
    return PHONE.sub(lambda m: "[phone removed]" if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text)


@dataclass(frozen=True)
class CommentsView:
    """The free-text answers of one period, or why they are withheld."""

    grain: str
    period: dt.date | None
    periods: list[dt.date]
    n: int
    comments: list[tuple[dt.date | None, str]]  # the date only in the meeting view
    withheld: str


def comments(dashboard: Dashboard) -> CommentsView:
    """Return the period's free-text answers, newest meeting first, masked; none below k responses.

    Rule: the period (period=YYYY-MM-DD at the grain, default the latest) must hold at least
    k responses and its response count must not be suppressed; otherwise nothing is returned.

    :raises BadRequest: when the period asked for has no responses.
    """
    grain = dashboard.grain
    periods = period_starts(dashboard)
    starts = [p.start for p in periods if p.start is not None]
    period = chosen_period(dashboard, starts)
    if period is None:
        return CommentsView(grain, None, [], 0, [], "There are no responses yet.")
    chosen = periods[starts.index(period)]
    if chosen.suppressed:
        return CommentsView(
            grain,
            period,
            starts,
            chosen.n,
            [],
            f"This {grain} has {chosen.n} responses; comments appear when a {grain} has at least "
            f"{dashboard.k} (and its results can be shown).",
        )
    text_items = sorted(
        {
            item.id
            for instrument, _ in dashboard.shown_instruments()
            for item in instrument.items
            if ITEM_TYPES[item.type].sensitive
        }
    )
    locale = None if dashboard.filters.locale == "*" else dashboard.filters.locale
    rows = published.comment_texts(
        dashboard.group.id, text_items, period, period_end(period, grain), shown_meetings(dashboard), locale
    )
    dated = grain == "meeting"  # a date per comment in a week or month would name its meeting
    return CommentsView(
        grain, period, starts, chosen.n, [(day if dated else None, mask_contacts(text)) for day, text in rows], ""
    )


def shown_meetings(dashboard: Dashboard) -> list[dt.date]:
    """Return the meetings whose own cell is shown under the filters in force (language included)."""
    cells = periods_at(dashboard.response_cells, "meeting", dashboard.locale_key, dashboard.filters, counts_only=True)
    return [cell.start for cell in cells if cell.start is not None and not cell.suppressed]
