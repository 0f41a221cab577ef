"""Retention: an admin deletes a group's responses older than a date, by command or page, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, AuditEvent, Group, Response, Score


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def seeded(app):
    """Two demo groups with four weekly meetings each; returns (app, cut-off date between meetings)."""
    assert app.test_cli_runner().invoke(args=["demo", "seed", "--weeks", "4"]).exit_code == 0
    with app.app_context():
        dates = sorted(
            set(db.session.scalars(select(Response.meeting_date).join(Group).where(Group.code == "DEMO2TUE")))
        )
    assert len(dates) == 4
    return app, dates[2]  # the two earlier meetings are "before"


def snapshot(code: str, before: dt.date) -> dict[str, int]:
    group_id = db.session.scalar(select(Group.id).where(Group.code == code))
    old = select(Response.id).where(Response.group_id == group_id, Response.meeting_date < before)
    return {
        "old": count(Response, Response.id.in_(old)),
        "total": count(Response, Response.group_id == group_id),
        "orphan_answers": count(Answer, Answer.response_id.not_in(select(Response.id))),
        "orphan_scores": count(Score, Score.response_id.not_in(select(Response.id))),
    }


def test_cli_purge_deletes_only_older_responses_of_that_group_and_audits(seeded) -> None:
    app, before = seeded
    with app.app_context():
        mine, other = snapshot("DEMO2TUE", before), snapshot("DEMO4JUE", before)
    assert mine["old"] > 0
    result = app.test_cli_runner().invoke(
        args=["responses", "purge", "--group", "DEMO2TUE", "--before", before.isoformat(), "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert f"Deleted {mine['old']} responses of DEMO2TUE" in result.output
    with app.app_context():
        after = snapshot("DEMO2TUE", before)
        assert after["old"] == 0 and after["total"] == mine["total"] - mine["old"]
        assert after["orphan_answers"] == 0 and after["orphan_scores"] == 0
        assert snapshot("DEMO4JUE", before)["total"] == other["total"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "delete_responses"))
        assert event is not None and event.target == "DEMO2TUE"
        assert f"{mine['old']} responses" in event.detail and before.isoformat() in event.detail
        assert event.actor_email.startswith("command line")


def test_cli_purge_asks_first_and_no_keeps_everything(seeded) -> None:
    app, before = seeded
    with app.app_context():
        total = count(Response)
    result = app.test_cli_runner().invoke(
        args=["responses", "purge", "--group", "DEMO2TUE", "--before", before.isoformat()], input="n\n"
    )
    assert result.exit_code != 0 and "Delete" in result.output
    with app.app_context():
        assert count(Response) == total and count(AuditEvent) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group", "NOPE", "--before", "2020-01-01"], "No group has the code"),
        (["--group", "DEMO2TUE", "--before", "31/01/2020"], "Invalid value for '--before'"),
        (["--before", "2020-01-01"], "Missing option '--group'"),
    ],
)
def test_cli_purge_bad_input_changes_nothing(seeded, args, message) -> None:
    app, _ = seeded
    with app.app_context():
        total = count(Response)
    result = app.test_cli_runner().invoke(args=["responses", "purge", *args, "--yes"])
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert count(Response) == total and count(AuditEvent) == 0
