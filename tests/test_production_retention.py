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


def logged_in_client(app, role: str):
    from survey.accounts import hash_password
    from survey.models import User

    with app.app_context():
        user = User(
            email=f"{role}-retention@example.org", password_hash=hash_password("a long enough password"), role=role
        )
        db.session.add(user)
        db.session.commit()
        session_id = user.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    return client


def test_admin_page_previews_exactly_what_goes_then_purges_and_audits(seeded) -> None:
    app, before = seeded
    app.config["WTF_CSRF_ENABLED"] = False
    client = logged_in_client(app, "admin")
    page = client.get("/admin/retention")
    assert page.status_code == 200 and 'href="/admin/retention"' in page.text  # in the admin navigation
    with app.app_context():
        old = snapshot("DEMO2TUE", before)["old"]
        group_id = db.session.scalar(select(Group.id).where(Group.code == "DEMO2TUE"))
        old_dates = sorted(
            set(
                db.session.scalars(
                    select(Response.meeting_date).where(Response.group_id == group_id, Response.meeting_date < before)
                )
            )
        )
    preview = client.post("/admin/retention", data={"group": "DEMO2TUE", "before": before.isoformat(), "confirm": "y"})
    assert preview.status_code == 200  # the first step only shows what would go, even with the box ticked
    assert f"{old} responses" in preview.text and f"from {len(old_dates)} meetings" in preview.text
    assert f"Delete {old} responses" in preview.text
    with app.app_context():
        assert snapshot("DEMO2TUE", before)["old"] == old and count(AuditEvent) == 0
    expected = f"DEMO2TUE|{before.isoformat()}|{old}"
    assert f'value="{expected}"' in preview.text
    unconfirmed = client.post(
        "/admin/retention", data={"group": "DEMO2TUE", "before": before.isoformat(), "expected": expected}
    )
    assert unconfirmed.status_code == 400 and "Tick the box to confirm." in unconfirmed.text
    answer = client.post(
        "/admin/retention",
        data={"group": "DEMO2TUE", "before": before.isoformat(), "expected": expected, "confirm": "y"},
    )
    assert answer.status_code == 303
    with app.app_context():
        assert snapshot("DEMO2TUE", before)["old"] == 0
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "delete_responses"))
        assert (
            event is not None
            and event.actor_email == "admin-retention@example.org"
            and f"{old} responses" in event.detail
        )


def test_admin_page_refuses_when_the_count_moved_since_the_preview(seeded) -> None:
    app, before = seeded
    app.config["WTF_CSRF_ENABLED"] = False
    client = logged_in_client(app, "admin")
    with app.app_context():
        old = snapshot("DEMO2TUE", before)["old"]
        total = count(Response)
    stale = f"DEMO2TUE|{before.isoformat()}|{old - 1}"  # one response more came in (a late answer) after it
    answer = client.post(
        "/admin/retention", data={"group": "DEMO2TUE", "before": before.isoformat(), "expected": stale, "confirm": "y"}
    )
    assert answer.status_code == 409 and "changed since you checked" in answer.text
    assert f"Delete {old} responses" in answer.text  # the new preview, to confirm again
    with app.app_context():
        assert count(Response) == total and count(AuditEvent) == 0


def test_a_preview_for_another_date_is_only_a_new_preview(seeded) -> None:
    app, before = seeded
    app.config["WTF_CSRF_ENABLED"] = False
    client = logged_in_client(app, "admin")
    with app.app_context():
        total = count(Response)
    earlier = before - dt.timedelta(days=7)
    expected = f"DEMO2TUE|{earlier.isoformat()}|0"
    answer = client.post(
        "/admin/retention",
        data={"group": "DEMO2TUE", "before": before.isoformat(), "expected": expected, "confirm": "y"},
    )
    assert answer.status_code == 200 and "What will be deleted" in answer.text
    with app.app_context():
        assert count(Response) == total and count(AuditEvent) == 0


@pytest.mark.parametrize(
    "form",
    [
        {"group": "NOPE", "before": "2020-01-01", "confirm": "y"},
        {"group": "DEMO2TUE", "before": "not a date", "confirm": "y"},
        {"group": "DEMO2TUE", "before": (dt.date.today() + dt.timedelta(days=2)).isoformat(), "confirm": "y"},
        {"group": "DEMO2TUE", "before": "2099-01-01", "expected": "DEMO2TUE|2099-01-01|3", "confirm": "y"},
    ],
)
def test_admin_page_bad_input_is_400_and_changes_nothing(seeded, form) -> None:
    app, _ = seeded
    app.config["WTF_CSRF_ENABLED"] = False
    client = logged_in_client(app, "admin")
    with app.app_context():
        total = count(Response)
    assert client.post("/admin/retention", data=form).status_code == 400
    with app.app_context():
        assert count(Response) == total and count(AuditEvent) == 0


def test_coordinator_cannot_purge(seeded) -> None:
    app, before = seeded
    client = logged_in_client(app, "coordinator")
    assert client.get("/admin/retention").status_code == 403
    assert client.post("/admin/retention", data={"group": "DEMO2TUE", "before": before.isoformat()}).status_code in {
        400,
        403,
    }
    assert app.test_client().get("/admin/retention").status_code == 302  # logged out: to the login page
