"""The engagement chart: people per held meeting, and the share of participant codes that came back."""

from __future__ import annotations

import functools

from babel import Locale
from flask_babel import gettext as _

from ..aggregates import Engagement, Period, RetentionMonth
from ..wording import babel_locale, format_day
from .axes import count_axis, date_axis
from .bars import lone_bar_width
from .figure import UncheckedFigure, unchecked_figure
from .labels import PeriodLabels
from .layout import column_grid, empty_message, merged, on_row, with_base_look
from .style import BLUE, esc, rounded


def engagement_figure(engagement: Engagement) -> UncheckedFigure:
    """Responses per held meeting (zeros included) and, for participant codes, the share who came back."""
    titles = [esc(_("People per meeting")), esc(_("Participant codes that answered again in a later month"))]
    layout = column_grid(titles, 0.18)
    locale = babel_locale()
    labels = PeriodLabels("meeting", locale)  # a meeting's tick and its hover name it the same way
    people_words = esc(_("%(period)s: %(n)d people"))  # translated once, filled per meeting
    people = {
        "type": "bar",
        "x": [d.isoformat() for d, _ in engagement.meetings],
        "y": [n for _day, n in engagement.meetings],
        "marker": {"color": BLUE},
        "name": _("People"),
        "hovertext": [people_words % {"period": esc(labels[d]), "n": n} for d, n in engagement.meetings],
        "hoverinfo": "text",
        **lone_bar_width(len(engagement.meetings), "meeting"),
    }
    months = engagement.retention
    returned = {
        "type": "bar",
        "x": [format_day(m.month, "MMM y", locale) for m in months],
        "y": [rounded(100.0 * m.returned / m.n) if m.returned is not None and m.n else None for m in months],
        "marker": {"color": "#2166ac"},
        "name": _("Came back (%)"),
        "hovertext": [_retention_hover(m, locale) for m in months],
        "hoverinfo": "text",
    }
    meetings = [Period(start=d, n=n, summary=None, hidden_because=None) for d, n in engagement.meetings]
    axis = date_axis(meetings, "meeting", labels)
    axis.pop("type")
    merged(layout["xaxis"], {"type": "date", **axis})
    merged(layout["yaxis"], count_axis([n for _day, n in engagement.meetings], _("People")))
    merged(layout["yaxis2"], {"title": {"text": "%"}, "range": [0, 100]})
    merged(layout["xaxis2"], {"type": "category", "title": {"text": _("Month")}})
    layout |= {"height": 560, "showlegend": False}
    if not engagement.meetings:
        layout["annotations"] = [*layout.get("annotations", []), empty_message(_("No meetings in this period"))]
    return unchecked_figure([on_row(people, 1), on_row(returned, 2)], with_base_look(layout))


@functools.lru_cache(maxsize=16)
def _retention_words(locale: str) -> tuple[str, str]:
    """Return the two phrases of a month's hover, translated and escaped once (filled in per month)."""
    return esc(_("%(month)s: %(returned)d of %(n)d codes came back")), esc(_("%(month)s: %(n)d codes (%(note)s)"))


def _retention_hover(month: RetentionMonth, locale: Locale) -> str:
    """Return a month's hover text: how many codes came back, or why that is not shown."""
    came_back, codes = _retention_words(str(locale))
    name = esc(format_day(month.month, "MMMM y", locale))
    if month.returned is not None:
        return came_back % {"month": name, "returned": month.returned, "n": month.n}
    return codes % {"month": name, "n": month.n, "note": esc(month.note)}
