"""The meeting window: an hour before a scheduled meeting to 24 hours after, in the group's timezone."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.meetings import MeetingSlot, open_slot
from survey.models import Meeting, Response
from survey.schedules import ScheduleEntry

from . import participant_support as support
from .participant_support import get_token, make_group, submit, utc

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient
CHICAGO = ZoneInfo("America/Chicago")
TUESDAY = 1
TUESDAY_7PM = MeetingSlot(dt.date(2026, 11, 24), dt.time(19, 0))  # 2026-11-24 is a Tuesday; 01:00 UTC next day


def weekly(weekday: int, at: dt.time = dt.time(19, 0)) -> ScheduleEntry:
    return ScheduleEntry("weekly", at, weekday)


def slot_at(now: dt.datetime, known: tuple[MeetingSlot, ...] = (), weekday: int | None = TUESDAY) -> MeetingSlot | None:
    schedule = () if weekday is None else (weekly(weekday),)
    return open_slot(zone=CHICAGO, schedule=schedule, known=known, now=now)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 11, 24, 23, 59), None),  # 17:59 local: more than an hour before
        (utc(2026, 11, 25, 0, 0), TUESDAY_7PM),  # 18:00 local: opens an hour before
        (utc(2026, 11, 25, 7, 30), TUESDAY_7PM),  # 01:30 local on Wednesday: the bus home still counts
        (utc(2026, 11, 26, 0, 59), TUESDAY_7PM),  # 18:59 Wednesday: still inside 24 h
        (utc(2026, 11, 26, 1, 0), None),  # 19:00 Wednesday: closed
    ],
)
def test_scheduled_window_edges(now: dt.datetime, expected: MeetingSlot | None) -> None:
    assert slot_at(now) == expected


def test_without_schedule_the_meeting_is_todays_local_date() -> None:
    # 03:00 UTC on the 25th is still the 24th in Chicago.
    assert slot_at(utc(2026, 11, 25, 3, 0), weekday=None) == MeetingSlot(dt.date(2026, 11, 24), None)


def test_a_meeting_the_coordinator_created_opens_its_own_window() -> None:
    extra = MeetingSlot(dt.date(2026, 11, 27), dt.time(12, 0))  # a Friday noon meeting
    assert slot_at(utc(2026, 11, 27, 17, 30), known=(extra,)) == extra
    assert slot_at(utc(2026, 11, 27, 16, 0), known=(extra,)) is None


def test_the_latest_open_window_wins_when_two_overlap() -> None:
    earlier = MeetingSlot(dt.date(2026, 11, 24), dt.time(10, 0))
    assert slot_at(utc(2026, 11, 25, 2, 0), known=(earlier,)) == TUESDAY_7PM


def test_no_open_window_is_a_friendly_410(papp: Flask) -> None:
    # Scheduled for a weekday that is neither yesterday, today nor tomorrow anywhere: never open now.
    zone = ZoneInfo("UTC")
    weekday = (dt.datetime.now(zone).weekday() + 3) % 7
    make_group(papp, code="CLOSEDW", timezone="UTC", schedule=[weekly(weekday)])
    page = papp.test_client().get("/s/CLOSEDW")
    assert page.status_code == 410
    body = page.get_data(as_text=True)
    assert "opens an hour before" in body
    opens = dt.datetime.now(zone).date() + dt.timedelta(days=3)  # 19:00 that day, opening at 18:00
    assert f"the survey opens next on {opens:%A} {opens.day} {opens:%B}, 18:00." in body


def test_two_first_responses_at_once_share_one_meeting(papp: Flask) -> None:
    make_group(papp)
    clients = [papp.test_client(), papp.test_client()]
    tokens = [get_token(client) for client in clients]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(index: int) -> None:
        barrier.wait()
        statuses.append(submit(clients[index], token=tokens[index]).status_code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303, 303]
    with papp.app_context():
        assert len(db.session.scalars(select(Meeting)).all()) == 1
        assert len(db.session.scalars(select(Response)).all()) == 2


def test_the_same_token_posted_twice_at_once_stores_once(papp: Flask) -> None:
    make_group(papp)
    clients = [papp.test_client(), papp.test_client()]
    token = get_token(clients[0])
    barrier = threading.Barrier(2)
    locations: list[str] = []

    def post(index: int) -> None:
        barrier.wait()
        reply = submit(clients[index], token=token)
        # The same thank-you address, up to the ticket's time stamp (the two may straddle a second).
        locations.append(f"{reply.status_code} {reply.headers.get('Location', '').split('.')[0]}")

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(locations)) == 1 and locations[0].startswith("303 ")
    assert support.response_count(papp) == 1


def test_a_late_send_counts_for_the_meeting_it_was_opened_for(papp: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    make_group(papp)
    client = papp.test_client()
    token = get_token(client)
    # The next day the window logic would pick another date; the token's meeting still counts.
    from survey import meetings as window

    monkeypatch.setattr(window, "open_slot", lambda **_: MeetingSlot(dt.date(2000, 1, 1), None))
    assert submit(client, token=token).status_code == 303
    with papp.app_context():
        assert db.session.scalar(select(Meeting.local_date)) != dt.date(2000, 1, 1)


def test_different_answers_racing_on_one_form_page_are_both_stored(papp: Flask) -> None:
    """Two people send different answers from one form page at the same moment: the write settles
    which one takes the page's nonce (SQLite's lock, or PostgreSQL's unique token and a second try)."""
    make_group(papp)
    assert submit(papp.test_client()).status_code == 303  # the meeting and the version exist
    clients = [papp.test_client(), papp.test_client()]
    token = get_token(clients[0])
    barrier = threading.Barrier(2)
    locations: list[str] = []

    def post(index: int) -> None:
        barrier.wait()
        reply = submit(clients[index], token=token, answers={**support.VALID_ANSWERS, "mood": str(index + 1)})
        locations.append(f"{reply.status_code} {reply.headers.get('Location', '').split('?')[0]}")

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [location[:4] for location in locations] == ["303 ", "303 "]
    assert support.response_count(papp) == 3


