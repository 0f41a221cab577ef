"""The "now" screen on the wall: the meeting answers count for, its count after midnight, no invitation while closed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from survey import catalog, meetings
from survey.extensions import db
from survey.models import Group, Meeting, MeetingSchedule
from survey.submissions import build_response

from .coordinator_support import add_group, add_meeting, add_user, log_in_as

CHICAGO = ZoneInfo("America/Chicago")
_today = dt.datetime.now(dt.UTC).date()
MONDAY = _today + dt.timedelta(days=7 - _today.weekday() + 7)  # a Monday one to two weeks ahead
THURSDAY = MONDAY + dt.timedelta(days=3)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), CHICAGO).astimezone(dt.UTC)


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def group_id(app, client) -> int:
    """WALLAAA2 meets on Mondays at 19:00 and Thursdays at 18:30 in Chicago; a viewer is logged in."""
    found = add_group(app, "WALLAAA2", "Wall group", timezone="America/Chicago")
    with app.app_context():
        for weekday, start in ((0, dt.time(19)), (3, dt.time(18, 30))):
            db.session.add(MeetingSchedule(group_id=found, kind="weekly", weekday=weekday, starts_at=start))
        db.session.commit()
    log_in_as(client, app, add_user(app, "viewer@example.org", groups={"WALLAAA2": "viewer"}))
    return found


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    def set_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(meetings, "utc_now", lambda: moment)

    return set_to


def add_answers(app, group_id: int, day: dt.date, people: int) -> None:
    """Store one check-in response per person for the group's meeting on `day`."""
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).filter_by(group_id=group_id, local_date=day))
        for person in range(people):
            build_response(
                meeting=meeting,
                instrument=catalog.registry().get("checkin"),
                answers={},
                locale="en",
                token=f"wall-{day}-{person}",
                submitted_at=dt.datetime.now(dt.UTC),
                participant_hash=None,
            )
        db.session.commit()


def test_after_midnight_the_screen_counts_last_nights_meeting(app, client, group_id, clock) -> None:
    add_meeting(app, group_id, MONDAY)  # starts 19:00
    add_answers(app, group_id, MONDAY, 4)
    clock(at(MONDAY + dt.timedelta(days=1), 0, 30))  # Tuesday 00:30 in Chicago: nobody answered "today"
    page = client.get("/groups/WALLAAA2/now").get_data(as_text=True)
    assert f"Answers count for the meeting of Monday {MONDAY.day} {MONDAY:%B} at 19:00." in page
    tuesday = MONDAY + dt.timedelta(days=1)
    assert f"Open until Tuesday {tuesday.day} {tuesday:%B}, 19:00." in page
    assert '<span id="response-count" aria-live="polite">4</span>' in page and "responses for this meeting" in page
    assert "Scan the code" in page and 'class="now-qr"' in page
    count = client.get("/groups/WALLAAA2/now/count.json").get_json()
    assert count == {"count": 4, "date": MONDAY.isoformat(), "open": True}


def test_while_closed_the_screen_says_when_it_opens_and_shows_no_code(app, client, group_id, clock) -> None:
    clock(at(MONDAY + dt.timedelta(days=2), 12, 0))  # Wednesday noon: between the two meetings
    page = client.get("/groups/WALLAAA2/now").get_data(as_text=True)
    assert "The survey is closed now" in page
    assert f"It opens on Thursday {THURSDAY.day} {THURSDAY:%B}, 17:30, an hour before the meeting." in page
    assert "Scan the code" not in page and 'class="now-qr"' not in page and "response-count" not in page
    assert client.get("/groups/WALLAAA2/now/count.json").get_json() == {"count": 0, "date": None, "open": False}


def test_the_group_page_says_whether_answers_are_open_now(app, client, group_id, clock) -> None:
    clock(at(THURSDAY, 18, 0))
    page = client.get("/groups/WALLAAA2").get_data(as_text=True)
    assert f"Open now for the meeting of Thursday {THURSDAY.day} {THURSDAY:%B}" in page
    clock(at(MONDAY + dt.timedelta(days=2), 12, 0))
    page = client.get("/groups/WALLAAA2").get_data(as_text=True)
    assert f"Closed now; it opens on Thursday {THURSDAY.day} {THURSDAY:%B}, 17:30." in page


def test_a_closed_group_never_invites_scanning(app, client, group_id, clock) -> None:
    with app.app_context():
        db.session.get(Group, group_id).is_open = False
        db.session.commit()
    clock(at(THURSDAY, 18, 0))  # inside a window, but the coordinator closed the group
    page = client.get("/groups/WALLAAA2/now").get_data(as_text=True)
    assert "This group is closed to responses." in page and "Scan the code" not in page


SPANISH_MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def test_a_spanish_coordinator_reads_the_dates_in_spanish_word_order(app, client, group_id, clock) -> None:
    add_meeting(app, group_id, MONDAY)
    clock(at(MONDAY + dt.timedelta(days=1), 0, 30))
    page = client.get("/groups/WALLAAA2/now", headers={"Accept-Language": "es"}).get_data(as_text=True)
    tuesday = MONDAY + dt.timedelta(days=1)
    assert f"lunes {MONDAY.day} de {SPANISH_MONTHS[MONDAY.month - 1]}" in page
    assert f"martes {tuesday.day} de {SPANISH_MONTHS[tuesday.month - 1]}, 19:00" in page
    clock(at(MONDAY + dt.timedelta(days=2), 12, 0))
    page = client.get("/groups/WALLAAA2/now", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert f"jueves {THURSDAY.day} de {SPANISH_MONTHS[THURSDAY.month - 1]}, 17:30" in page
