"""store_submission stores exactly the prepared rows, on SQLite (an INSERT per table) and PostgreSQL
(one statement), and settles resends inside the write.

The PostgreSQL statement carries responses, answers and scores as arrays unnested into rows; these
cases are the ones an array can get wrong: no rows at all, columns that are all NULL, text with JSON
and non-ASCII, several questionnaires, and a response that finds nothing to join (nothing at all is
stored then).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from survey import catalog
from survey.database import begin_write, read_connection, write_once
from survey.extensions import db
from survey.instruments import Instrument
from survey.instruments.loader import load_instrument_text
from survey.models import Answer, Group, Meeting, Response, Score
from survey.submissions import (
    MissingRows,
    NewSubmission,
    PreparedResponse,
    Stored,
    prepare_response,
    store_submission,
)

MULTI = """
id: multi
version: "1"
title: {en: Multi}
construct: Testing
estimated_minutes: 1
validated: false
disclaimer: {en: Not validated.}
licence: {type: CC0-1.0, holder: Tests, redistribution_allowed: true, modification_allowed: true}
locales: [en]
items:
  - id: pick
    type: multiple_choice
    text: {en: Pick}
    options:
      - {value: a, label: {en: A}}
      - {value: b, label: {en: B}}
  - id: note
    type: text
    max_length: 50
    text: {en: Note}
"""
DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 20, 15, tzinfo=dt.UTC)


def stored_rows(response_id: int) -> tuple[list[tuple], list[tuple]]:
    answers = db.session.execute(
        select(Answer.item_id, Answer.value_num, Answer.value_text)
        .where(Answer.response_id == response_id)
        .order_by(Answer.item_id)
    ).all()
    scores = db.session.execute(
        select(Score.scale_id, Score.value, Score.band).where(Score.response_id == response_id).order_by(Score.scale_id)
    ).all()
    return [tuple(row) for row in answers], [tuple(row) for row in scores]


def group_with_meeting(instrument: Instrument, code: str = "STORE1", is_open: bool = True) -> Group:
    begin_write()
    group = Group(name="Store", code=code, is_open=is_open)
    db.session.add(group)
    db.session.flush()
    db.session.add(Meeting(group_id=group.id, local_date=DAY))
    catalog.ensure_version(instrument)
    db.session.commit()
    return group


def submission(
    *prepared: PreparedResponse, nonce: str, day: dt.date = DAY, code_hash: str | None = None
) -> NewSubmission:
    group_id, group_code = db.session.execute(select(Group.id, Group.code).order_by(Group.id.desc())).first()  # type: ignore[misc]
    return NewSubmission(
        group_id=group_id,
        group_code=group_code,
        meeting_date=day,
        nonce=nonce,
        locale="es",
        submitted_at=NOW,
        participant_hash=code_hash,
        responses=list(prepared),
    )


def store(*prepared: PreparedResponse, nonce: str, **extra: object) -> Stored:
    begin_write()
    stored = store_submission(db.session, submission(*prepared, nonce=nonce, **extra))  # type: ignore[arg-type]
    db.session.commit()
    return stored


def response_id(token: str) -> int:
    return int(db.session.scalar(select(Response.id).where(Response.token == token)))


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def checkin(app_ctx: Flask) -> Instrument:
    instrument = catalog.registry().get("checkin")
    assert instrument is not None
    return instrument


def test_answers_and_scores_are_stored_exactly(checkin: Instrument) -> None:
    group_with_meeting(checkin)
    answers = {item.id: 4.0 for item in checkin.items if item.type != "text"} | {"comment": "Ñandú – 🙂 ok"}
    prepared = prepare_response(checkin, answers)
    assert prepared.scores and any(text is None for _i, _n, text in prepared.answers)
    assert store(prepared, nonce="t-exact") == Stored("t-exact", new=True, stored=True)
    stored_answers, stored_scores = stored_rows(response_id("t-exact"))
    assert stored_answers == sorted(prepared.answers)
    assert stored_scores == sorted(prepared.scores)
    response = db.session.get(Response, response_id("t-exact"))
    assert response is not None and response.locale == "es" and response.meeting_date == DAY


def test_a_response_without_scores_or_numbers_stores_its_text_answers_only(app_ctx: Flask) -> None:
    multi = load_instrument_text(MULTI, "multi.yaml")
    group_with_meeting(multi)
    prepared = prepare_response(multi, {"pick": ("a", "b"), "note": '"quoted", {braces}'})
    assert prepared.scores == [] and all(num is None for _i, num, _t in prepared.answers)
    assert store(prepared, nonce="t-text").stored
    assert stored_rows(response_id("t-text")) == (sorted(prepared.answers), [])
    assert ("pick", None, '["a", "b"]') in stored_rows(response_id("t-text"))[0]


def test_a_response_without_any_answer_is_stored_alone(checkin: Instrument) -> None:
    group_with_meeting(checkin)
    assert store(prepare_response(checkin, {}), nonce="t-empty").stored
    assert stored_rows(response_id("t-empty")) == ([], [])


def test_two_questionnaires_are_stored_under_their_positions(checkin: Instrument) -> None:
    multi = load_instrument_text(MULTI, "multi.yaml")
    group_with_meeting(checkin)
    catalog.ensure_version(multi)
    db.session.commit()
    first, second = prepare_response(checkin, {"belonged": 2.0}), prepare_response(multi, {"pick": ("b",)})
    assert store(first, second, nonce="t-two").stored
    assert stored_rows(response_id("t-two"))[0] == [("belonged", 2.0, None)]
    assert stored_rows(response_id("t-two-1"))[0] == [("pick", None, '["b"]')]
    keys = db.session.scalars(select(Response.submission).where(Response.token.in_(["t-two", "t-two-1"]))).all()
    assert len(keys) == 2 and len(set(keys)) == 1  # one person


def test_a_resend_stores_nothing_and_other_answers_get_their_own_nonce(checkin: Instrument) -> None:
    group_with_meeting(checkin)
    mine, theirs = prepare_response(checkin, {"belonged": 4.0}), prepare_response(checkin, {"belonged": 1.0})
    assert store(mine, nonce="t-page") == Stored("t-page", new=True, stored=True)
    assert store(mine, nonce="t-page") == Stored("t-page", new=False, stored=False)  # resent: found, not stored
    other = store(theirs, nonce="t-page")
    assert other.stored and other.nonce.startswith("t-page.") and len(other.nonce) == len("t-page.") + 12
    assert store(theirs, nonce="t-page") == Stored(other.nonce, new=False, stored=False)
    assert store(mine, nonce="t-page", code_hash="a" * 64).nonce != "t-page"  # a code is part of the answers
    assert count(Response) == 3


@pytest.mark.parametrize("change", [{"is_open": False}, {"archived_at": dt.datetime(2026, 11, 24, tzinfo=dt.UTC)}])
def test_a_closed_group_refuses_new_answers_but_finds_a_resend(checkin: Instrument, change: dict[str, object]) -> None:
    group_with_meeting(checkin)
    prepared = prepare_response(checkin, {"belonged": 4.0})
    assert store(prepared, nonce="t-before").stored
    db.session.execute(update(Group).values(**change))
    db.session.commit()
    assert store(prepared, nonce="t-before") == Stored("t-before", new=False, stored=False)
    assert store(prepared, nonce="t-after") == Stored("t-after", new=True, stored=False)
    assert (count(Response), count(Answer)) == (1, 1)


def test_the_write_finds_its_group_by_the_token_id_and_the_address_code(checkin: Instrument) -> None:
    """Nothing is read before the write: it stores nothing, and finds no resend, unless the token's group
    has the address's code."""
    group_with_meeting(checkin, code="STORE1")
    other = group_with_meeting(checkin, code="STORE2")
    prepared = prepare_response(checkin, {"belonged": 4.0})
    assert store(prepared, nonce="t-mine").stored  # STORE2, the newest group
    for group_id, code in [(other.id, "STORE1"), (other.id, "NOSUCH"), (other.id + 1, "STORE2")]:
        for nonce in ("t-mine", "t-new"):
            wrong = replace(submission(prepared, nonce=nonce), group_id=group_id, group_code=code)
            begin_write()
            assert store_submission(db.session, wrong) == Stored(
                nonce, new=nonce == "t-new", stored=False, addressed=False
            )
            db.session.commit()
    assert count(Response) == 1


