"""Attacks by an insider with a viewer login and the public link: snapshots before and after every event.

Each test plays the threat model of the README (Privacy): send answers through the real form,
read the dashboard's JSON at any moment, and combine snapshots taken before and after a new
answer, a late answer, a purge or a change of k. Expected figures come from the test's own
arithmetic on the answers it sent.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from flask import Flask
from sqlalchemy import select

from survey.database import begin_write
from survey.extensions import db
from survey.models import AuditEvent, Group, PublishedSummary
from survey.release.service import change_k
from survey.retention import purge_responses

from .dashboard_support import add_group, add_responses, add_user, craving, log_in, move_release_clock

TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')
TREND = "/groups/{code}/dashboard/trend/checkin/craving.json?grain={grain}"
FIRST = dt.date(2026, 10, 5)  # a Monday


@pytest.fixture
def app(make_app) -> Flask:
    return make_app(WTF_CSRF_ENABLED=False)


def viewer_of(app: Flask, code: str, role: str = "coordinator", access: str = "viewer"):  # type: ignore[no-untyped-def]
    """A logged-in client for a user with this access to the group."""
    client = app.test_client()
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code=code))
        log_in(client, app, add_user(role, {group: access} if role != "admin" else None))
    return client


def send(app: Flask, code: str, craving_now: int) -> None:
    """Answer the group's questionnaire through the real form, as a participant would."""
    participant = app.test_client()
    page = participant.get(f"/s/{code}").get_data(as_text=True)
    data = {"form_token": TOKEN_RE.search(page).group(1), "lang": "en", "website": ""}
    data |= {"confidence_overall": "7", "craving_now": str(craving_now), "helpful": "4"}
    assert participant.post(f"/s/{code}", data=data).status_code == 303


def test_nothing_moves_until_release_and_then_only_by_k_answers(app, monkeypatch) -> None:
    with app.app_context():
        add_group("LIVE", k=5)
    viewer = viewer_of(app, "LIVE")
    url = TREND.format(code="LIVE", grain="meeting")
    first = [2, 4, 6, 8, 3, 5]
    for value in first:
        send(app, "LIVE", value)
    before = viewer.get(url).get_data()
    send(app, "LIVE", 9)  # one more person: on today's main the mean moves by exactly their answer
    assert viewer.get(url).get_data() == before
    assert viewer.get(url).get_json()["data"] == []  # the survey is still open: nothing is published
    assert viewer.get("/groups/LIVE/dashboard/participation.json?grain=meeting").get_json()["data"] == []
    page = viewer.get("/groups/LIVE/dashboard").get_data(as_text=True)
    assert "7 people answered the meeting of" in page and "results appear after" in page

    move_release_clock(monkeypatch, days=3)  # the window and the grace period have closed
    released = viewer.get(url).get_json()["data"]
    sent = [*first, 9]
    assert [(p["n"], p["mean"]) for p in released] == [(7, round(sum(sent) / 7, 3))]
    snapshot = viewer.get(url).get_data()

    late = [0, 1, 2, 3]
    for value in late:  # late answers to the released meeting (the form still takes today's)
        send(app, "LIVE", value)
        assert viewer.get(url).get_data() == snapshot  # fewer than k late answers: nothing moves
    send(app, "LIVE", 10)  # the fifth late answer: a batch of k
    moved = viewer.get(url).get_json()["data"]
    everything = [*sent, *late, 10]
    assert [(p["n"], p["mean"]) for p in moved] == [(12, round(sum(everything) / 12, 3))]


def test_a_hidden_unreleased_cell_says_why_in_plain_words(app, monkeypatch) -> None:
    with app.app_context():
        add_group("FEW", k=5)
    viewer = viewer_of(app, "FEW")
    for value in (3, 4):
        send(app, "FEW", value)
    move_release_clock(monkeypatch, days=3)
    (period,) = viewer.get(TREND.format(code="FEW", grain="meeting")).get_json()["data"]
    assert period["n"] == 2 and period["suppressed"] and "mean" not in period
    assert "results appear when at least 5 people have answered, after the survey closes" in period["reason"]
    spanish = viewer.get(TREND.format(code="FEW", grain="meeting"), headers={"Accept-Language": "es"})
    reason = spanish.get_json()["data"][0]["reason"]
    assert "después de que se cierre la encuesta" in reason or "results appear" in reason


