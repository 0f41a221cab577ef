"""A kept dashboard page (survey/dashboard/frames.py) is, byte for byte, the page rendered whole for its reader.

Each page is first asked by one reader (its frame is kept), then by another reader of the same role;
the second answer must be exactly what a fresh app process (nothing kept) renders for that second
reader: their own e-mail, their own form token, the report's own moment of generation, the
meetings waiting now. A flashed message is shown in the page it belongs to, and a viewer never gets
an admin's frame.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask, template_rendered
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from survey.dashboard import funder_report
from survey.extensions import db
from survey.models import Group

from .dashboard_support import add_group, add_responses, add_user, craving, log_in, move_release_clock

DAY = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)
WAITING_DAY = DAY + dt.timedelta(days=7)  # not due yet at the moved release clock (DAY + 4 days)
PAGES = [
    "/groups/KEPT/dashboard",
    "/groups/KEPT/dashboard/items",
    "/groups/KEPT/dashboard/comments",
    "/groups/KEPT/dashboard/report",
    "/groups/KEPT/dashboard?grain=meeting&lang=en",
]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(make_app, monkeypatch) -> Flask:
    app = make_app()
    with app.app_context():
        group = add_group("KEPT", k=3)
        add_responses(group, DAY, craving([2, 4, 6]))
        add_responses(group, WAITING_DAY, craving([1]))
    move_release_clock(monkeypatch, days=4)
    return app


def reader(app: Flask, role: str, email: str):  # type: ignore[no-untyped-def]
    """A client logged in as a viewer of the group (or an admin) with this e-mail."""
    client = app.test_client()
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="KEPT"))
        user = add_user(role, {group: "viewer"} if role == "coordinator" else {}, email=email)
        log_in(client, app, user)
    return client


def fresh_page(make_app, url: str, client) -> str:  # type: ignore[no-untyped-def]
    """What a new app process (nothing kept) renders for the same session."""
    other = make_app().test_client()
    with client.session_transaction() as theirs, other.session_transaction() as ours:
        ours.update(theirs)
    return other.get(url).get_data(as_text=True)


def own_token(app: Flask, client, page: str) -> str:  # type: ignore[no-untyped-def]
    """Return the page's log-out form token after checking it is the one this session's secret signs."""
    token = TOKEN.findall(page)
    assert len(token) == 1
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    assert URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").loads(token[0]) == raw
    return token[0]


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_a_page_kept_for_one_reader_is_the_whole_page_for_the_next(app, make_app, monkeypatch, role) -> None:
    moment = {"text": "first reader's moment"}
    monkeypatch.setattr(funder_report, "generated_in_words", lambda *args: moment["text"])
    first, second = reader(app, role, "first@example.org"), reader(app, role, "second@example.org")
    for url in PAGES:
        moment["text"] = "first reader's moment"
        assert first.get(url).status_code == 200  # the frame is kept
        moment["text"] = "second reader's moment"
        kept = second.get(url).get_data(as_text=True)
        assert "second@example.org" in kept and "first@example.org" not in kept, url
        if "report" in url:
            assert "second reader&#39;s moment" in kept and "first reader" not in kept
        else:
            assert "1 person answered the meeting of" in kept  # the meetings waiting now
        whole = fresh_page(make_app, url, second)
        own, fresh = own_token(app, second, kept), own_token(app, second, whole)
        assert kept.replace(own, "TOKEN") == whole.replace(fresh, "TOKEN"), url


def test_a_viewer_never_gets_an_admins_frame(app) -> None:
    admin, viewer = reader(app, "admin", "boss@example.org"), reader(app, "coordinator", "viewer@example.org")
    for url in PAGES[:3]:
        assert "Responses (CSV, admin)" in admin.get(url).get_data(as_text=True)
        assert "Responses (CSV, admin)" not in viewer.get(url).get_data(as_text=True)


def test_a_flashed_message_shows_in_its_page_and_a_new_answer_in_the_waiting_list(app, make_app) -> None:
    client = reader(app, "coordinator", "reader@example.org")
    url = PAGES[0]
    client.get(url)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this page only.")]
    assert "A message for this page only." in client.get(url).get_data(as_text=True)
    assert "A message for this page only." not in client.get(url).get_data(as_text=True)

    with app.app_context():
        add_responses(db.session.scalar(select(Group).filter_by(code="KEPT")), WAITING_DAY, craving([3]))
    kept = client.get(url).get_data(as_text=True)
    assert "2 people answered the meeting of" in kept
    whole = fresh_page(make_app, url, client)
    assert kept.replace(own_token(app, client, kept), "T") == whole.replace(own_token(app, client, whole), "T")


def test_the_next_reader_of_a_kept_page_renders_no_template_but_the_frame_is_per_key(app) -> None:
    first, second = reader(app, "coordinator", "one@example.org"), reader(app, "coordinator", "two@example.org")
    rendered: list[str] = []

    def record(_app, template, context) -> None:  # type: ignore[no-untyped-def]
        rendered.append(template.name)

    for url in PAGES:
        first.get(url)
        with template_rendered.connected_to(record, app):
            assert second.get(url).status_code == 200
        assert rendered == [], (url, rendered)
    with template_rendered.connected_to(record, app):
        second.get(PAGES[0] + "?grain=week")  # another address: its own frame
    assert "dashboard/group.html" in rendered


def test_a_page_whose_own_text_holds_a_slots_mark_is_rendered_whole(app, make_app) -> None:
    with app.app_context():
        db.session.scalar(select(Group).filter_by(code="KEPT")).name = "Group \x1eemail\x1e"
        db.session.commit()
    first, second = reader(app, "coordinator", "one@example.org"), reader(app, "coordinator", "two@example.org")
    first.get(PAGES[0])
    kept = second.get(PAGES[0]).get_data(as_text=True)
    assert "Group \x1eemail\x1e" in kept and "one@example.org" not in kept
    whole = fresh_page(make_app, PAGES[0], second)
    assert kept.replace(own_token(app, second, kept), "T") == whole.replace(own_token(app, second, whole), "T")
