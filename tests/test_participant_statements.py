"""What the participant pages send to the database, counted statement by statement, for every
outcome of the one submission path.

The throughput benchmark (bench/throughput.py) depends on these staying few: on PostgreSQL every
statement is a round trip, and on SQLite the write lock is held for the INSERTs. Counting them is
exact on any machine, unlike timing, so it is the regression test for the benchmark's levers.
A POST that is thanked is its one write alone, which finds its group itself: on PostgreSQL one
statement (INSERTs inside WITH, the group and the resend check inside it too); on SQLite one
transaction of an INSERT per table. The group is read only for a page that shows it (a refusal) or a
POST that names no language.
The ORM session is not used by the form, the POST or the thank-you page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from survey.extensions import db
from survey.models import Answer, Group, InstrumentVersion, Meeting, Response, Score

from . import participant_support as support
from .conftest import ON_POSTGRES
from .participant_support import VALID_ANSWERS, get_token, make_group, submit

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """Record the SQL (upper case, one line) of every statement the app's engine runs, BEGIN included,
    and "ORM SESSION" each time the ORM session starts a transaction."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, _parameters: Any, _context: Any, _many: bool) -> None:
        seen.append(" ".join(sql.split()).upper())

    def session_began(_session: Any, _transaction: Any, _connection: Any) -> None:
        seen.append("ORM SESSION")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    event.listen(Session, "after_begin", session_began)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(Session, "after_begin", session_began)


def inserts(sql: str) -> list[str]:
    """The tables a statement inserts into, in its order (several for INSERTs inside WITH)."""
    return [f"INSERT INTO {table}" for table in re.findall(r"INSERT INTO (\w+)", sql)]


def writes(seen: list[str]) -> list[str]:
    """Every write the statements make, in order ("INSERT INTO ANSWERS", "UPDATE ...", ...)."""
    found = []
    for sql in seen:
        found += inserts(sql) or ([" ".join(sql.split()[:2])] if sql.startswith(("UPDATE", "DELETE")) else [])
    return found


def reads(seen: list[str]) -> list[str]:
    """The statements that only read."""
    return [sql for sql in seen if sql.startswith(("SELECT", "WITH")) and not inserts(sql)]


