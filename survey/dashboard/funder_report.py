"""The printable report's own facts: who it is for, the period in words, and people and questionnaires apart.

Every figure comes from the aggregate layer (already suppressed); this module only counts and
words them, in the locale Flask-Babel has in force (the report view sets the group's language).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, format_time
from flask_babel import get_locale
from flask_babel import gettext as _

from . import aggregates, published


def period_in_words(start: dt.date | None, end: dt.date | None, locale: str) -> str:
    """Return a date range as words in the locale ("September 1 to November 30, 2026"); '' without dates."""
    if start is None or end is None:
        return ""
    if start == end:
        return format_date(start, "long", locale=locale)
    first = (
        format_skeleton("MMMMd", start, locale=locale)
        if start.year == end.year
        else format_date(start, "long", locale=locale)
    )
    return _("%(start)s to %(end)s", start=first, end=format_date(end, "long", locale=locale))


def generated_in_words(now: dt.datetime, timezone: str, locale: str) -> str:
    """Return the moment of generation in the group's time zone, with the zone named."""
    local = now.astimezone(ZoneInfo(timezone))
    day = format_date(local, "long", locale=locale)
    return _(
        "%(date)s at %(time)s (%(zone)s)", date=day, time=format_time(local, "short", locale=locale), zone=timezone
    )


@dataclass(frozen=True)
class Questionnaires:
    """How many of one instrument's questionnaires were filled in over the report's period."""

    instrument_id: str
    title: str
    count: int


@dataclass(frozen=True)
class ReportFacts:
    """The report's heading facts: organisation, period, generation time, and the two counts kept apart."""

    organisation: str
    period: str
    first_meeting: dt.date | None
    last_meeting: dt.date | None
    generated: str
    people: int
    questionnaires: list[Questionnaires]
    meetings_held: int
    meetings_with_answers: int

    @property
    def questionnaire_total(self) -> int:
        """Return every questionnaire filled in, whatever its instrument (a person may fill in several)."""
        return sum(q.count for q in self.questionnaires)


def _meeting_counts(dashboard: aggregates.Dashboard) -> list[aggregates.Period]:
    """Return the people counted at each meeting of the range (a count reveals no answer; always shown).

    The participation of the dashboard at the meeting grain, from the cells the dashboard already read.
    """
    periods = aggregates.periods_at(
        dashboard.response_cells, "meeting", dashboard.locale_key, dashboard.filters, counts_only=True
    )
    return [p for p in periods if p.start is not None and p.n > 0]


def questionnaires(dashboard: aggregates.Dashboard, counted: list[aggregates.Period]) -> list[Questionnaires]:
    """Count each shown instrument's questionnaires filled in at the meetings the report covers (counted)."""
    locale = str(get_locale() or "en")
    meetings = [p.start for p in counted if p.start is not None]
    found = []
    for instrument, _ids in dashboard.shown_instruments():
        count = published.questionnaires_answered(dashboard.group.id, instrument.id, meetings, dashboard.locale_key)
        found.append(Questionnaires(instrument.id, instrument.text(instrument.title, locale), count))
    return found


def report_facts(dashboard: aggregates.Dashboard, organisation: str, now: dt.datetime) -> ReportFacts:
    """Gather the report's heading facts for the dashboard's filters.

    Rule: the period is the date filter when both ends are set, else the first to the last
    meeting with answers inside it; people are sendings of the form (one per person per
    meeting), questionnaires are counted per instrument, so the two are never confused.
    """
    locale = str(get_locale() or "en")
    meetings = _meeting_counts(dashboard)
    f = dashboard.filters
    first = f.start or (meetings[0].start if meetings else None)
    last = f.end or (meetings[-1].start if meetings else None)
    held = [day for day, _n in aggregates.engagement(dashboard).meetings]
    return ReportFacts(
        organisation=organisation.strip(),
        period=period_in_words(first, last, locale),
        first_meeting=meetings[0].start if meetings else None,
        last_meeting=meetings[-1].start if meetings else None,
        generated=generated_in_words(now, dashboard.group.timezone, locale),
        people=sum(p.n for p in meetings),
        questionnaires=questionnaires(dashboard, meetings),
        meetings_held=len(held),
        meetings_with_answers=len(meetings),
    )
