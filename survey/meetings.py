"""Which meeting a survey answers: the one whose window is open, in the group's timezone.

A window runs from an hour before a meeting starts to 24 hours after, so a survey filled in on
the bus home after midnight still counts for that evening. A group with no schedule answers for
today's local date. The meeting row is created by the first response when the coordinator did
not create it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .groups import ParticipantGroup
from .models import Group, Meeting

OPENS_BEFORE = dt.timedelta(hours=1)
STAYS_OPEN = dt.timedelta(hours=24)


@dataclass(frozen=True)
class MeetingSlot:
    """A meeting occurrence: its local date and start time (None when it has no set time)."""

    local_date: dt.date
    starts_at: dt.time | None


def group_zone(group: ParticipantGroup | Group) -> ZoneInfo:
    """Return the group's timezone, UTC when the stored name is unknown."""
    try:
        return ZoneInfo(group.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def window_of(slot: MeetingSlot, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Return the (opens, closes) instants of a meeting's window, in UTC."""
    start = dt.datetime.combine(slot.local_date, slot.starts_at or dt.time(0), zone).astimezone(dt.UTC)
    return start - OPENS_BEFORE, start + STAYS_OPEN


def scheduled_slots(weekday: int | None, start: dt.time | None, around: dt.date) -> list[MeetingSlot]:
    """Return the weekly schedule's occurrences from the day before `around` to the day after."""
    if weekday is None:
        return []
    days = (around + dt.timedelta(days=offset) for offset in (-1, 0, 1))
    return [MeetingSlot(day, start) for day in days if day.weekday() == weekday]


def open_slot(
    *,
    zone: ZoneInfo,
    weekday: int | None,
    start: dt.time | None,
    known: Iterable[MeetingSlot],
    now: dt.datetime,
) -> MeetingSlot | None:
    """Return the meeting whose window holds `now` (the latest-starting one), or None.

    With no weekly schedule and no open known meeting, the meeting is today's local date.
    """
    today = now.astimezone(zone).date()
    candidates = [*scheduled_slots(weekday, start, today), *known]
    open_now = [slot for slot in candidates if window_of(slot, zone)[0] <= now < window_of(slot, zone)[1]]
    if open_now:
        return max(open_now, key=lambda slot: window_of(slot, zone)[0])
    if weekday is None:
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
        MeetingSlot(local_date, starts_at or group.meeting_time)
        for local_date, starts_at in group.nearby_meetings
        if around - day <= local_date <= around + day
    ]


def current_slot(group: ParticipantGroup, now: dt.datetime | None = None) -> MeetingSlot | None:
    """Return the group's meeting open for answers now, or None when no window is open."""
    now = now or dt.datetime.now(dt.UTC)
    zone = group_zone(group)
    today = now.astimezone(zone).date()
    return open_slot(
        zone=zone, weekday=group.meeting_weekday, start=group.meeting_time, known=known_slots(group, today), now=now
    )


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

    Looks a week ahead on the weekly schedule and at the meetings the coordinator created nearby.
    """
    now = now or dt.datetime.now(dt.UTC)
    zone = group_zone(group)
    today = now.astimezone(zone).date()
    candidates = [*known_slots(group, today)]
    if group.meeting_weekday is not None:
        days = (today + dt.timedelta(days=offset) for offset in range(8))
        candidates += [MeetingSlot(day, group.meeting_time) for day in days if day.weekday() == group.meeting_weekday]
    openings = [window_of(slot, zone)[0] for slot in candidates]
    future = [opens for opens in openings if opens > now]
    return min(future).astimezone(zone) if future else None


def window_closes_at(group: ParticipantGroup | Group, meeting: Meeting) -> dt.datetime:
    """Return when this meeting's answer window closes (UTC): what release waits for."""
    slot = MeetingSlot(meeting.local_date, meeting.starts_at or group.meeting_time)
    return window_of(slot, group_zone(group))[1]