def test_a_purge_that_splits_a_month_cannot_expose_the_purged_hidden_meeting(app) -> None:
    # 26 Oct: 8 people; 6, 12 and 22 Nov: 3 each (k = 5). November (9 people) is shown, its meetings
    # are not. Purging before 12 Nov leaves November with 6 people: shown again, November before
    # minus November after would be the 3 people of 6 November.
    with app.app_context():
        group = add_group("PURG", k=5)
        answers = {FIRST + dt.timedelta(days=21): [5] * 8}
        answers |= {dt.date(2026, 11, 6): [1, 2, 9], dt.date(2026, 11, 12): [4, 4, 5], dt.date(2026, 11, 22): [6, 7, 8]}
        for day, values in answers.items():
            add_responses(group, day, craving(values))
    admin = viewer_of(app, "PURG", role="admin")
    url = TREND.format(code="PURG", grain="month")
    november = {p["start"]: p for p in admin.get(url).get_json()["data"]}["2026-11-01"]
    nov_values = [1, 2, 9, 4, 4, 5, 6, 7, 8]
    assert (november["n"], november["mean"]) == (9, round(sum(nov_values) / 9, 3))

    with app.app_context():
        purge_responses("PURG", dt.date(2026, 11, 12), actor_email="admin@example.org")
    after = {p["start"]: p for p in admin.get(url).get_json()["data"]}["2026-11-01"]
    assert after["n"] == 6 and after["suppressed"] and "mean" not in after
    overall = admin.get(url).get_json()["overall"]
    assert overall["suppressed"] or overall["n"] == 6 and overall.get("mean") is None


def test_lowering_k_to_read_and_restoring_it_exposes_nothing(app) -> None:
    # 7 Oct: 6, 18 Oct: 7, 21 Oct: 2, 12 Nov: 4 people (k = 5). All time (19) is shown, 21 Oct and
    # 12 Nov are not. Were k lowered to 3, 12 Nov (4) would show, and all time minus the three
    # shown meetings would be the 2 people of 21 October.
    with app.app_context():
        group = add_group("KCHG", k=5)
        days = {2: [3, 3, 4, 4, 5, 5], 13: [1, 2, 3, 4, 5, 6, 7], 16: [0, 10], 38: [2, 3, 4, 5]}
        for offset, values in days.items():
            add_responses(group, FIRST + dt.timedelta(days=offset), craving(values))
        group_id = group.id
        client = app.test_client()
        log_in(client, app, add_user("coordinator", {group: "manager"}))
    url = TREND.format(code="KCHG", grain="meeting")
    before = client.get(url).get_json()
    assert before["overall"]["n"] == 19 and not before["overall"]["suppressed"]
    form = {
        "name": "Group KCHG",
        "default_locale": "en",
        "timezone": "UTC",
        "meeting_weekday": "",
        "instruments": ["checkin"],
        "min_group_size": "3",
        "is_open": "y",
    }
    refused = client.post("/groups/KCHG/edit", data=form)
    assert refused.status_code == 400
    assert "only an admin can set it lower" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Group.min_group_size).filter_by(code="KCHG")) == 5
        assert not db.session.scalars(select(AuditEvent).filter_by(action="group.k")).all()

    admin = viewer_of(app, "KCHG", role="admin")
    assert admin.post("/groups/KCHG/edit", data=form).status_code == 302
    with app.app_context():
        (event,) = db.session.scalars(select(AuditEvent).filter_by(action="group.k")).all()
        assert event.detail == "minimum group size 5 -> 3"
    after = {p["start"]: p for p in admin.get(url).get_json()["data"]}
    assert after["2026-11-12"]["suppressed"] and "mean" not in after["2026-11-12"]
    assert after["2026-10-21"]["suppressed"]
    # Answers released after the change use the new k: a new meeting of 4 people shows.
    with app.app_context():
        add_responses(db.session.get(Group, group_id), dt.date(2026, 11, 30), craving([1, 2, 3, 4]))
    latest = {p["start"]: p for p in admin.get(url).get_json()["data"]}["2026-11-30"]
    assert (latest["n"], latest["mean"]) == (4, round(10 / 4, 3))