def test_a_meeting_the_coordinator_added_opens_the_survey_outside_the_weekly_schedule(papp: Flask) -> None:
    """The stored meetings come with the group's own read (ParticipantGroup.nearby_meetings)."""
    today = dt.datetime.now(dt.UTC).date()
    far_weekday = (today + dt.timedelta(days=3)).weekday()  # neither yesterday, today nor tomorrow
    group_id = make_group(papp, schedule=[weekly(far_weekday)], timezone="UTC")
    client = papp.test_client()
    assert client.get("/s/TESTGRP").status_code == 410  # no scheduled meeting is open now
    with papp.app_context():
        db.session.add(Meeting(group_id=group_id, local_date=today, starts_at=dt.time(0, 0)))
        db.session.add(Meeting(group_id=group_id, local_date=today + dt.timedelta(days=5), starts_at=dt.time(0, 0)))
        db.session.commit()
    assert submit(client).status_code == 303
    with papp.app_context():
        assert db.session.scalars(select(Response.meeting_date)).all() == [today]


def weekly_group(weekday: int | None = TUESDAY, nearby: tuple = ()) -> Any:
    from survey.groups import ParticipantGroup

    return ParticipantGroup(
        id=1,
        code="WINDOWAA",
        name="Window",
        default_locale="en",
        timezone="America/Chicago",
        min_group_size=5,
        is_open=True,
        archived_at=None,
        instrument_ids=("checkin",),
        nearby_meetings=nearby,
        schedule=() if weekday is None else (weekly(weekday),),
    )


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        (utc(2026, 11, 24, 20, 0), dt.datetime(2026, 11, 24, 18, 0, tzinfo=CHICAGO)),  # Tuesday 14:00: at 18:00
        (utc(2026, 11, 26, 1, 0), dt.datetime(2026, 12, 1, 18, 0, tzinfo=CHICAGO)),  # just closed: next Tuesday
        (utc(2026, 11, 25, 3, 0), dt.datetime(2026, 12, 1, 18, 0, tzinfo=CHICAGO)),  # open now: the one after
    ],
)
def test_next_opening_on_a_weekly_schedule(now: dt.datetime, opens: dt.datetime) -> None:
    from survey.meetings import next_opening

    assert next_opening(weekly_group(), now) == opens


def test_next_opening_counts_a_one_off_meeting_and_none_without_any() -> None:
    from survey.meetings import next_opening

    friday = ((dt.date(2026, 11, 27), dt.time(12, 0)),)
    now = utc(2026, 11, 26, 20, 0)  # Thursday 14:00 in Chicago
    assert next_opening(weekly_group(None, friday), now) == dt.datetime(2026, 11, 27, 11, 0, tzinfo=CHICAGO)
    assert next_opening(weekly_group(None), now) is None
