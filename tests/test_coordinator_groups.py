"""Groups: list, create, edit, archive; meetings with counts; the "now" screen and its live count."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import select

from survey import catalog
from survey.extensions import db
from survey.groups import CODE_ALPHABET, generate_code
from survey.models import AuditEvent, Group, Meeting, Membership
from survey.submissions import build_response

from .coordinator_support import add_group, add_meeting, add_user, log_in_as

VALID = {
    "name": "Wednesday Circle",
    "default_locale": "en",
    "timezone": "America/Chicago",
    "repeating-0-weekday": "2",
    "repeating-0-starts_at": "19:30",
    "repeating-0-repeat": "weekly",
    "instruments": ["checkin"],
    "min_group_size": "6",
    "is_open": "y",
}


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def coordinator(app, client):
    """A logged-in coordinator managing MINEAAA2 and viewing VIEWAAA2; OTHERAA2 belongs to nobody."""
    add_group(app, "MINEAAA2", "Mine")
    add_group(app, "VIEWAAA2", "Viewed")
    add_group(app, "OTHERAA2", "Someone else's")
    user_id = add_user(app, "ana@example.org", groups={"MINEAAA2": "manager", "VIEWAAA2": "viewer"})
    log_in_as(client, app, user_id)
    return user_id


def get_group(app, code: str) -> Group:
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code=code))
        assert group is not None
        _ = group.instrument_ids, group.schedule
        db.session.expunge_all()
        return group


def test_generated_codes_are_8_unambiguous_characters(app_ctx) -> None:
    codes = {generate_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 8 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_groups_list_shows_only_reachable_groups(client, coordinator) -> None:
    body = client.get("/groups").get_data(as_text=True)
    assert "Mine" in body and "Viewed" in body and "Someone else" not in body


def test_new_group_form_has_the_defaults(app, client, coordinator) -> None:
    body = client.get("/groups/new").get_data(as_text=True)
    assert 'value="5"' in body  # k from SURVEY_MIN_GROUP_SIZE
    assert 'value="checkin" checked' in body or 'checked id="instruments-' in body or "checked" in body


def test_default_k_follows_the_setting(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=False, SURVEY_MIN_GROUP_SIZE=8)
    client = app.test_client()
    log_in_as(client, app, add_user(app, "ana@example.org"))
    assert 'value="8"' in client.get("/groups/new").get_data(as_text=True)


def test_coordinator_creates_a_group_and_manages_it(app, client, coordinator) -> None:
    response = client.post("/groups/new", data=VALID)
    assert response.status_code == 302
    code = response.headers["Location"].rsplit("/", 1)[1]
    group = get_group(app, code)
    schedule = [(row.kind, row.weekday, row.starts_at, row.on_date) for row in group.schedule]
    assert (group.name, group.timezone, schedule, group.min_group_size) == (
        "Wednesday Circle",
        "America/Chicago",
        [("weekly", 2, dt.time(19, 30), None)],
        6,
    )
    assert group.is_open and group.instrument_ids == ["checkin"] and len(code) == 8
    with app.app_context():
        membership = db.session.get(Membership, (coordinator, group.id))
        assert membership is not None and membership.access == "manager"
        assert db.session.scalar(select(AuditEvent.action)) == "group.create"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Give the group a name."),
        ({"min_group_size": "2"}, "Use a number of at least 3."),
        ({"min_group_size": "many"}, "Not a valid integer value."),
        ({"timezone": "Mars/Olympus"}, "Not a valid choice."),
        ({"default_locale": "xx"}, "Not a valid choice."),
        ({"instruments": []}, "Choose at least one questionnaire."),
        ({"instruments": ["nope"]}, "is not a valid choice"),
        ({"repeating-0-starts_at": "25:99"}, "Give a time on the 24-hour clock, like 19:00."),
        ({"code": "no spaces!"}, "4 to 16 letters and digits"),
        ({"code": "OTHERAA2"}, "already used by another group"),
        ({"code": "otheraa2"}, "already used by another group"),
    ],
)
def test_bad_group_input_is_refused_and_keeps_what_was_typed(app, client, coordinator, changes, message) -> None:
    data = {**VALID, "name": "Typed Name Kept", **changes}
    response = client.post("/groups/new", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    if changes.get("name", "x"):
        assert 'value="Typed Name Kept"' in body
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Group)) == 3


def test_manager_edits_a_group_and_the_code_stays(app, client, coordinator) -> None:
    data = {**VALID, "name": "Renamed", "is_open": "", "code": "NEWCODE9"}
    del data["is_open"]
    assert client.post("/groups/MINEAAA2/edit", data=data).status_code == 302
    group = get_group(app, "MINEAAA2")
    assert group.name == "Renamed" and not group.is_open and group.timezone == "America/Chicago"


def test_archive_asks_first_and_changes_nothing_until_confirmed(app, client, coordinator) -> None:
    page = client.post("/groups/MINEAAA2/archive")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Archive “Mine”?" in body and "survey closes" in body
    assert 'name="confirmed" value="1"' in body and 'href="/groups/MINEAAA2/edit"' in body  # confirm or cancel
    assert get_group(app, "MINEAAA2").archived_at is None
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "group.archive")) is None


def test_archive_hides_the_group_and_closes_it_then_restore(app, client, coordinator) -> None:
    assert client.post("/groups/MINEAAA2/archive", data={"confirmed": "1"}).status_code == 302
    group = get_group(app, "MINEAAA2")
    assert group.archived_at is not None and not group.is_open
    assert 'href="/groups/MINEAAA2"' not in client.get("/groups").get_data(as_text=True)
    assert 'href="/groups/MINEAAA2"' in client.get("/groups?archived=1").get_data(as_text=True)
    assert client.get("/groups/MINEAAA2").status_code == 200
    assert client.post("/groups/MINEAAA2/archive", data={"restore": "1"}).status_code == 302
    assert get_group(app, "MINEAAA2").archived_at is None


@pytest.mark.parametrize("url", ["/groups/OTHERAA2", "/groups/NOSUCHGR", "/groups/OTHERAA2/now/count.json"])
def test_unreachable_and_missing_groups_look_the_same(client, coordinator, url) -> None:
    response = client.get(url)
    assert response.status_code == 404


def test_viewer_cannot_change_a_group(client, coordinator) -> None:
    assert client.get("/groups/VIEWAAA2").status_code == 200
    assert client.get("/groups/VIEWAAA2/edit").status_code == 403
    assert client.post("/groups/VIEWAAA2/archive").status_code == 403
    assert client.post("/groups/VIEWAAA2/archive", data={"confirmed": "1"}).status_code == 403


def add_responses(app, code: str, day: dt.date, count: int) -> None:
    """Store `count` check-in responses for the group's meeting on `day`."""
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code=code))
        meeting = db.session.scalar(select(Meeting).filter_by(group_id=group.id, local_date=day))
        instrument = catalog.registry().get("checkin")
        for index in range(count):
            build_response(
                meeting=meeting,
                instrument=instrument,
                answers={},
                locale="en",
                token=f"t-{code}-{day}-{index}",
                submitted_at=dt.datetime.now(dt.UTC),
                participant_hash=None,
            )
        db.session.commit()


