"""Store one submitted questionnaire: response, answers and scores in one transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import insert

from . import catalog
from .extensions import db
from .instruments import ITEM_TYPES, Instrument
from .models import Answer, Meeting, Response, Score
from .scoring import AnswerValue, score_response


def hour_bucket(moment: dt.datetime) -> dt.datetime:
    """Truncate a time to its hour, the finest submission time we keep."""
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def answer_values(instrument: Instrument, item_id: str, value: AnswerValue) -> tuple[float | None, str | None]:
    """Return how one cleaned value is stored: (value_num, value_text), numbers and text apart."""
    item = instrument.item(item_id)
    if ITEM_TYPES[item.type].numeric:
        return float(value), None  # type: ignore[arg-type]
    if isinstance(value, tuple):
        return None, json.dumps(list(value), ensure_ascii=False)
    return None, str(value)


@dataclass(frozen=True)
class PreparedResponse:
    """Everything stored for one questionnaire, worked out before the write transaction."""

    instrument: Instrument
    version_id: int | None  # None until this version is first stored
    answers: list[tuple[str, float | None, str | None]]  # (item id, value_num, value_text)
    scores: list[tuple[str, float, str | None]]  # (scale id, value, band)


def prepare_response(instrument: Instrument, answers: Mapping[str, AnswerValue]) -> PreparedResponse:
    """Score the answers and find the stored version, reading only: nothing here takes a write lock.

    Scores are computed now, from the exact version answered, and stored beside the answers.
    """
    result = score_response(instrument, answers)
    return PreparedResponse(
        instrument=instrument,
        version_id=catalog.stored_version_id(instrument),
        answers=[(item_id, *answer_values(instrument, item_id, value)) for item_id, value in answers.items()],
        scores=[
            (scale_id, value, result.bands.get(scale_id))
            for scale_id, value in result.scores.items()
            if value is not None
        ],
    )


def insert_response(
    prepared: PreparedResponse,
    *,
    meeting_id: int,
    group_id: int,
    meeting_date: dt.date,
    locale: str,
    token: str,
    submitted_at: dt.datetime,
    participant_hash: str | None = None,
) -> int:
    """Insert a prepared response with its answers and scores in the session's transaction; return its id.

    Three Core INSERTs (answers and scores as one executemany each) rather than the ORM's unit
    of work: this is the participant POST's hot path, run while SQLite's write lock is held, and
    nothing needs the objects back. The caller commits; a token already stored raises
    IntegrityError (unique), which the caller settles.
    """
    version_id = prepared.version_id or catalog.ensure_version(prepared.instrument).id
    responses = Response.__table__
    response_id: int = db.session.execute(  # through the session, so begin_write knows it wrote
        insert(responses).returning(responses.c.id),  # type: ignore[arg-type]
        {
            "token": token,
            "meeting_id": meeting_id,
            "group_id": group_id,
            "meeting_date": meeting_date,
            "instrument_version_id": version_id,
            "locale": locale,
            "submitted_hour": hour_bucket(submitted_at),
            "participant_hash": participant_hash,
        },
    ).scalar_one()
    if prepared.answers:
        db.session.execute(
            insert(Answer.__table__),  # type: ignore[arg-type]
            [
                {"response_id": response_id, "item_id": item_id, "value_num": num, "value_text": text}
                for item_id, num, text in prepared.answers
            ],
        )
    if prepared.scores:
        db.session.execute(
            insert(Score.__table__),  # type: ignore[arg-type]
            [
                {"response_id": response_id, "scale_id": scale_id, "value": value, "band": band}
                for scale_id, value, band in prepared.scores
            ],
        )
    return response_id


def build_response(
    *,
    meeting: Meeting,
    instrument: Instrument,
    answers: Mapping[str, AnswerValue],
    locale: str,
    token: str,
    submitted_at: dt.datetime,
    participant_hash: str | None = None,
) -> int:
    """Insert a response to this (flushed) meeting with its answers and scores; return its id (the caller commits)."""
    return insert_response(
        prepare_response(instrument, answers),
        meeting_id=meeting.id,
        group_id=meeting.group_id,
        meeting_date=meeting.local_date,
        locale=locale,
        token=token,
        submitted_at=submitted_at,
        participant_hash=participant_hash,
    )
