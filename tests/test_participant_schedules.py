"""Through the real participant form: which meeting an answer counts for on every kind of schedule.

The clock the window logic reads (survey.meetings.utc_now) is moved to moments around meetings a few
weeks ahead; the form, its token and the POST are the real ones.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from survey import meetings
from survey.extensions import db
from survey.models import Meeting, Response
from survey.schedules import ScheduleEntry

from . import participant_support as support
from .participant_support import make_group, submit

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient
CHICAGO = ZoneInfo("America/Chicago")
_today = dt.datetime.now(dt.UTC).date()
MONDAY = _today + dt.timedelta(days=7 - _today.weekday() + 14)  # a Monday two to three weeks ahead
THURSDAY = MONDAY + dt.timedelta(days=3)
SATURDAY = MONDAY + dt.timedelta(days=5)
WEDNESDAY_AFTER = MONDAY + dt.timedelta(days=9)
TWICE_WEEKLY = [ScheduleEntry("weekly", dt.time(19, 0), 0), ScheduleEntry("weekly", dt.time(18, 30), 3)]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Return a Chicago wall-clock moment as UTC."""
    return dt.datetime.combine(day, dt.time(hour, minute), CHICAGO).astimezone(dt.UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """Set the instant the meeting windows are decided at."""

    def set_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(meetings, "utc_now", lambda: moment)

    return set_to


def stored_meetings(app: Flask) -> list[tuple[dt.date, dt.time | None]]:
    """Return the (meeting date, start) of every stored response, in order."""
    with app.app_context():
        rows = db.session.execute(
            select(Meeting.local_date, Meeting.starts_at)
            .join(Response, Response.meeting_id == Meeting.id)
            .order_by(Response.id)
        )
        return [tuple(row) for row in rows]


@pytest.mark.parametrize(
    ("moment", "meeting"),
    [
        (at(MONDAY, 18, 0), (MONDAY, dt.time(19, 0))),  # the hour before Monday's meeting
        (at(MONDAY + dt.timedelta(days=1), 0, 40), (MONDAY, dt.time(19, 0))),  # after midnight: last night's
        (at(THURSDAY, 17, 45), (THURSDAY, dt.time(18, 30))),
        (at(THURSDAY + dt.timedelta(days=1), 18, 29), (THURSDAY, dt.time(18, 30))),  # a minute before it closes
    ],
)
def test_several_weekly_meetings_each_count_their_own_answers(papp, pclient, clock, moment, meeting) -> None:
    make_group(papp, timezone="America/Chicago", schedule=TWICE_WEEKLY)
    clock(moment)
    assert submit(pclient).status_code == 303
    assert stored_meetings(papp) == [meeting]


def test_between_two_weekly_meetings_the_closed_page_names_the_next_one(papp, pclient, clock) -> None:
    make_group(papp, name="Circle", timezone="America/Chicago", schedule=TWICE_WEEKLY)
    clock(at(MONDAY + dt.timedelta(days=2), 12, 0))  # Wednesday noon: Monday's closed at Tuesday 19:00
    page = pclient.get("/s/TESTGRP")
    body = page.get_data(as_text=True)
    assert page.status_code == 410
    assert f"Circle: the survey opens next on Thursday {THURSDAY.day} {THURSDAY:%B}, 17:30." in body
    assert support.response_count(papp) == 0


def test_a_fortnightly_meeting_opens_every_other_week(papp, pclient, clock) -> None:
    make_group(papp, timezone="America/Chicago", schedule=[ScheduleEntry("fortnightly", dt.time(10, 0), 5, SATURDAY)])
    clock(at(SATURDAY + dt.timedelta(days=7), 10, 30))  # the Saturday in between
    body = pclient.get("/s/TESTGRP").get_data(as_text=True)
    following = SATURDAY + dt.timedelta(days=14)
    assert f"opens next on Saturday {following.day} {following:%B}, 09:00." in body
    clock(at(following, 10, 30))
    assert submit(pclient).status_code == 303
    assert stored_meetings(papp) == [(following, dt.time(10, 0))]


def test_a_one_off_meeting_opens_its_own_window(papp, pclient, clock) -> None:
    make_group(
        papp,
        timezone="America/Chicago",
        schedule=[TWICE_WEEKLY[0], ScheduleEntry("once", dt.time(11, 0), None, WEDNESDAY_AFTER)],
    )
    clock(at(WEDNESDAY_AFTER, 9, 0))  # two hours before: closed, opens at 10:00
    body = pclient.get("/s/TESTGRP").get_data(as_text=True)
    assert f"opens next on Wednesday {WEDNESDAY_AFTER.day} {WEDNESDAY_AFTER:%B}, 10:00." in body
    clock(at(WEDNESDAY_AFTER, 10, 5))
    assert submit(pclient).status_code == 303
    clock(at(WEDNESDAY_AFTER + dt.timedelta(days=1), 3, 0))  # after midnight, still the one-off's window
    assert submit(pclient).status_code == 303
    assert stored_meetings(papp) == [(WEDNESDAY_AFTER, dt.time(11, 0))] * 2


def test_a_meeting_after_midnight_counts_for_its_own_date(papp, pclient, clock) -> None:
    """A meeting that starts at 00:30 is Tuesday's, though the hour before it is Monday's evening."""
    make_group(papp, timezone="America/Chicago", schedule=[ScheduleEntry("weekly", dt.time(0, 30), 1)])
    clock(at(MONDAY, 23, 45))
    assert submit(pclient).status_code == 303
    assert stored_meetings(papp) == [(MONDAY + dt.timedelta(days=1), dt.time(0, 30))]
