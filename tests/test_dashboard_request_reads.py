"""What every dashboard request reads, kept results or not: the reader, the group with the reader's access, the
release check; three plain statements, no ORM unit of work, and every check still made at each request.
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from survey.extensions import db
from survey.models import Group, Membership, User

from .conftest import COUNTING_STATEMENTS
from .dashboard_support import add_group, add_responses, add_user, craving, log_in, move_release_clock

DAY = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)
JSON = [
    "/groups/READS/dashboard/trend/checkin/craving.json",
    "/groups/READS/dashboard/participation.json",
    "/groups/READS/dashboard/items.json",
    "/groups/READS/dashboard/engagement.json",
    "/groups/READS/dashboard/reliability.json",
    "/groups/READS/dashboard/change.json",
]
PAGES = ["/groups/READS/dashboard", "/groups/READS/dashboard/items", "/groups/READS/dashboard/comments"]


@pytest.fixture
def app(make_app, monkeypatch) -> Flask:
    app = make_app(**COUNTING_STATEMENTS)
    with app.app_context():
        add_responses(add_group("READS", k=3), DAY, craving([2, 4, 6]))
    move_release_clock(monkeypatch, days=4)
    return app


def reader(app: Flask, role: str = "coordinator"):  # type: ignore[no-untyped-def]
    """A client logged in as a viewer of the group (or an admin), and the user's id."""
    client = app.test_client()
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="READS"))
        user = add_user(role, {group: "viewer"} if role == "coordinator" else {})
        log_in(client, app, user)
        return client, user.id


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_a_kept_request_sends_three_plain_statements_and_no_orm_one(app, role) -> None:
    client, _user_id = reader(app, role)
    statements: list[str] = []
    orm: list[object] = []

    def record(state: object) -> None:
        orm.append(state)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    event.listen(Session, "do_orm_execute", record)
    try:
        for url in JSON + PAGES:
            assert client.get(url).status_code == 200
            statements.clear()
            orm.clear()
            assert client.get(url).status_code == 200
            reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
            looks_for_demo_logins = role == "admin" and url in PAGES  # the warning an admin's pages carry
            assert len(reads) == 3 + looks_for_demo_logins, (url, reads)
            assert "FROM users" in reads[0] and "FROM groups" in reads[1] and "memberships" in reads[1]
            assert orm == [], url
    finally:
        event.remove(Session, "do_orm_execute", record)


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_a_kept_request_takes_one_pooled_connection_and_begins_no_transaction(app, role) -> None:
    client, _user_id = reader(app, role)
    checkouts: list[object] = []
    begun: list[object] = []
    sent: list[str] = []

    def checked_out(*_args: object) -> None:
        checkouts.append(_args)

    def session_began(*_args: object) -> None:
        begun.append(_args)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    event.listen(Session, "after_begin", session_began)
    try:
        for url in JSON + PAGES:
            assert client.get(url).status_code == 200
            checkouts.clear()
            begun.clear()
            sent.clear()
            assert client.get(url).status_code == 200
            assert len(checkouts) == 1, url  # the reader, the group and the release check on one connection
            assert begun == [], url  # no ORM session transaction at all
            assert not [s for s in sent if s.lstrip().upper().startswith("BEGIN")], url  # SQLite: no BEGIN sent
    finally:
        event.remove(Session, "after_begin", session_began)


def test_a_kept_request_looks_up_one_kept_result_and_reads_no_dashboard(app, monkeypatch) -> None:
    from survey.dashboard import aggregates, memo

    client, _user_id = reader(app)
    lookups: list[object] = []
    dashboards: list[object] = []
    remembered, load_dashboard = memo.remembered, aggregates.load_dashboard

    def counted_lookup(group, name, build, stored=False):  # type: ignore[no-untyped-def]
        lookups.append(name)
        return remembered(group, name, build, stored)

    def counted_read(*args):  # type: ignore[no-untyped-def]
        dashboards.append(args)
        return load_dashboard(*args)

    monkeypatch.setattr(memo, "remembered", counted_lookup)
    monkeypatch.setattr(aggregates, "load_dashboard", counted_read)
    for url in JSON + PAGES + ["/groups/READS/dashboard/report"]:
        assert client.get(url).status_code == 200
        lookups.clear()
        dashboards.clear()
        assert client.get(url).status_code == 200
        assert len(lookups) == 1, (url, lookups)  # the JSON body, or the page's frame
        assert dashboards == [], url  # filters, instruments and languages are not needed for a kept answer


def test_every_check_is_made_again_when_the_answer_is_kept(app) -> None:
    client, user_id = reader(app)
    for url in JSON[:1] + PAGES[:1]:
        assert client.get(url).status_code == client.get(url).status_code == 200
    with app.app_context():
        db.session.execute(update(Membership).where(Membership.user_id == user_id).values(access="manager"))
        db.session.commit()
    assert client.get(JSON[0]).status_code == 200
    with app.app_context():
        db.session.execute(Membership.__table__.delete().where(Membership.user_id == user_id))
        db.session.commit()
    assert client.get(JSON[0]).status_code == client.get(PAGES[0]).status_code == 404  # no longer a member

    admin, admin_id = reader(app, "admin")
    assert admin.get(JSON[0]).status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.id == admin_id).values(role="coordinator"))
        db.session.commit()
    assert admin.get(JSON[0]).status_code == 404  # no longer an admin, and no membership

    other, other_id = reader(app)
    assert other.get(JSON[0]).status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.id == other_id).values(session_version=User.session_version + 1))
        db.session.commit()
    assert other.get(JSON[0]).status_code == 302  # the session ended: to the login page

    last, last_id = reader(app)
    assert last.get(PAGES[0]).status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.id == last_id).values(is_active_account=False))
        db.session.commit()
    assert last.get(PAGES[0]).status_code == 302  # a disabled account


def test_a_group_that_does_not_exist_or_a_strange_code_answers_404(app) -> None:
    client, _user_id = reader(app, "admin")
    for code in ["NOPE", "READS%00", "reads"]:
        expected = 200 if code == "reads" else 404  # codes are matched whatever their case
        assert client.get(f"/groups/{code}/dashboard/engagement.json").status_code == expected, code
