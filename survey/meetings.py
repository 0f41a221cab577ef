"""Which meeting a survey answers: the one whose window is open, in the group's timezone.

A window runs from an hour before a meeting starts to 24 hours after, so a survey filled in on
the bus home after midnight still counts for that evening. The meetings are those of the
group's schedule (weekly, fortnightly and one-off lines, survey/schedules.py) and those stored
nearby; a group with no schedule answers for today's local date. The meeting row is created by
the first response when the coordinator did not create it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .groups import ParticipantGroup
from .models import Group, Meeting
from .schedules import ONCE, OPENS_BEFORE, STAYS_OPEN, MeetingSlot, ScheduleEntry, slots_between

if TYPE_CHECKING:
    from .access import ReadGroup

__all__ = [
    "OPENS_BEFORE",
    "STAYS_OPEN",
    "MeetingSlot",
    "current_slot",
    "next_opening",
    "window_closes",
    "window_status",
]


def utc_now() -> dt.datetime:
    """Return the current instant in UTC (every window decision reads the clock here, so tests can move it)."""
    return dt.datetime.now(dt.UTC)


def zone_named(name: str) -> ZoneInfo:
    """Return the named timezone, UTC when the name is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def group_zone(group: ParticipantGroup | Group | ReadGroup) -> ZoneInfo:
    """Return the group's timezone, UTC when the stored name is unknown."""
    return zone_named(group.timezone)


def window_of(slot: MeetingSlot, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Return the (opens, closes) instants of a meeting's window, in UTC."""
    start = dt.datetime.combine(slot.local_date, slot.starts_at or dt.time(0), zone).astimezone(dt.UTC)
    return start - OPENS_BEFORE, start + STAYS_OPEN


def window_closes(meeting: Meeting) -> dt.datetime:
    """Return the instant (UTC) a stored meeting's window closes: its start in its group's zone plus 24 hours.

    The dashboard's release step asks this. A form opened inside the window may still be sent
    later (its token is valid for a week, for phones that were offline) and counts for it.
    """
    return window_of(MeetingSlot(meeting.local_date, meeting.starts_at), zone_named(meeting.group.timezone))[1]


def open_slot(
    *,
    zone: ZoneInfo,
    schedule: Iterable[ScheduleEntry],
    known: Iterable[MeetingSlot],
    now: dt.datetime,
) -> MeetingSlot | None:
    """Return the meeting whose window holds `now` (the latest-starting one), or None.

    With no schedule and no open known meeting, the meeting is today's local date.
    """
    entries = tuple(schedule)
    today = now.astimezone(zone).date()
    day = dt.timedelta(days=1)
    candidates = [*slots_between(entries, today - day, today + day), *known]
    open_now = [slot for slot in candidates if window_of(slot, zone)[0] <= now < window_of(slot, zone)[1]]
    if open_now:
        return max(open_now, key=lambda slot: window_of(slot, zone)[0])
    if not entries:
        return MeetingSlot(today, None)
    return None


# Built once (every participant POST may run it; building a statement costs more than running it).
_MEETING_ID = select(Meeting.id).where(
    Meeting.group_id == bindparam("group_id"), Meeting.local_date == bindparam("local_date")
)


def known_slots(group: ParticipantGroup, around: dt.date) -> list[MeetingSlot]:
    """Return the meetings the coordinator created from the day before `around` to the day after.

    They come with the group's own read (ParticipantGroup.nearby_meetings), not from a query.
    """
    day = dt.timedelta(days=1)
    return [
        MeetingSlot(local_date, starts_at)
        for local_date, starts_at in group.nearby_meetings
        if around - day <= local_date <= around + day
    ]


def current_slot(group: ParticipantGroup, now: dt.datetime | None = None) -> MeetingSlot | None:
    """Return the group's meeting open for answers now, or None when no window is open."""
    now = now or utc_now()
    zone = group_zone(group)
    today = now.astimezone(zone).date()
    return open_slot(zone=zone, schedule=group.schedule, known=known_slots(group, today), now=now)


def find_meeting_id(group_id: int, local_date: dt.date) -> int | None:
    """Return the id of the group's meeting on this date, if it is stored (a read only)."""
    return db.session.connection().execute(_MEETING_ID, {"group_id": group_id, "local_date": local_date}).scalar()


def get_or_create_meeting(group_id: int, slot: MeetingSlot) -> int:
    """Return the id of the group's meeting on this date, creating it inside the caller's write transaction.

    Two first responses at once are settled by the unique (group_id, local_date): the loser of
    the race rolls back its savepoint and reads the winner's row.
    """
    found = find_meeting_id(group_id, slot.local_date)
    if found is not None:
        return found
    meeting = Meeting(group_id=group_id, local_date=slot.local_date, starts_at=slot.starts_at)
    try:
        with db.session.begin_nested():
            db.session.add(meeting)
    except IntegrityError:
        existing = find_meeting_id(group_id, slot.local_date)
        if existing is None:
            raise
        return existing
    return meeting.id


def next_opening(group: ParticipantGroup, now: dt.datetime | None = None) -> dt.datetime | None:
    """Return when the group's next window opens (aware, in the group's zone), or None if none is planned.

    Looks two weeks ahead on the repeating lines, at every one-off to come and at the meetings
    stored nearby.
    """
    now = now or utc_now()
    zone = group_zone(group)
    today = now.astimezone(zone).date()
    repeating = [entry for entry in group.schedule if entry.kind != ONCE]
    one_offs = [MeetingSlot(e.on_date, e.starts_at) for e in group.schedule if e.kind == ONCE and e.on_date]
    candidates = [
        *known_slots(group, today),
        *slots_between(repeating, today, today + dt.timedelta(days=15)),
        *one_offs,
    ]
    openings = [window_of(slot, zone)[0] for slot in candidates]
    future = [opens for opens in openings if opens > now]
    return min(future).astimezone(zone) if future else None


@dataclass(frozen=True)
class WindowStatus:
    """What scanning the group's code meets now: the meeting answers count for, or when the next one opens.

    Times are aware, in the group's zone; both meeting fields are None when the group takes no answers.
    """

    meeting: MeetingSlot | None
    closes: dt.datetime | None  # when the open meeting's window closes
    opens_next: dt.datetime | None  # when no meeting is open: the next window's opening, if one is planned


def window_status(group: ParticipantGroup, now: dt.datetime | None = None) -> WindowStatus:
    """Return the group's window now, as the participant page decides it (the "now" screen, the group page)."""
    now = now or utc_now()
    if not group.accepts_answers:
        return WindowStatus(None, None, None)
    zone = group_zone(group)
    slot = current_slot(group, now)
    if slot is None:
        return WindowStatus(None, None, next_opening(group, now))
    return WindowStatus(slot, window_of(slot, zone)[1].astimezone(zone), None)


def window_closes_at(group: ParticipantGroup | Group | ReadGroup, meeting: Meeting | MeetingSlot) -> dt.datetime:
    """Return when this meeting's answer window closes (UTC), as window_closes does: what release waits for."""
    return window_of(MeetingSlot(meeting.local_date, meeting.starts_at), group_zone(group))[1]
