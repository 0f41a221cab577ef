"""Rollups: written once at release, equal to a rebuild from the raw answers, never double-counted."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.models import Group, PublishedCell, ReleaseBatch, ReleasedResponse, RollupCell
from survey.release import rollups, service

from .dashboard_support import MONDAY, add_group, add_responses, add_user, craving, log_in


def seed(app: Flask) -> int:
    """A group with three past meetings in two languages (released at the first read)."""
    with app.app_context():
        group = add_group("ROLL", k=3)
        add_responses(group, MONDAY, craving([1, 2, 3, 4]))
        add_responses(group, MONDAY, craving([7, 8]), locale="es")
        add_responses(group, MONDAY + dt.timedelta(days=7), craving([5, 5, 6]))
        add_responses(group, MONDAY + dt.timedelta(days=14), [{"craving_now": 2.0, "helpful": 4.0}] * 3)
        return group.id


def table(model: type) -> list[tuple]:
    """Every row of a table as sorted tuples of its columns (ids of published cells left out)."""
    columns = [c for c in model.__table__.columns if c.name != "id"]

    def plain(value: object) -> str:
        return str(sorted(value.items()) if isinstance(value, dict) else value)

    return sorted(tuple(plain(getattr(r, c.key)) for c in columns) for r in db.session.scalars(select(model)))


def at(monkeypatch, day: dt.date) -> None:
    """Make the release step see noon UTC on this day."""
    moment = dt.datetime.combine(day, dt.time(12), dt.UTC)
    monkeypatch.setattr("survey.release.service.now_utc", lambda: moment)


def test_rebuild_from_the_answers_equals_what_release_wrote(app, monkeypatch) -> None:
    group_id = seed(app)
    with app.app_context():
        at(monkeypatch, MONDAY + dt.timedelta(days=3))  # only the first meeting is due, in two languages
        assert service.release_due(db.session.get(Group, group_id)) == 2
        add_responses(db.session.get(Group, group_id), MONDAY, craving([0, 0]))  # late, fewer than k = 3
        assert service.release_due(db.session.get(Group, group_id)) == 0
        add_responses(db.session.get(Group, group_id), MONDAY, craving([0]))  # the third late answer
        assert service.release_due(db.session.get(Group, group_id)) == 1
        at(monkeypatch, MONDAY + dt.timedelta(days=30))
        assert service.release_due(db.session.get(Group, group_id)) == 2
        incremental = table(RollupCell), table(PublishedCell)
        # The test's own arithmetic on one cell: the first meeting in English, released in two batches.
        english = db.session.scalars(select(ReleaseBatch).filter_by(meeting_date=MONDAY, locale="en")).all()
        cells = [db.session.get(RollupCell, (b.id, "scale:checkin:craving")) for b in english]
        assert sorted((c.n, c.total, c.total_sq) for c in cells) == [(3, 0.0, 0.0), (4, 10.0, 30.0)]
    result = app.test_cli_runner().invoke(args=["release", "rebuild", "--group", "ROLL"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert (table(RollupCell), table(PublishedCell)) == incremental
        assert rollups.compute([b.id for b in db.session.scalars(select(ReleaseBatch))]) == rollups.stored(
            [b.id for b in db.session.scalars(select(ReleaseBatch))]
        )


def test_two_servers_releasing_at_once_count_each_answer_once(app) -> None:
    group_id = seed(app)
    results: list[object] = []

    def release() -> None:
        with app.app_context():
            try:
                results.append(service.release_due(db.session.get(Group, group_id)))
            except Exception as error:  # noqa: BLE001 (the test reports what happened)
                results.append(error)

    threads = [threading.Thread(target=release) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [0, 4]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ReleaseBatch)) == 4
        assert db.session.scalar(select(db.func.count()).select_from(ReleasedResponse)) == 4 + 2 + 3 + 3
        people = db.session.scalars(select(RollupCell.n).filter_by(measure="people")).all()
        assert sorted(people) == [2, 3, 3, 4]


def test_a_dashboard_request_after_release_does_no_suppression_work(app, monkeypatch) -> None:
    seed(app)
    client = app.test_client()
    with app.app_context():
        log_in(client, app, add_user("admin"))
    first = client.get("/groups/ROLL/dashboard/trend/checkin/craving.json?grain=meeting").get_json()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the audit ran during a request")

    monkeypatch.setattr("survey.stats.hierarchy.audit", refuse)
    for url in ("/groups/ROLL/dashboard", "/groups/ROLL/dashboard/items.json", "/groups/ROLL/dashboard/export.csv"):
        assert client.get(url).status_code == 200, url
    again = client.get("/groups/ROLL/dashboard/trend/checkin/craving.json?grain=meeting").get_json()
    assert again == first
    assert [(p["n"], p.get("mean")) for p in first["data"]] == [(6, round(25 / 6, 3)), (3, round(16 / 3, 3)), (3, 2.0)]


@pytest.mark.parametrize("hours", ["-1", "soon"])
def test_a_bad_grace_period_is_refused_with_its_name(make_app, hours: str) -> None:
    from survey.config import ConfigError

    with pytest.raises(ConfigError, match="SURVEY_RELEASE_GRACE_HOURS"):
        make_app(SURVEY_RELEASE_GRACE_HOURS=hours)


def test_the_check_for_due_answers_is_one_read_whatever_is_waiting(app) -> None:
    from zoneinfo import ZoneInfo

    from sqlalchemy import event

    from survey.release import batches

    today = dt.datetime.now(dt.UTC).date()
    past = today - dt.timedelta(days=3)  # late answers to it are still looked for
    client = app.test_client()
    with app.app_context():
        add_responses(add_group("ROLL", k=3), past, craving([1, 2, 3]))
        log_in(client, app, add_user("admin"))
    assert client.get("/groups/ROLL/dashboard").status_code == 200  # releases that meeting
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="ROLL"))
        add_responses(group, today, craving([3, 4]))  # this evening's meeting, not due yet
        add_responses(group, past, craving([9, 9]))  # two late answers: fewer than k
        db.session.refresh(group)  # the read transaction is open and the group loaded before counting
        sent: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
        now = dt.datetime.now(dt.UTC)
        waiting = batches.pending(group, now)
        assert len(sent) == 1, sent
        # The documented rule: a meeting without a set time starts at midnight in the group's zone, its window
        # stays open 24 hours, and release waits the grace period after that.
        grace = dt.timedelta(hours=app.config["SURVEY_RELEASE_GRACE_HOURS"])
        zone = ZoneInfo(group.timezone)
        assert [(w.meeting_date, w.locale, w.people, w.late, w.releasable_at) for w in waiting] == [
            (d, "en", 2, d != today, dt.datetime.combine(d, dt.time(0), zone) + dt.timedelta(hours=24) + grace)
            for d in (past, today)
        ]
        assert batches.due_batches(group, now) == []  # the late pair waits for k, tonight's for its window
    with app.app_context():
        sent.clear()
        page = client.get("/groups/ROLL/dashboard").get_data(as_text=True)
    assert "2 late answers to the meeting of" in page and "2 people answered the meeting of" in page
    assert sum("count(distinct(responses.submission))" in s for s in sent) == 1, sent  # the check, listed as read
