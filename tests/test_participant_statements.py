"""What the participant hot path sends to the database, counted statement by statement.

The throughput benchmark (bench/throughput.py) depends on these staying few: on PostgreSQL every
statement is a round trip, and on SQLite the write lock is held for the INSERTs. Counting them is
exact on any machine, unlike timing, so it is the regression test for the benchmark's levers.
On PostgreSQL a response, its answers and its scores are one statement (INSERTs inside WITH);
on SQLite three.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from survey.extensions import db
from survey.models import Answer, InstrumentVersion, Meeting, Response, Score

from . import participant_support as support
from .conftest import ON_POSTGRES
from .participant_support import get_token, make_group, submit

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """Record the SQL (upper case, one line) of every statement the app's engine runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, _parameters: Any, _context: Any, _many: bool) -> None:
        seen.append(" ".join(sql.split()).upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


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


WHOLE_RESPONSE = ["INSERT INTO RESPONSES", "INSERT INTO ANSWERS", "INSERT INTO SCORES"]


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_post_for_a_known_meeting_and_version_is_three_inserts_and_no_read(papp: Flask, pclient: FlaskClient) -> None:
    make_group(papp)
    assert submit(pclient).status_code == 303  # the first answer stores the meeting and the version
    token = get_token(pclient)
    with statements(papp) as seen:
        assert submit(pclient, token=token).status_code == 303
    assert reads(seen) == [], seen  # the group is checked, and the meeting and version ids found, inside the INSERT
    assert writes(seen) == WHOLE_RESPONSE, seen
    statements_that_insert = [sql for sql in seen if inserts(sql)]
    assert len(statements_that_insert) == (1 if ON_POSTGRES else 3), seen  # PostgreSQL: one round trip
    assert count(papp, Response) == 2 and count(papp, Meeting) == 1 and count(papp, InstrumentVersion) == 1


def test_answers_and_scores_go_as_one_multi_row_statement_each(papp: Flask, pclient: FlaskClient) -> None:
    make_group(papp)
    assert submit(pclient).status_code == 303
    token = get_token(pclient)
    answers_before, scores_before = count(papp, Answer), count(papp, Score)
    with statements(papp) as seen:
        assert submit(pclient, token=token).status_code == 303
    answer_rows, score_rows = count(papp, Answer) - answers_before, count(papp, Score) - scores_before
    assert answer_rows > 1 and score_rows >= 1
    assert writes(seen).count("INSERT INTO ANSWERS") == 1 and writes(seen).count("INSERT INTO SCORES") == 1, seen


def test_the_first_answer_of_a_meeting_creates_it_in_the_same_transaction(papp: Flask, pclient: FlaskClient) -> None:
    make_group(papp)
    token = get_token(pclient)
    with statements(papp) as seen:
        assert submit(pclient, token=token).status_code == 303
    inserted = writes(seen)
    assert "INSERT INTO MEETINGS" in inserted and "INSERT INTO INSTRUMENT_VERSIONS" in inserted
    # Tried by the fast path and by the ordinary path (nothing to join either time), then stored.
    assert inserted.count("INSERT INTO RESPONSES") == 3
    assert count(papp, Response) == 1 and count(papp, Meeting) == 1 and count(papp, InstrumentVersion) == 1
    with papp.app_context():
        response = db.session.scalars(select(Response)).one()
        meeting = db.session.get(Meeting, response.meeting_id)
        assert meeting is not None and meeting.local_date == response.meeting_date


def test_the_blank_form_page_reads_and_never_writes(papp: Flask, pclient: FlaskClient) -> None:
    make_group(papp)
    get_token(pclient)  # renders and caches the page
    with statements(papp) as seen:
        get_token(pclient)
    assert writes(seen) == [] and len(reads(seen)) == 1, seen  # the group, its instruments and nearby meetings in one