def test_nothing_is_stored_before_the_meeting_row_exists(checkin: Instrument) -> None:
    group_with_meeting(checkin)
    begin_write()
    with pytest.raises(MissingRows):
        store_submission(
            db.session,
            submission(prepare_response(checkin, {"belonged": 4.0}), nonce="t-no", day=DAY + dt.timedelta(7)),
        )
    db.session.rollback()
    assert (count(Response), count(Answer)) == (0, 0)


def test_begin_write_knows_the_transaction_wrote(checkin: Instrument) -> None:
    """On PostgreSQL the write is a SELECT (INSERTs inside WITH): its WRITES option marks the transaction."""
    group_with_meeting(checkin)
    begin_write()
    store_submission(db.session, submission(prepare_response(checkin, {"belonged": 4.0}), nonce="t-marked"))
    with pytest.raises(RuntimeError, match="before the first change"):
        begin_write()
    db.session.rollback()


def test_a_submission_with_one_version_missing_stores_nothing_at_all(checkin: Instrument) -> None:
    """On PostgreSQL the write runs in autocommit (database.write_once): the statement itself must be all or nothing."""
    multi = load_instrument_text(MULTI, "multi.yaml")  # its version is never stored
    group_with_meeting(checkin)
    both = submission(
        prepare_response(checkin, {"belonged": 2.0}), prepare_response(multi, {"pick": ("a",)}), nonce="t-half"
    )
    with read_connection() as connection, pytest.raises(MissingRows), write_once(connection):
        store_submission(connection, both)
    assert (count(Response), count(Answer), count(Score)) == (0, 0, 0)
