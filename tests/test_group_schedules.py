"""The group form's schedule: weekly, fortnightly and one-off rows; bad schedules refused with nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Group, MeetingSchedule

from .coordinator_support import add_group, add_user, log_in_as

TODAY = dt.datetime.now(dt.UTC).date()  # the groups here are on UTC
NEXT_WEEK = TODAY + dt.timedelta(days=7)
BASE = {
    "name": "Twice a week",
    "default_locale": "en",
    "timezone": "UTC",
    "instruments": ["checkin"],
    "min_group_size": "5",
    "is_open": "y",
}
TWICE_WEEKLY = {
    "repeating-0-weekday": "0",
    "repeating-0-starts_at": "19:00",
    "repeating-0-repeat": "weekly",
    "repeating-1-weekday": "3",
    "repeating-1-starts_at": "18:30",
    "repeating-1-repeat": "weekly",
}


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def manager(app, client):
    """A logged-in coordinator managing MINEAAA2 (weekly on Mondays at 19:00)."""
    add_group(app, "MINEAAA2", "Mine")
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="MINEAAA2"))
        db.session.add(MeetingSchedule(group_id=group.id, kind="weekly", weekday=0, starts_at=dt.time(19)))
        db.session.commit()
    log_in_as(client, app, add_user(app, "ana@example.org", groups={"MINEAAA2": "manager"}))


def stored(app, code: str | None = None) -> list[tuple]:
    """Return the stored schedule lines (of one group, or all) as plain tuples."""
    with app.app_context():
        query = select(
            MeetingSchedule.kind, MeetingSchedule.weekday, MeetingSchedule.starts_at, MeetingSchedule.on_date
        )
        if code:
            query = query.join(Group).where(Group.code == code)
        return [tuple(row) for row in db.session.execute(query.order_by(MeetingSchedule.id))]


def group_count(app) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Group)) or 0)


def test_a_group_meets_twice_a_week(app, client, manager) -> None:
    response = client.post("/groups/new", data={**BASE, **TWICE_WEEKLY, "code": "TWICEAA2"})
    assert response.status_code == 302
    assert stored(app, "TWICEAA2") == [("weekly", 0, dt.time(19), None), ("weekly", 3, dt.time(18, 30), None)]
    page = client.get("/groups/TWICEAA2").get_data(as_text=True)
    assert "Every Monday at 19:00: answers count from Monday 18:00 to Tuesday 19:00" in page
    assert "Every Thursday at 18:30: answers count from Thursday 17:30 to Friday 18:30" in page
    assert "an hour before each meeting until 24 hours after it starts" in page  # the rule, in plain words
    assert "Every Monday at 19:00; Every Thursday at 18:30" in client.get("/groups").get_data(as_text=True)


def test_fortnightly_and_one_off_meetings_are_stored_and_shown(app, client, manager) -> None:
    anchor = TODAY + dt.timedelta(days=(5 - TODAY.weekday()) % 7)  # the next Saturday (or today)
    one_off = anchor + dt.timedelta(days=4)  # a Wednesday, clear of the Saturdays
    data = {
        **BASE,
        "code": "FORTAAA2",
        "repeating-0-weekday": "5",
        "repeating-0-starts_at": "10:00",
        "repeating-0-repeat": "fortnightly",
        "repeating-0-on_date": anchor.isoformat(),
        "one_off-0-on_date": one_off.isoformat(),
        "one_off-0-starts_at": "11:00",
    }
    assert client.post("/groups/new", data=data).status_code == 302
    assert stored(app, "FORTAAA2") == [("fortnightly", 5, dt.time(10), anchor), ("once", None, dt.time(11), one_off)]
    page = client.get("/groups/FORTAAA2").get_data(as_text=True)
    assert "Every other Saturday at 10:00 (the weeks of" in page and f"Once, on {one_off:%A}" in page
    edit = client.get("/groups/FORTAAA2/edit").get_data(as_text=True)
    assert f'value="{anchor.isoformat()}"' in edit and f'value="{one_off.isoformat()}"' in edit


def test_the_form_explains_the_window_and_offers_empty_rows(client, manager) -> None:
    page = client.get("/groups/MINEAAA2/edit").get_data(as_text=True)
    assert "an hour before each meeting until 24 hours after it starts" in page
    assert 'name="repeating-0-weekday"' in page and 'name="repeating-2-weekday"' in page  # stored + 2 empty rows
    assert '<option selected value="0">Monday</option>' in page
    assert 'name="one_off-1-on_date"' in page and 'type="date"' in page
    assert "<script>" not in page


def test_an_emptied_row_removes_the_meeting(app, client, manager) -> None:
    data = {
        **BASE,
        "name": "Mine",
        "repeating-0-weekday": "",
        "repeating-0-starts_at": "",
        "repeating-0-repeat": "weekly",
    }
    assert client.post("/groups/MINEAAA2/edit", data=data).status_code == 302
    assert stored(app, "MINEAAA2") == []


PAST = (TODAY - dt.timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            {"repeating-0-weekday": "9", "repeating-0-starts_at": "19:00"},
            "Choose a day of the week, from Monday to Sunday.",
        ),
        ({"repeating-0-weekday": "Funday", "repeating-0-starts_at": "19:00"}, "Choose a day of the week"),
        ({"repeating-0-weekday": "1", "repeating-0-starts_at": "25:99"}, "Give a time on the 24-hour clock"),
        ({"repeating-0-weekday": "1", "repeating-0-starts_at": "7pm"}, "Give a time on the 24-hour clock"),
        ({"repeating-0-weekday": "1"}, "Give the start time, like 19:00."),
        ({"repeating-0-starts_at": "19:00"}, "Choose a day of the week"),
        (
            {"repeating-0-weekday": "1", "repeating-0-starts_at": "19:00", "repeating-0-repeat": "monthly"},
            "Choose every week or every other week.",
        ),
        (
            {"repeating-0-weekday": "5", "repeating-0-starts_at": "10:00", "repeating-0-repeat": "fortnightly"},
            "give the date of one of its meetings",
        ),
        (
            {
                "repeating-0-weekday": "5",
                "repeating-0-starts_at": "10:00",
                "repeating-0-repeat": "fortnightly",
                "repeating-0-on_date": "2026-12-07",  # a Monday
            },
            "Monday, December 7, 2026 is not a Saturday",
        ),
        (
            {
                "repeating-0-weekday": "0",
                "repeating-0-starts_at": "19:00",
                "repeating-1-weekday": "1",
                "repeating-1-starts_at": "19:00",
            },
            "are too close: their answer windows overlap",
        ),
        ({**TWICE_WEEKLY, "repeating-2-weekday": "0", "repeating-2-starts_at": "19:00"}, "too close"),  # twice
        ({"one_off-0-on_date": PAST, "one_off-0-starts_at": "19:00"}, "is in the past"),
        ({"one_off-0-on_date": "2026-02-30", "one_off-0-starts_at": "19:00"}, "Give a date like 2026-12-31."),
        ({"one_off-0-on_date": NEXT_WEEK.isoformat()}, "Give the start time, like 19:00."),
        ({"one_off-0-starts_at": "19:00"}, "Give the date of the one-off meeting."),
        ({"one_off-0-on_date": "2999-01-01", "one_off-0-starts_at": "19:00"}, "within the next two years"),
        (
            {
                "repeating-0-weekday": str(NEXT_WEEK.weekday()),
                "repeating-0-starts_at": "19:00",
                "one_off-0-on_date": NEXT_WEEK.isoformat(),
                "one_off-0-starts_at": "09:00",
            },
            "too close",
        ),
    ],
)
def test_bad_schedules_are_refused_and_nothing_is_stored(app, client, manager, rows, message) -> None:
    before = stored(app)
    created = client.post("/groups/new", data={**BASE, "code": "BADSCHE2", **rows})
    assert created.status_code == 400 and message in created.get_data(as_text=True)
    assert 'value="Twice a week"' in created.get_data(as_text=True)  # what was typed is kept
    edited = client.post("/groups/MINEAAA2/edit", data={**BASE, **rows})
    assert edited.status_code == 400 and message in edited.get_data(as_text=True)
    assert stored(app) == before and group_count(app) == 1
    with app.app_context():
        assert db.session.scalar(select(Group.name).filter_by(code="MINEAAA2")) == "Mine"


def test_a_past_one_off_already_stored_does_not_block_other_changes(app, client, manager) -> None:
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="MINEAAA2"))
        yesterday = TODAY - dt.timedelta(days=1)
        db.session.add(MeetingSchedule(group_id=group.id, kind="once", starts_at=dt.time(23, 0), on_date=yesterday))
        db.session.commit()
    edit = client.get("/groups/MINEAAA2/edit").get_data(as_text=True)
    assert f'value="{yesterday.isoformat()}"' in edit  # still open: its window lasts 24 hours
    data = {
        **BASE,
        "name": "Renamed",
        "one_off-0-on_date": yesterday.isoformat(),
        "one_off-0-starts_at": "23:00",
    }
    assert client.post("/groups/MINEAAA2/edit", data=data).status_code == 302
    assert stored(app, "MINEAAA2") == [("once", None, dt.time(23), yesterday)]


def test_a_one_off_whose_window_closed_leaves_the_form(app, client, manager) -> None:
    long_ago = TODAY - dt.timedelta(days=3)
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="MINEAAA2"))
        db.session.add(MeetingSchedule(group_id=group.id, kind="once", starts_at=dt.time(19), on_date=long_ago))
        db.session.commit()
    assert long_ago.isoformat() not in client.get("/groups/MINEAAA2/edit").get_data(as_text=True)


def test_a_spanish_coordinator_reads_the_schedule_and_its_problems_in_spanish(app, client, manager) -> None:
    spanish = {"Accept-Language": "es"}
    page = client.get("/groups/MINEAAA2/edit", headers=spanish).get_data(as_text=True)
    assert "Horario de reuniones" in page and '<option selected value="0">lunes</option>' in page
    assert "desde una hora antes de cada reunión hasta 24 horas después" in page
    overlapping = {
        **BASE,
        "repeating-0-weekday": "0",
        "repeating-0-starts_at": "19:00",
        "repeating-1-weekday": "1",
        "repeating-1-starts_at": "19:00",
    }
    refused = client.post("/groups/MINEAAA2/edit", data=overlapping, headers=spanish)
    assert refused.status_code == 400 and "están demasiado cerca: sus periodos de respuesta se superponen" in (
        refused.get_data(as_text=True)
    )
    shown = client.get("/groups/MINEAAA2", headers=spanish).get_data(as_text=True)
    assert "Cada lunes a las 19:00: las respuestas cuentan desde el lunes 18:00 hasta el martes 19:00" in shown


def test_the_poster_says_when_answers_are_open_in_each_of_its_languages(client, manager) -> None:
    poster = client.get("/groups/MINEAAA2/poster").get_data(as_text=True)
    assert (
        '<p class="poster-window" lang="en">Open from an hour before each meeting until a day after it: '
        "Every Monday at 19:00.</p>" in poster
    )
    assert "Abierta desde una hora antes de cada reunión hasta un día después: Cada lunes a las 19:00." in poster
