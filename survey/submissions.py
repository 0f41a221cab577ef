"""Store one submitted questionnaire: response, answers and scores in one transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from sqlalchemy import select

from . import catalog
from .extensions import db
from .instruments import ITEM_TYPES, Instrument
from .models import Answer, Meeting, Response, Score
from .scoring import AnswerValue, score_response


def hour_bucket(moment: dt.datetime) -> dt.datetime:
    """Truncate a time to its hour, the finest submission time we keep."""
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def find_by_token(token: str) -> Response | None:
    """Return the response already stored under this idempotency token, if any."""
    return db.session.scalar(select(Response).filter_by(token=token))


def answer_row(instrument: Instrument, item_id: str, value: AnswerValue) -> Answer:
    """Build the Answer row for one cleaned value: numbers and text in their own columns."""
    item = instrument.item(item_id)
    if ITEM_TYPES[item.type].numeric:
        return Answer(item_id=item_id, value_num=float(value))  # type: ignore[arg-type]
    if isinstance(value, tuple):
        return Answer(item_id=item_id, value_text=json.dumps(list(value), ensure_ascii=False))
    return Answer(item_id=item_id, value_text=str(value))


def build_response(
    *,
    meeting: Meeting,
    instrument: Instrument,
    answers: Mapping[str, AnswerValue],
    locale: str,
    token: str,
    submitted_at: dt.datetime,
    participant_hash: str | None = None,
) -> Response:
    """Add a response with its answers and scores to the session (the caller commits).

    Scores are computed now, from the exact version answered, and stored beside the answers.
    """
    version = catalog.ensure_version(instrument)
    result = score_response(instrument, answers)
    response = Response(
        token=token,
        meeting_id=meeting.id,
        group_id=meeting.group_id,
        meeting_date=meeting.local_date,
        instrument_version_id=version.id,
        locale=locale,
        submitted_hour=hour_bucket(submitted_at),
        participant_hash=participant_hash,
    )
    response.answers = [answer_row(instrument, item_id, value) for item_id, value in answers.items()]
    response.scores = [
        Score(scale_id=scale_id, value=value, band=result.bands.get(scale_id))
        for scale_id, value in result.scores.items()
        if value is not None
    ]
    db.session.add(response)
    return response
