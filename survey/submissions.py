"""Store one submitted questionnaire: response, answers and scores in one transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

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
    """Insert a response with its answers and scores in the session's transaction and return its id.

    Scores are computed now, from the exact version answered, and stored beside the answers.
    The rows are written with three Core INSERTs (answers and scores as one executemany each)
    rather than through the ORM's unit of work: this is the participant POST's hot path, and
    nothing here needs the objects back. The caller commits.
    """
    version_id = catalog.version_id(instrument)
    result = score_response(instrument, answers)
    responses = Response.__table__
    response_id: int = db.session.execute(
        insert(responses).returning(responses.c.id),  # type: ignore[arg-type]
        {
            "token": token,
            "meeting_id": meeting.id,
            "group_id": meeting.group_id,
            "meeting_date": meeting.local_date,
            "instrument_version_id": version_id,
            "locale": locale,
            "submitted_hour": hour_bucket(submitted_at),
            "participant_hash": participant_hash,
        },
    ).scalar_one()
    answer_rows = [
        {"response_id": response_id, "item_id": item_id, "value_num": num, "value_text": text}
        for item_id, value in answers.items()
        for num, text in [answer_values(instrument, item_id, value)]
    ]
    score_rows = [
        {"response_id": response_id, "scale_id": scale_id, "value": value, "band": result.bands.get(scale_id)}
        for scale_id, value in result.scores.items()
        if value is not None
    ]
    if answer_rows:
        db.session.execute(insert(Answer.__table__), answer_rows)  # type: ignore[arg-type]
    if score_rows:
        db.session.execute(insert(Score.__table__), score_rows)  # type: ignore[arg-type]
    return response_id