@pytest.mark.parametrize("page", ["items", "comments"])
def test_items_and_comments_say_when_unreleased_answers_appear(app, page: str) -> None:
    with app.app_context():
        add_group("WAIT", k=5)
    send(app, "WAIT", 4)
    body = viewer_of(app, "WAIT").get(f"/groups/WAIT/dashboard/{page}").get_data(as_text=True)
    assert "1 person answered the meeting of" in body and "if at least 5 people answered" in body


def test_an_unreleased_answer_to_another_questionnaire_changes_no_page(app, monkeypatch) -> None:
    # The group asks the check-in only; today someone answers the craving questionnaire (a form the
    # group asked until this morning). Until release, no page may tell a viewer that it happened.
    with app.app_context():
        group = add_group("MORE", k=3)
        add_responses(group, FIRST, craving([3, 4, 5]))  # an old, released meeting
    viewer = viewer_of(app, "MORE")
    admin = viewer_of(app, "MORE", role="admin")
    pages = ["/groups/MORE/dashboard", "/groups/MORE/dashboard/codebook.csv"]
    assert viewer.get("/groups/MORE/dashboard").status_code == 200
    before = [admin.get(url).get_data(as_text=True) for url in pages]
    assert viewer.get("/groups/MORE/dashboard?instrument=craving").status_code == 400
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="MORE"))
        add_responses(group, dt.date.today(), [{"strength_now": 3, "frequency": 2}] * 3, instrument_id="craving")
    after = [admin.get(url).get_data(as_text=True) for url in pages]
    assert "\ncraving." not in after[1] and after[1] == before[1]
    assert 'value="craving"' not in after[0]
    assert viewer.get("/groups/MORE/dashboard?instrument=craving").status_code == 400
    move_release_clock(monkeypatch, days=3)
    assert viewer.get("/groups/MORE/dashboard?instrument=craving").status_code == 200
    assert "\ncraving.strength_now," in admin.get(pages[1]).get_data(as_text=True)


def test_stored_summaries_never_move_before_a_release(app, monkeypatch) -> None:
    # Reliability, reliable change and engagement are stored when the cells are published. Answers
    # sent today (one person answering twice under a code), and a change of k, must move none of
    # them, nor tell that a new meeting exists, until that meeting is released.
    with app.app_context():
        group = add_group("SUMS", k=5)
        answers = [{"craving_now": float(v), "belonged": 4.0, "honest": float(v % 5 + 1)} for v in range(6)]
        add_responses(group, FIRST, answers, participants=["p", "q", "r", "s", "t", None])  # released at first read
    viewer = viewer_of(app, "SUMS")
    pages = [f"/groups/SUMS/dashboard/{page}.json" for page in ("reliability", "change", "engagement")]
    before = [viewer.get(url).get_data() for url in pages]
    assert [m["n"] for m in viewer.get(pages[2]).get_json()["data"]["meetings"]] == [6]
    with app.app_context():
        stored_before = sorted(db.session.execute(select(PublishedSummary.name, PublishedSummary.value)))
    for value in (2, 9, 4, 7, 1):
        send(app, "SUMS", value)
        assert [viewer.get(url).get_data() for url in pages] == before
    with app.app_context():
        begin_write()
        group = db.session.scalar(select(Group).filter_by(code="SUMS"))
        group.min_group_size = 3
        change_k(group, 5, by_admin=True)  # everything is published again, from the same released answers
        db.session.commit()
        assert sorted(db.session.execute(select(PublishedSummary.name, PublishedSummary.value))) == stored_before
    after_k = viewer.get(pages[2]).get_json()
    assert after_k["data"] == json.loads(before[2])["data"]  # the JSON names k, which changed

    move_release_clock(monkeypatch, days=3)  # today's meeting is released now
    assert [m["n"] for m in viewer.get(pages[2]).get_json()["data"]["meetings"]] == [6, 5]