def test_meetings_are_listed_with_their_response_counts(app, client, coordinator) -> None:
    group_id = get_group(app, "MINEAAA2").id
    add_meeting(app, group_id, dt.date(2026, 11, 3))
    add_meeting(app, group_id, dt.date(2026, 11, 10))
    add_responses(app, "MINEAAA2", dt.date(2026, 11, 10), 4)
    body = client.get("/groups/MINEAAA2").get_data(as_text=True)
    assert "Tue 10 Nov 2026" in body and "Tue 03 Nov 2026" in body
    assert body.index("Tue 10 Nov 2026") < body.index("Tue 03 Nov 2026")
    assert '<td class="num">4</td>' in body and '<td class="num">0</td>' in body


def test_now_screen_counts_todays_responses_only(app, client, coordinator) -> None:
    group_id = get_group(app, "MINEAAA2").id
    today = dt.datetime.now(dt.UTC).date()
    add_meeting(app, group_id, today)
    add_meeting(app, group_id, today - dt.timedelta(days=7))
    add_responses(app, "MINEAAA2", today, 3)
    add_responses(app, "MINEAAA2", today - dt.timedelta(days=7), 5)
    page = client.get("/groups/MINEAAA2/now").get_data(as_text=True)
    assert '<span id="response-count" aria-live="polite">3</span>' in page
    assert 'data-count-url="/groups/MINEAAA2/now/count.json"' in page
    assert "http://localhost/s/MINEAAA2" in page and "Refresh the count" in page
    assert "coordinator-now" in page and "<script>" not in page
    count = client.get("/groups/MINEAAA2/now/count.json")
    assert count.get_json() == {"count": 3, "date": today.isoformat(), "open": True}
    assert count.headers["Cache-Control"] == "no-store"


def test_viewer_sees_the_now_screen(client, coordinator) -> None:
    assert client.get("/groups/VIEWAAA2/now").status_code == 200
    assert client.get("/groups/VIEWAAA2/now/count.json").get_json()["count"] == 0


def test_each_questionnaire_on_the_group_form_says_its_length_and_links_to_the_previews(
    app, client, coordinator
) -> None:
    body = html.unescape(client.get("/groups/new").get_data(as_text=True))
    with app.app_context():
        for instrument in catalog.registry().all():
            questions = len(instrument.items)  # every item is a question a participant may see
            noun = "question" if questions == 1 else "questions"
            assert re.search(rf"\({instrument.id}\): {questions} {noun}, about \d+ minutes? on a phone", body), (
                instrument.id
            )
    assert 'href="/instruments">Preview the questionnaires</a>' in body
    spanish = html.unescape(client.get("/groups/new", headers={"Accept-Language": "es"}).get_data(as_text=True))
    assert re.search(r"\(checkin\): \d+ preguntas, cerca de \d+ minutos? en un teléfono", spanish)
    assert "Vista previa de los cuestionarios" in spanish