def sent(seen: list[str]) -> list[str]:
    """The statements proper: no BEGIN, COMMIT or ROLLBACK, no session marker."""
    return [sql for sql in seen if sql.startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE"))]


def begins(seen: list[str]) -> list[str]:
    """The transactions SQLite was asked to open (PostgreSQL's BEGIN is the driver's own, not counted here)."""
    return [sql for sql in seen if sql.startswith("BEGIN")]


WHOLE_RESPONSE = ["INSERT INTO RESPONSES", "INSERT INTO ANSWERS", "INSERT INTO SCORES"]
GROUP_READ = "FROM GROUPS LEFT OUTER JOIN GROUP_INSTRUMENTS"  # the group, its instruments and nearby meetings


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def warm(app: Flask, client: FlaskClient) -> None:
    """Store one answer, so the group's meeting of today and the version exist."""
    make_group(app)
    assert submit(client).status_code == 303


def test_the_blank_form_page_is_one_read(papp: Flask, pclient: FlaskClient) -> None:
    make_group(papp)
    get_token(pclient)  # renders and caches the page
    with statements(papp) as seen:
        get_token(pclient)
    assert writes(seen) == [] and len(sent(seen)) == 1 and GROUP_READ in seen[0], seen
    assert begins(seen) == [] and "ORM SESSION" not in seen, seen


def test_a_new_submission_is_its_one_write_alone(papp: Flask, pclient: FlaskClient) -> None:
    warm(papp, pclient)
    token = get_token(pclient)
    with statements(papp) as seen:
        assert submit(pclient, token=token).status_code == 303
    assert reads(seen) == [], seen  # the write finds the group itself
    assert writes(seen) == WHOLE_RESPONSE, seen
    assert len(sent(seen)) == (1 if ON_POSTGRES else 3), seen  # PostgreSQL: the write is one statement
    assert len(begins(seen)) == (0 if ON_POSTGRES else 1) and "ORM SESSION" not in seen, seen
    assert count(papp, Response) == 2 and count(papp, Meeting) == 1 and count(papp, InstrumentVersion) == 1


def test_a_submission_without_the_language_field_reads_its_group_for_the_language(
    papp: Flask, pclient: FlaskClient
) -> None:
    warm(papp, pclient)
    token = get_token(pclient)
    data = {"form_token": token, "website": "", **VALID_ANSWERS}  # no `lang`
    with statements(papp) as seen:
        assert pclient.post("/s/TESTGRP", data=data).status_code == 303
    assert len(reads(seen)) == 1 and GROUP_READ in reads(seen)[0] and writes(seen) == WHOLE_RESPONSE, seen
    assert len(sent(seen)) == (2 if ON_POSTGRES else 4), seen


def test_answers_and_scores_go_as_one_multi_row_statement_each(papp: Flask, pclient: FlaskClient) -> None:
    warm(papp, pclient)
    token = get_token(pclient)
    answers_before, scores_before = count(papp, Answer), count(papp, Score)
    with statements(papp) as seen:
        assert submit(pclient, token=token).status_code == 303
    answer_rows, score_rows = count(papp, Answer) - answers_before, count(papp, Score) - scores_before
    assert answer_rows > 1 and score_rows >= 1
    assert writes(seen).count("INSERT INTO ANSWERS") == 1 and writes(seen).count("INSERT INTO SCORES") == 1, seen


def test_a_resend_is_one_write_that_stores_nothing(papp: Flask, pclient: FlaskClient) -> None:
    warm(papp, pclient)
    token = get_token(pclient)
    first = submit(pclient, token=token)
    answers_before = count(papp, Answer)
    with statements(papp) as seen:
        again = submit(pclient, token=token)
    assert (
        again.status_code == 303 and again.headers["Location"].split("?")[0] == first.headers["Location"].split("?")[0]
    )
    assert len(reads(seen)) == (0 if ON_POSTGRES else 1), seen  # SQLite: the INSERT found it stored, then which nonce
    assert len(sent(seen)) == (1 if ON_POSTGRES else 2), seen  # the write's INSERT finds the nonce taken
    assert len(begins(seen)) == (0 if ON_POSTGRES else 1), seen  # one write transaction on SQLite
    assert (count(papp, Response), count(papp, Answer)) == (2, answers_before)


def test_other_answers_on_the_same_form_page_are_one_write(papp: Flask, pclient: FlaskClient) -> None:
    warm(papp, pclient)
    token = get_token(pclient)
    assert submit(pclient, token=token).status_code == 303
    with statements(papp) as seen:
        other = submit(pclient, token=token, answers={**VALID_ANSWERS, "mood": "2"})
    assert other.status_code == 303
    assert reads(seen) == [] and writes(seen) == WHOLE_RESPONSE, seen
    assert len(sent(seen)) == (1 if ON_POSTGRES else 3), seen
    assert count(papp, Response) == 3


@pytest.mark.parametrize(
    "change",
    [
        {"mood": "11"},  # out of range: the form again with the problem
        {"mood": "", "belong": "", "used": "", "topic": "", "supports": [], "note": ""},  # nothing answered
        {"website": "http://spam.example"},  # the honeypot
        {"unexpected": "x"},  # a field the form never had
    ],
)
def test_a_form_with_problems_is_one_read_and_no_write(
    papp: Flask, pclient: FlaskClient, change: dict[str, Any]
) -> None:
    warm(papp, pclient)
    token = get_token(pclient)
    with statements(papp) as seen:
        assert submit(pclient, token=token, answers={**VALID_ANSWERS, **change}).status_code == 400
    assert len(sent(seen)) == 1 and GROUP_READ in seen[0] and writes(seen) == [], seen
    assert begins(seen) == [] and "ORM SESSION" not in seen, seen


def test_a_damaged_token_is_one_read_and_the_form_again(papp: Flask, pclient: FlaskClient) -> None:
    warm(papp, pclient)
    with statements(papp) as seen:
        assert submit(pclient, token="damaged").status_code == 400
    assert len(sent(seen)) == 1 and writes(seen) == [] and begins(seen) == [], seen


def test_a_closed_group_is_the_write_storing_nothing_then_the_group_for_its_page(
    papp: Flask, pclient: FlaskClient
) -> None:
    warm(papp, pclient)
    token = get_token(pclient)
    with papp.app_context():
        db.session.execute(update(Group).values(is_open=False))
        db.session.commit()
    with statements(papp) as seen:
        assert submit(pclient, token=token).status_code == 410
    # The write (SQLite: its INSERT, then which nonce: was this form's answer stored before?), then the group.
    assert len(sent(seen)) == (2 if ON_POSTGRES else 3) and GROUP_READ in sent(seen)[-1], seen
    assert count(papp, Response) == 1 and count(papp, Answer) == len(VALID_ANSWERS)


def test_a_token_of_another_group_is_the_write_storing_nothing_then_the_group_for_the_form(
    papp: Flask, pclient: FlaskClient
) -> None:
    warm(papp, pclient)
    make_group(papp, code="OTHERGRP")
    token = get_token(pclient, code="OTHERGRP")
    with statements(papp) as seen:
        assert submit(pclient, token=token).status_code == 400  # sent to TESTGRP
    assert len(sent(seen)) == (2 if ON_POSTGRES else 3) and GROUP_READ in sent(seen)[-1], seen
    assert count(papp, Response) == 1


def test_the_first_answer_of_a_meeting_creates_it_then_writes_once(papp: Flask, pclient: FlaskClient) -> None:
    make_group(papp)
    token = get_token(pclient)
    with statements(papp) as seen:
        assert submit(pclient, token=token).status_code == 303
    inserted = writes(seen)
    assert "INSERT INTO MEETINGS" in inserted and "INSERT INTO INSTRUMENT_VERSIONS" in inserted
    # The write found nothing to join (and stored nothing), the meeting and version were stored, the write again.
    assert inserted.count("INSERT INTO RESPONSES") == 2 and count(papp, Answer) == len(VALID_ANSWERS)
    assert count(papp, Response) == 1 and count(papp, Meeting) == 1 and count(papp, InstrumentVersion) == 1
    with papp.app_context():
        response = db.session.scalars(select(Response)).one()
        meeting = db.session.get(Meeting, response.meeting_id)
        assert meeting is not None and meeting.local_date == response.meeting_date


@pytest.mark.parametrize("answers", [VALID_ANSWERS, {**VALID_ANSWERS, "mood": "1"}])  # without and with an alert
def test_the_thank_you_page_is_one_read(papp: Flask, pclient: FlaskClient, answers: dict[str, Any]) -> None:
    warm(papp, pclient)
    location = submit(pclient, answers=answers).headers["Location"]
    with statements(papp) as seen:
        page = pclient.get(location)
    assert page.status_code == 200
    assert ("Your mood is low tonight." in page.get_data(as_text=True)) == (answers["mood"] == "1")
    assert len(sent(seen)) == 1 and writes(seen) == [], seen
    assert begins(seen) == [] and "ORM SESSION" not in seen, seen


@pytest.mark.parametrize(("ticket", "status"), [("doesnotexist1234567890", 404), ("", 404)])
def test_a_thank_you_page_not_found_is_one_read(papp: Flask, pclient: FlaskClient, ticket: str, status: int) -> None:
    warm(papp, pclient)
    with statements(papp) as seen:
        assert pclient.get(f"/s/TESTGRP/thanks?r={ticket}").status_code == status
    assert len(sent(seen)) == 1 and writes(seen) == [] and "ORM SESSION" not in seen, seen


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's query plan; PostgreSQL plans by its statistics")
def test_the_thank_you_read_looks_its_responses_up_by_token(papp: Flask) -> None:
    """Joined on the group as well, SQLite walked the group's index over every response the group ever had,
    a read that grew with the group; the responses' unique tokens find them directly."""
    from survey.participant import thanks

    with papp.app_context():
        compiled = thanks._SUBMISSION.compile(dialect=db.engine.dialect)
        bound = [None] * len(compiled.positiontup or ())
        plan = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled.string}", tuple(bound)).all()
    responses = [row[3] for row in plan if " responses " in f" {row[3]} "]
    assert responses and all("(token=?)" in step for step in responses), plan


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's planner")
def test_the_thank_you_read_uses_indexes_on_postgres_whatever_the_statistics(papp: Flask, pclient: FlaskClient) -> None:
    """With ten candidate tokens and a few thousand responses never analysed (a new deployment, or
    autovacuum off), the plain LEFT JOIN read scanned every response and every score on PostgreSQL:
    a thank-you page whose cost grew with the tables. Each token and each response's scores must be
    an index lookup."""
    from survey.participant import thanks

    warm(papp, pclient)
    with papp.app_context():
        nonce = db.session.scalars(select(Response.token)).one()
    columns = [c.name for c in Response.__table__.columns if c.name not in {"id", "token"}]
    listed = ", ".join(columns)
    with papp.app_context():
        connection = db.session.connection()
        connection.exec_driver_sql(
            f"INSERT INTO responses (token, {listed}) SELECT 'bulk-' || n, {listed}"
            " FROM responses, generate_series(1, 3000) AS n WHERE token = %(token)s",
            {"token": nonce},
        )
        connection.exec_driver_sql(
            "INSERT INTO scores (response_id, scale_id, value, band) SELECT r.id, s.scale_id, s.value, s.band"
            " FROM responses r JOIN responses first ON first.token = %(token)s"
            " JOIN scores s ON s.response_id = first.id WHERE r.token LIKE 'bulk-%%'",
            {"token": nonce},
        )
        db.session.commit()
        statement = thanks._SUBMISSION_ON_POSTGRES.compile(dialect=db.engine.dialect)
        tokens = {name: f"{nonce}-{n}" if n else nonce for n, name in enumerate(thanks._TOKENS)}
        plan = "\n".join(
            row[0]
            for row in db.session.connection().exec_driver_sql(
                f"EXPLAIN {statement.string}", {"code": "TESTGRP", **tokens}
            )
        )
        found = thanks.stored_submission("TESTGRP", nonce, db.session.connection())
    assert "Seq Scan on responses" not in plan and "Seq Scan on scores" not in plan, plan
    assert "uq_responses_token" in plan and "pk_scores" in plan, plan
    assert found is not None and [r.token for r in found.responses] == [nonce] and found.responses[0].scores
