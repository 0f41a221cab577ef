"""The SQL side of dashboards: period bucketing on both databases, index use, and the admin exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import event, literal, select, text

from survey.dashboard.queries import period_start
from survey.extensions import db
from survey.models import AuditEvent, Date

from .conftest import ON_POSTGRES
from .dashboard_support import MONDAY, add_group, add_responses, add_user, log_in


@pytest.mark.parametrize(
    ("day", "week", "month"),
    [
        (dt.date(2026, 1, 5), dt.date(2026, 1, 5), dt.date(2026, 1, 1)),  # a Monday
        (dt.date(2026, 1, 11), dt.date(2026, 1, 5), dt.date(2026, 1, 1)),  # the Sunday of that week
        (dt.date(2026, 3, 1), dt.date(2026, 2, 23), dt.date(2026, 3, 1)),  # a week that straddles two months
        (dt.date(2024, 2, 29), dt.date(2024, 2, 26), dt.date(2024, 2, 1)),
    ],
)
def test_period_start_agrees_with_python(app_ctx, day, week, month) -> None:
    column = literal(day, Date)
    row = db.session.execute(
        select(period_start(column, "meeting"), period_start(column, "week"), period_start(column, "month"))
    ).one()
    assert tuple(row) == (day, week, month)


def test_period_start_refuses_an_unknown_grain(app_ctx) -> None:
    with pytest.raises(ValueError, match="unknown grain"):
        period_start(literal(MONDAY, Date), "year")


def explain(statement: str, parameters) -> str:
    """Return the query plan of one captured statement as text."""
    conn = db.session.connection()
    if ON_POSTGRES:
        conn.execute(text("SET enable_seqscan = off"))  # tiny test tables: ask whether an index *can* serve
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).fetchall()
    else:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


def test_dashboard_queries_use_indexes_not_full_scans(app, client) -> None:
    with app.app_context():
        group = add_group("GRPA", k=3)
        add_responses(
            group,
            MONDAY,
            [{"craving_now": 3.0, "belonged": 2.0, "honest": 3.0, "outsider": 2.0}] * 4,
            participants=["a", "b", "c", "d"],
        )
        log_in(client, app, add_user("admin"))
        captured: list[tuple[str, object]] = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith(("SELECT", "WITH")) and "responses" in statement:
                captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            for path in (
                "trend/checkin/craving.json",
                "participation.json",
                "items.json",
                "engagement.json",
                "reliability.json",
                "change.json",
            ):
                assert client.get(f"/groups/GRPA/dashboard/{path}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        assert len(captured) >= 6
        for statement, parameters in captured:
            plan = explain(statement, parameters)
            if ON_POSTGRES:
                assert not re.search(r"Seq Scan on (answers|scores|responses)\b", plan), plan
            else:
                assert not re.search(r"\bSCAN (answers|scores|responses)\b", plan), (statement, plan)
            # The instrument-version index alone would read every group's responses.
            assert "ix_responses_instrument_version_id" not in plan, (statement, plan)
        db.session.rollback()


def test_admin_response_export_with_codebook(app, client) -> None:
    with app.app_context():
        group = add_group("GRPA", k=3)
        answers = [{"craving_now": 3.0, "comment": "call 555-123-4567"}, {"craving_now": 5.0}, {"craving_now": 7.0}]
        add_responses(group, MONDAY, answers, participants=["p1", "p1", None])
        log_in(client, app, add_user("admin"))
    plain = client.get("/groups/GRPA/dashboard/responses.csv")
    rows = list(csv.DictReader(io.StringIO(plain.get_data(as_text=True))))
    rows.sort(key=lambda r: float(r["checkin.craving.score"]))  # shuffled within the meeting
    assert len(rows) == 3 and "checkin.comment" not in rows[0]
    assert [float(r["checkin.craving.score"]) for r in rows] == [3.0, 5.0, 7.0]
    assert rows[0]["participant"] == rows[1]["participant"] != "" and rows[2]["participant"] == ""
    assert "p1" not in plain.get_data(as_text=True)
    with_text = list(
        csv.DictReader(io.StringIO(client.get("/groups/GRPA/dashboard/responses.csv?text=1").get_data(as_text=True)))
    )
    with_text.sort(key=lambda r: float(r["checkin.craving.score"]))
    assert with_text[0]["checkin.comment"] == "call [phone removed]"  # masked as on the comments page
    assert with_text[0]["participant"] != rows[0]["participant"]  # pseudonyms are new for every export
    codebook = list(
        csv.DictReader(io.StringIO(client.get("/groups/GRPA/dashboard/codebook.csv").get_data(as_text=True)))
    )
    columns = {r["column"]: r for r in codebook}
    assert set(rows[0]) <= set(columns)
    assert columns["checkin.outsider"]["reverse_scored"] == "True"
    assert "Strongly disagree" in columns["checkin.belonged"]["values"]
    with app.app_context():
        details = [e.detail for e in db.session.query(AuditEvent).filter_by(action="export").order_by(AuditEvent.id)]
    assert len(details) == 2 and details[1].endswith("text=1")


def test_coordinators_cannot_export_responses(app, client) -> None:
    with app.app_context():
        group = add_group("GRPA", k=3)
        log_in(client, app, add_user("coordinator", {group: "manager"}))
    assert client.get("/groups/GRPA/dashboard/responses.csv").status_code == 403
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="export").count() == 0
