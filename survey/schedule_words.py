"""A schedule in plain, translated words: its rules (with messages for the coordinator) and its description.

survey/schedules.py decides what a schedule meets on; this module says it, in the current
locale (the coordinator's; the poster forces the group's languages with Babel's force_locale).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from babel.dates import format_date, format_datetime, get_day_names
from flask_babel import get_locale
from flask_babel import gettext as _

from .schedules import (
    FORTNIGHTLY,
    KINDS,
    MAX_ENTRIES,
    ONCE,
    ONE_OFF_HORIZON,
    REPEATS,
    WEEKLY,
    ScheduleEntry,
    first_overlap,
)


class ScheduleError(ValueError):
    """A schedule that cannot be stored; the message says what to change."""


def _locale() -> str:
    return str(get_locale() or "en")


def day_name(weekday: int) -> str:
    """Return the weekday's name in the current locale ("Monday", "lunes")."""
    return str(get_day_names("wide", locale=_locale())[weekday])


def date_words(day: dt.date) -> str:
    """Return a date in full in the current locale ("Saturday, December 12, 2026")."""
    return format_date(day, "full", locale=_locale())


def hour(time: dt.time) -> str:
    """Return a time of day on the 24-hour clock ("19:00"), as every supported language writes it."""
    return time.strftime("%H:%M")


def moment_words(when: dt.datetime) -> str:
    """Return an aware instant in its own zone (the group's), in the current locale ("Monday 30 November, 18:00",
    "lunes 30 de noviembre, 18:00"): the pattern is in the catalogue, as languages join these words differently."""
    return format_datetime(when, _("EEEE d MMMM, HH:mm"), tzinfo=when.tzinfo, locale=_locale())


def describe(entry: ScheduleEntry) -> str:
    """Describe one schedule line: "Every Monday at 19:00", "Every other Thursday at 18:30 (...)", a one-off's date."""
    if entry.kind == WEEKLY and entry.weekday is not None:
        return _("Every %(day)s at %(time)s", day=day_name(entry.weekday), time=hour(entry.starts_at))
    if entry.kind == FORTNIGHTLY and entry.weekday is not None and entry.on_date is not None:
        return _(
            "Every other %(day)s at %(time)s (the weeks of %(date)s)",
            day=day_name(entry.weekday),
            time=hour(entry.starts_at),
            date=date_words(entry.on_date),
        )
    return _("Once, on %(date)s at %(time)s", date=date_words(entry.on_date or dt.date.min), time=hour(entry.starts_at))


def describe_schedule(entries: Sequence[ScheduleEntry]) -> str:
    """Describe a whole schedule in one line (the groups list, the poster)."""
    if not entries:
        return _("No fixed schedule: open every day")
    return "; ".join(describe(entry) for entry in entries)


def window_words(entry: ScheduleEntry) -> str:
    """Say when answers count for this line's meetings: "from Monday 18:00 to Tuesday 19:00"."""
    start = dt.datetime.combine(entry.on_date or dt.date(2026, 1, 5 + (entry.weekday or 0)), entry.starts_at)
    opens, closes = start - dt.timedelta(hours=1), start + dt.timedelta(hours=24)
    if entry.kind == ONCE:
        return _(
            "answers count from %(opens)s to %(closes)s",
            opens=f"{date_words(opens.date())} {hour(opens.time())}",
            closes=f"{date_words(closes.date())} {hour(closes.time())}",
        )
    return _(
        "answers count from %(opens)s to %(closes)s",
        opens=f"{day_name(opens.weekday())} {hour(opens.time())}",
        closes=f"{day_name(closes.weekday())} {hour(closes.time())}",
    )


def window_rule() -> str:
    """The answer window, explained in one plain sentence."""
    return _(
        "Participants can answer from an hour before each meeting until 24 hours after it starts, in the "
        "group's time zone; their answers count for that meeting. A group with no meeting set is open every "
        "day, for that day's meeting. Two meetings must start at least 25 hours apart, so that every answer "
        "belongs to one meeting."
    )


def check_schedule(entries: Sequence[ScheduleEntry], today: dt.date, kept: Sequence[ScheduleEntry] = ()) -> None:
    """Check a schedule: known kinds and weekdays, sensible dates, and no two overlapping windows.

    `today` is the group's local date; a one-off before it is refused unless it is in `kept`
    (already stored, so a past one-off does not block saving other changes).

    :raises ScheduleError: saying which line is wrong and what to do.
    """
    if len(entries) > MAX_ENTRIES:
        raise ScheduleError(_("A schedule has at most %(num)d meetings.", num=MAX_ENTRIES))
    for entry in entries:
        check_entry(entry, today, kept)
    overlap = first_overlap(entries, today)
    if overlap is not None:
        raise ScheduleError(
            _(
                "%(first)s and %(second)s are too close: their answer windows overlap (a window opens an hour "
                "before a meeting and stays open 24 hours after it starts). Start them at least 25 hours apart.",
                first=f"{date_words(overlap.first_start.date())} {hour(overlap.first_start.time())}",
                second=f"{date_words(overlap.second_start.date())} {hour(overlap.second_start.time())}",
            )
        )


def check_entry(entry: ScheduleEntry, today: dt.date, kept: Sequence[ScheduleEntry]) -> None:
    """Check one schedule line on its own.

    :raises ScheduleError: saying what is wrong with it.
    """
    if entry.kind not in KINDS:
        raise ScheduleError(_("Choose every week, every other week, or a one-off date."))
    if entry.kind in REPEATS and entry.weekday not in range(7):
        raise ScheduleError(_("Choose a day of the week, from Monday to Sunday."))
    if entry.kind == FORTNIGHTLY:
        if entry.on_date is None:
            raise ScheduleError(_("For a meeting every other week, give the date of one of its meetings."))
        if entry.on_date.weekday() != entry.weekday:
            raise ScheduleError(
                _(
                    "%(date)s is not a %(day)s: give a date on which this meeting meets.",
                    date=date_words(entry.on_date),
                    day=day_name(entry.weekday or 0),
                )
            )
    if entry.kind == ONCE:
        if entry.on_date is None:
            raise ScheduleError(_("Give the date of the one-off meeting."))
        if entry.on_date < today and entry not in kept:
            raise ScheduleError(
                _(
                    "%(date)s is in the past: a one-off meeting needs a date from today on.",
                    date=date_words(entry.on_date),
                )
            )
        if entry.on_date > today + ONE_OFF_HORIZON:
            raise ScheduleError(_("Choose a one-off date within the next two years."))
