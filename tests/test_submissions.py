"""insert_response stores exactly the prepared rows, on SQLite (three INSERTs) and PostgreSQL (one statement).

The PostgreSQL statement carries answers and scores as arrays unnested into rows; these cases
are the ones an array can get wrong: no rows at all, columns that are all NULL, text with JSON
and non-ASCII, and a response that finds nothing to join (nothing at all is stored then).
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select

from survey import catalog
from survey.database import begin_write
from survey.extensions import db
from survey.instruments import Instrument
from survey.instruments.loader import load_instrument_text
from survey.models import Answer, Group, Meeting, Response, Score
from survey.submissions import PreparedResponse, insert_response, prepare_response

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


def store(prepared: PreparedResponse, group: Group, token: str, **extra: str) -> int | None:
    begin_write()
    response_id = insert_response(
        prepared, group_id=group.id, meeting_date=DAY, locale="es", token=token, submitted_at=NOW, **extra
    )
    db.session.commit()
    return response_id


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def checkin(app_ctx: Flask) -> Instrument:
    instrument = catalog.registry().get("checkin")
    assert instrument is not None
    return instrument


def test_answers_and_scores_are_stored_exactly(checkin: Instrument) -> None:
    group = group_with_meeting(checkin)
    answers = {item.id: 4.0 for item in checkin.items if item.type != "text"} | {"comment": "Ñandú – 🙂 ok"}
    prepared = prepare_response(checkin, answers)
    assert prepared.scores and any(text is None for _i, _n, text in prepared.answers)
    response_id = store(prepared, group, "t-exact")
    assert response_id is not None
    stored_answers, stored_scores = stored_rows(response_id)
    assert stored_answers == sorted(prepared.answers)
    assert stored_scores == sorted(prepared.scores)
    response = db.session.get(Response, response_id)
    assert response is not None and response.locale == "es" and response.meeting_date == DAY


def test_a_response_without_scores_or_numbers_stores_its_text_answers_only(app_ctx: Flask) -> None:
    multi = load_instrument_text(MULTI, "multi.yaml")
    group = group_with_meeting(multi)
    prepared = prepare_response(multi, {"pick": ("a", "b"), "note": '"quoted", {braces}'})
    assert prepared.scores == [] and all(num is None for _i, num, _t in prepared.answers)
    response_id = store(prepared, group, "t-text")
    assert response_id is not None
    assert stored_rows(response_id) == (sorted(prepared.answers), [])
    assert ("pick", None, '["a", "b"]') in stored_rows(response_id)[0]


def test_a_response_without_any_answer_is_stored_alone(checkin: Instrument) -> None:
    group = group_with_meeting(checkin)
    response_id = store(prepare_response(checkin, {}), group, "t-empty")
    assert response_id is not None and stored_rows(response_id) == ([], [])


def test_nothing_is_stored_when_the_group_is_closed_or_the_code_differs(checkin: Instrument) -> None:
    closed = group_with_meeting(checkin, code="SHUT1", is_open=False)
    prepared = prepare_response(checkin, {"belonged": 4.0})
    assert store(prepared, closed, "t-closed", if_open_group_code="SHUT1") is None
    opened = group_with_meeting(checkin, code="OPEN1")
    assert store(prepared, opened, "t-other", if_open_group_code="SHUT1") is None
    assert (count(Response), count(Answer), count(Score)) == (0, 0, 0)
    assert store(prepared, opened, "t-open", if_open_group_code="OPEN1") is not None
    assert count(Response) == 1 and count(Answer) == 1


def test_nothing_is_stored_before_the_meeting_row_exists(checkin: Instrument) -> None:
    group = group_with_meeting(checkin)
    begin_write()
    response_id = insert_response(
        prepare_response(checkin, {"belonged": 4.0}),
        group_id=group.id,
        meeting_date=DAY + dt.timedelta(days=7),
        locale="en",
        token="t-no-meeting",
        submitted_at=NOW,
    )
    db.session.rollback()
    assert response_id is None and (count(Response), count(Answer)) == (0, 0)


def test_begin_write_knows_the_transaction_wrote(checkin: Instrument) -> None:
    """On PostgreSQL the write is a SELECT (INSERTs inside WITH): its WRITES option marks the transaction."""
    group = group_with_meeting(checkin)
    begin_write()
    insert_response(
        prepare_response(checkin, {"belonged": 4.0}),
        group_id=group.id,
        meeting_date=DAY,
        locale="en",
        token="t-marked",
        submitted_at=NOW,
    )
    with pytest.raises(RuntimeError, match="before the first change"):
        begin_write()
    db.session.rollback()
