"""A group's meeting schedule: weekly, fortnightly and one-off meetings, and when they meet.

Pure logic, no Flask and no database: which local dates a schedule meets on, and whether two of
its meetings' answer windows overlap. A window runs from an hour before a meeting starts to 24
hours after (survey/meetings.py turns it into instants in the group's time zone); two meetings
whose windows overlap would leave a participant's answer between two meetings, so a schedule
with any such pair is refused. Overlaps are judged on the group's local clock, so a daylight
saving change never makes a weekly schedule valid in one week and refused in another.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OPENS_BEFORE = dt.timedelta(hours=1)
STAYS_OPEN = dt.timedelta(hours=24)
WINDOW = OPENS_BEFORE + STAYS_OPEN  # two meetings must start at least this far apart
WEEKLY, FORTNIGHTLY, ONCE = "weekly", "fortnightly", "once"
KINDS = (WEEKLY, FORTNIGHTLY, ONCE)
REPEATS = (WEEKLY, FORTNIGHTLY)
MAX_ENTRIES = 12
ONE_OFF_HORIZON = dt.timedelta(days=731)  # a one-off date at most two years ahead


@dataclass(frozen=True)
class MeetingSlot:
    """A meeting occurrence: its local date and start time (None when it has no set time)."""

    local_date: dt.date
    starts_at: dt.time | None


@dataclass(frozen=True)
class ScheduleEntry:
    """One line of a schedule: a weekly or fortnightly meeting (weekday, time), or a one-off (date, time).

    A fortnightly meeting meets on the weeks of `on_date` (one of its dates), every other week,
    before and after it; a one-off meets on `on_date` only.
    """

    kind: str
    starts_at: dt.time
    weekday: int | None = None  # 0 = Monday; weekly and fortnightly
    on_date: dt.date | None = None  # fortnightly: one of its dates; once: its date

    def meets_on(self, day: dt.date) -> bool:
        """Tell whether this entry has a meeting on this local date."""
        if self.kind == ONCE:
            return day == self.on_date
        if day.weekday() != self.weekday:
            return False
        return self.kind == WEEKLY or (self.on_date is not None and (day - self.on_date).days % 14 == 0)

    @property
    def sort_key(self) -> tuple[int, dt.date, int, dt.time]:
        """Repeating meetings first by weekday and time, then one-offs by date."""
        return (KINDS.index(self.kind) // 2, self.on_date or dt.date.min, self.weekday or 0, self.starts_at)


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Return every date from `first` to `last`, both included."""
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def slots_between(entries: Iterable[ScheduleEntry], first: dt.date, last: dt.date) -> list[MeetingSlot]:
    """Return the schedule's meetings from `first` to `last` (local dates), in order."""
    days = days_between(first, last)
    slots = {MeetingSlot(day, entry.starts_at) for entry in entries for day in days if entry.meets_on(day)}
    return sorted(slots, key=lambda slot: (slot.local_date, slot.starts_at or dt.time(0)))


@dataclass(frozen=True)
class Overlap:
    """Two meetings of a schedule whose answer windows overlap: the entries and their local starts."""

    first: ScheduleEntry
    first_start: dt.datetime
    second: ScheduleEntry
    second_start: dt.datetime


def first_overlap(entries: Sequence[ScheduleEntry], today: dt.date) -> Overlap | None:
    """Return the first two meetings whose windows overlap, or None.

    Repeating meetings repeat every 14 days, so looking from before the earliest one-off (or
    today) to two weeks after the latest one finds every overlap there can ever be.
    """
    dates = [today, *(entry.on_date for entry in entries if entry.kind == ONCE and entry.on_date)]
    days = days_between(min(dates) - dt.timedelta(days=2), max(dates) + dt.timedelta(days=16))
    starts = sorted(
        (
            (dt.datetime.combine(day, entry.starts_at), index)
            for index, entry in enumerate(entries)
            for day in days
            if entry.meets_on(day)
        ),
    )
    for (start, index), (later, later_index) in itertools.pairwise(starts):
        if later - start < WINDOW:
            return Overlap(entries[index], start, entries[later_index], later)
    return None
