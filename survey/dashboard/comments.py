"""Comments: the free-text answers of one period, masked, from meetings whose own cell is shown."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

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
        return CommentsView(grain, None, [], 0, [], _("There are no responses yet."))
    chosen = periods[starts.index(period)]
    if chosen.suppressed:
        return CommentsView(
            grain,
            period,
            starts,
            chosen.n,
            [],
            withheld(grain, chosen.n, dashboard.k),
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


def withheld(grain: str, n: int, k: int) -> str:
    """Say why a period's comments are not shown: it has fewer than k people, or its results are hidden."""
    if grain == "week":
        return ngettext(
            "This week has %(num)d person; comments appear when a week has at least %(k)d "
            "(and its results can be shown).",
            "This week has %(num)d people; comments appear when a week has at least %(k)d "
            "(and its results can be shown).",
            n,
            k=k,
        )
    if grain == "month":
        return ngettext(
            "This month has %(num)d person; comments appear when a month has at least %(k)d "
            "(and its results can be shown).",
            "This month has %(num)d people; comments appear when a month has at least %(k)d "
            "(and its results can be shown).",
            n,
            k=k,
        )
    return ngettext(
        "This meeting has %(num)d person; comments appear when a meeting has at least %(k)d "
        "(and its results can be shown).",
        "This meeting has %(num)d people; comments appear when a meeting has at least %(k)d "
        "(and its results can be shown).",
        n,
        k=k,
    )
