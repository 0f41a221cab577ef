"""Schedules without an app: what each line meets on, overlapping windows, and the window each meeting opens."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from survey.groups import ParticipantGroup
from survey.meetings import MeetingSlot, next_opening, open_slot, window_closes
from survey.schedules import ScheduleEntry, first_overlap, slots_between

from .participant_support import utc

CHICAGO = ZoneInfo("America/Chicago")
MONDAY = dt.date(2026, 11, 30)  # a Monday; Chicago is UTC-6 in winter
MONDAY_19 = ScheduleEntry("weekly", dt.time(19, 0), 0)
THURSDAY_1830 = ScheduleEntry("weekly", dt.time(18, 30), 3)
EVERY_OTHER_SATURDAY = ScheduleEntry("fortnightly", dt.time(10, 0), 5, dt.date(2026, 12, 5))
ONE_OFF = ScheduleEntry("once", dt.time(11, 0), None, dt.date(2026, 12, 9))  # a Wednesday


def test_each_kind_meets_on_its_own_dates() -> None:
    days = slots_between((MONDAY_19, THURSDAY_1830, EVERY_OTHER_SATURDAY, ONE_OFF), MONDAY, MONDAY + dt.timedelta(20))
    assert [(slot.local_date.isoformat(), slot.starts_at) for slot in days] == [
        ("2026-11-30", dt.time(19, 0)),
        ("2026-12-03", dt.time(18, 30)),
        ("2026-12-05", dt.time(10, 0)),  # the fortnightly anchor
        ("2026-12-07", dt.time(19, 0)),
        ("2026-12-09", dt.time(11, 0)),  # the one-off
        ("2026-12-10", dt.time(18, 30)),
        ("2026-12-14", dt.time(19, 0)),
        ("2026-12-17", dt.time(18, 30)),
        ("2026-12-19", dt.time(10, 0)),  # 14 days after the anchor; 12 December is skipped
    ]


def test_a_fortnightly_line_also_meets_on_the_weeks_before_its_date() -> None:
    assert EVERY_OTHER_SATURDAY.meets_on(dt.date(2026, 11, 21))
    assert not EVERY_OTHER_SATURDAY.meets_on(dt.date(2026, 11, 28))


@pytest.mark.parametrize(
    ("entries", "overlaps"),
    [
        ((MONDAY_19, THURSDAY_1830), False),
        ((MONDAY_19, ScheduleEntry("weekly", dt.time(19, 0), 1)), True),  # Tuesday 19:00: 24 h after, < 25 h
        ((MONDAY_19, ScheduleEntry("weekly", dt.time(20, 0), 1)), False),  # exactly 25 h: one closes as one opens
        ((MONDAY_19, ScheduleEntry("weekly", dt.time(19, 59), 1)), True),
        ((MONDAY_19, MONDAY_19), True),  # the same meeting twice
        ((MONDAY_19, ScheduleEntry("weekly", dt.time(9, 0), 0)), True),  # two on one day
        ((THURSDAY_1830, ScheduleEntry("once", dt.time(10, 0), None, dt.date(2026, 12, 4))), True),  # Friday 10:00
        ((THURSDAY_1830, ScheduleEntry("once", dt.time(20, 0), None, dt.date(2026, 12, 4))), False),  # Friday 20:00
        ((EVERY_OTHER_SATURDAY, ScheduleEntry("fortnightly", dt.time(10, 0), 6, dt.date(2026, 12, 13))), False),
        ((EVERY_OTHER_SATURDAY, ScheduleEntry("fortnightly", dt.time(10, 0), 6, dt.date(2026, 12, 6))), True),
        ((EVERY_OTHER_SATURDAY, ScheduleEntry("once", dt.time(9, 0), None, dt.date(2027, 6, 13))), False),
        ((EVERY_OTHER_SATURDAY, ScheduleEntry("once", dt.time(9, 0), None, dt.date(2027, 6, 20))), True),
    ],
)
def test_overlapping_windows_are_found(entries: tuple[ScheduleEntry, ...], overlaps: bool) -> None:
    assert (first_overlap(entries, MONDAY) is not None) is overlaps


def test_the_sunday_case_by_arithmetic() -> None:
    # Sunday 17:00 to Monday 19:00 is 26 hours, more than 25: the windows touch nothing.
    assert first_overlap((MONDAY_19, ScheduleEntry("weekly", dt.time(17, 0), 6)), MONDAY) is None
    # Sunday 18:01 to Monday 19:00 is 24 h 59 min: they overlap by a minute.
    assert first_overlap((MONDAY_19, ScheduleEntry("weekly", dt.time(18, 1), 6)), MONDAY) is not None


def test_an_overlap_names_both_meetings() -> None:
    tuesday = ScheduleEntry("weekly", dt.time(19, 0), 1)
    overlap = first_overlap((MONDAY_19, tuesday), MONDAY)
    assert overlap is not None
    assert {overlap.first, overlap.second} == {MONDAY_19, tuesday}
    assert overlap.second_start - overlap.first_start == dt.timedelta(hours=24)


def slot_now(now: dt.datetime, *entries: ScheduleEntry) -> MeetingSlot | None:
    return open_slot(zone=CHICAGO, schedule=entries, known=(), now=now)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 11, 30, 23, 59), None),  # Monday 17:59 in Chicago: more than an hour before
        (utc(2026, 12, 1, 0, 59), MeetingSlot(MONDAY, dt.time(19, 0))),  # Monday 18:59: opened at 18:00
        (utc(2026, 12, 1, 6, 30), MeetingSlot(MONDAY, dt.time(19, 0))),  # Tuesday 00:30: last night's meeting
        (utc(2026, 12, 2, 1, 0), None),  # Tuesday 19:00: closed
        (utc(2026, 12, 3, 23, 45), MeetingSlot(dt.date(2026, 12, 3), dt.time(18, 30))),  # Thursday 17:45
        (utc(2026, 12, 4, 8, 0), MeetingSlot(dt.date(2026, 12, 3), dt.time(18, 30))),  # Friday 02:00
        (utc(2026, 12, 5, 15, 0), MeetingSlot(dt.date(2026, 12, 5), dt.time(10, 0))),  # Saturday 09:00
        (utc(2026, 12, 12, 15, 0), None),  # the Saturday in between: no meeting
        (utc(2026, 12, 9, 17, 0), MeetingSlot(dt.date(2026, 12, 9), dt.time(11, 0))),  # the one-off
    ],
)
def test_the_open_meeting_follows_every_line(now: dt.datetime, expected: MeetingSlot | None) -> None:
    entries = (MONDAY_19, THURSDAY_1830, EVERY_OTHER_SATURDAY, ONE_OFF)
    assert slot_now(now, *entries) == expected


def participant_group(*entries: ScheduleEntry) -> ParticipantGroup:
    return ParticipantGroup(
        id=1,
        code="SCHEDAAA",
        name="Schedules",
        default_locale="en",
        timezone="America/Chicago",
        min_group_size=5,
        is_open=True,
        archived_at=None,
        instrument_ids=("checkin",),
        schedule=entries,
    )


@pytest.mark.parametrize(
    ("entries", "now", "opens"),
    [
        ((MONDAY_19, THURSDAY_1830), utc(2026, 12, 2, 12, 0), dt.datetime(2026, 12, 3, 17, 30, tzinfo=CHICAGO)),
        ((EVERY_OTHER_SATURDAY,), utc(2026, 12, 6, 12, 0), dt.datetime(2026, 12, 19, 9, 0, tzinfo=CHICAGO)),
        ((ONE_OFF,), utc(2026, 11, 1, 12, 0), dt.datetime(2026, 12, 9, 10, 0, tzinfo=CHICAGO)),  # weeks ahead
        ((ONE_OFF,), utc(2026, 12, 11, 12, 0), None),  # the one-off is over and nothing else is planned
    ],
)
def test_next_opening_reads_every_line(
    entries: tuple[ScheduleEntry, ...], now: dt.datetime, opens: dt.datetime | None
) -> None:
    assert next_opening(participant_group(*entries), now) == opens


def test_window_closes_a_day_after_the_meeting_starts_in_its_group_zone() -> None:
    meeting = SimpleNamespace(
        local_date=MONDAY, starts_at=dt.time(19, 0), group=SimpleNamespace(timezone="America/Chicago")
    )
    assert window_closes(meeting) == utc(2026, 12, 2, 1, 0)  # Tuesday 19:00 in Chicago
    unscheduled = SimpleNamespace(local_date=MONDAY, starts_at=None, group=SimpleNamespace(timezone="UTC"))
    assert window_closes(unscheduled) == utc(2026, 12, 1, 0, 0)  # the end of that local day


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (ScheduleEntry("monthly", dt.time(19), 0), "Choose every week, every other week, or a one-off date."),
        (ScheduleEntry("weekly", dt.time(19), 7), "Choose a day of the week, from Monday to Sunday."),
        (ScheduleEntry("weekly", dt.time(19), None), "Choose a day of the week, from Monday to Sunday."),
        (ScheduleEntry("fortnightly", dt.time(19), 0), "give the date of one of its meetings"),
        (ScheduleEntry("fortnightly", dt.time(19), 0, dt.date(2026, 12, 1)), "is not a Monday"),
        (ScheduleEntry("once", dt.time(19)), "Give the date of the one-off meeting."),
        (ScheduleEntry("once", dt.time(19), None, MONDAY - dt.timedelta(days=1)), "is in the past"),
        (ScheduleEntry("once", dt.time(19), None, MONDAY + dt.timedelta(days=800)), "within the next two years"),
    ],
)
def test_schedule_lines_the_form_cannot_send_are_refused_too(app_ctx, entry: ScheduleEntry, message: str) -> None:
    from survey.schedule_words import ScheduleError, check_schedule

    with pytest.raises(ScheduleError, match=message):
        check_schedule([entry], MONDAY)


def test_a_stored_past_one_off_may_stay_and_at_most_twelve_lines(app_ctx) -> None:
    from survey.schedule_words import ScheduleError, check_schedule

    past = ScheduleEntry("once", dt.time(19), None, MONDAY - dt.timedelta(days=1))
    check_schedule([past], MONDAY, kept=[past])  # no error
    many = [ScheduleEntry("once", dt.time(19), None, MONDAY + dt.timedelta(days=2 * n)) for n in range(13)]
    with pytest.raises(ScheduleError, match="at most 12 meetings"):
        check_schedule(many, MONDAY)
