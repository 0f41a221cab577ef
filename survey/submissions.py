"""Store one submitted questionnaire: response, answers and scores in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Float, Insert, Select, String, Text, bindparam, cast, func, insert, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import scoped_session

from . import catalog
from .database import WRITES
from .extensions import db
from .instruments import ITEM_TYPES, Instrument
from .models import Answer, Group, InstrumentVersion, Meeting, Response, Score
from .scoring import AnswerValue, score_response


def submission_key(nonce: str) -> str:
    """Return the key shared by one submission's responses: a digest, so it is not the thank-you address."""
    return hashlib.sha256(nonce.encode()).hexdigest()[:32]


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


ANSWER_COLUMNS = ("item_id", "value_num", "value_text")  # a PreparedResponse's answer rows, in this order
SCORE_COLUMNS = ("scale_id", "value", "band")  # and its score rows


@dataclass(frozen=True)
class PreparedResponse:
    """Everything stored for one questionnaire, worked out before the write transaction."""

    instrument: Instrument
    answers: list[tuple[str, float | None, str | None]]  # ANSWER_COLUMNS: (item id, value_num, value_text)
    scores: list[tuple[str, float, str | None]]  # SCORE_COLUMNS: (scale id, value, band)


def prepare_response(instrument: Instrument, answers: Mapping[str, AnswerValue]) -> PreparedResponse:
    """Score the answers and shape the rows, without touching the database.

    Scores are computed now, from the exact version answered, and stored beside the answers.
    """
    result = score_response(instrument, answers)
    return PreparedResponse(
        instrument=instrument,
        answers=[(item_id, *answer_values(instrument, item_id, value)) for item_id, value in answers.items()],
        scores=[
            (scale_id, value, result.bands.get(scale_id))
            for scale_id, value in result.scores.items()
            if value is not None
        ],
    )


# Built once (the participant POST runs them; building a statement costs more than running it). The
# response row takes its meeting and instrument-version ids from the rows themselves, found by the
# meeting's (group, date) and the version's content hash, both unique: no separate read before the write,
# and no row at all (rather than an error) while either is not stored yet.
_responses = Response.__table__


def _insert_response_statement(*, only_open_group: bool) -> Insert:
    """INSERT ... SELECT of one response; with only_open_group, only into the open, unarchived group
    whose id *and* public code are given (the participant POST's fast path reads no group first)."""
    rows = (
        select(
            bindparam("token", type_=_responses.c.token.type),
            Meeting.id,
            Meeting.group_id,
            Meeting.local_date,
            InstrumentVersion.id,
            bindparam("locale", type_=_responses.c.locale.type),
            bindparam("submitted_hour", type_=_responses.c.submitted_hour.type),
            bindparam("participant_hash", type_=_responses.c.participant_hash.type),
            bindparam("submission", type_=_responses.c.submission.type),
        )
        .join_from(Meeting, InstrumentVersion, true())  # two one-row lookups side by side
        .where(
            Meeting.group_id == bindparam("group_id"),
            Meeting.local_date == bindparam("meeting_date"),
            InstrumentVersion.content_hash == bindparam("content_hash"),
        )
    )
    if only_open_group:
        rows = rows.join(Group, Group.id == Meeting.group_id).where(
            Group.code == bindparam("group_code"), Group.is_open.is_(True), Group.archived_at.is_(None)
        )
    columns = ["token", "meeting_id", "group_id", "meeting_date", "instrument_version_id", "locale"]
    columns += ["submitted_hour", "participant_hash", "submission"]
    return (
        insert(_responses)  # type: ignore[arg-type]
        .from_select([_responses.c[name] for name in columns], rows)
        .returning(_responses.c.id)
    )


_INSERT_RESPONSE = _insert_response_statement(only_open_group=False)
_INSERT_RESPONSE_IF_OPEN = _insert_response_statement(only_open_group=True)


def _insert_whole_response_statement(response: Insert) -> Select[int]:
    """PostgreSQL: the response, its answers and its scores in one statement, so one round trip.

    The response INSERT becomes a data-modifying WITH; the answers and the scores come as one
    array per column, unnested into rows next to the new response's id, so the statement's text
    is the same whatever the number of rows (prepared once by psycopg). It returns the response's
    id, or no row when the response INSERT found nothing to join (and then nothing is inserted).
    """
    new = response.cte("new_response")

    def rows(table: Any, columns: dict[str, Any]) -> Any:
        arrays = [cast(bindparam(f"{table.name}_{name}"), ARRAY(kind)) for name, kind in columns.items()]
        unnested = func.unnest(*arrays).table_valued(*columns).render_derived(name=f"new_{table.name}_rows")
        picked = select(new.c.id, *(unnested.c[name] for name in columns)).select_from(new).join(unnested, true())
        return insert(table).from_select(["response_id", *columns], picked).cte(f"new_{table.name}")

    answers = rows(Answer.__table__, dict(zip(ANSWER_COLUMNS, (String, Float, Text), strict=True)))
    scores = rows(Score.__table__, dict(zip(SCORE_COLUMNS, (String, Float, String), strict=True)))
    return select(new.c.id).add_cte(answers, scores).execution_options(**{WRITES: True})


def _as_arrays(table_name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """The parameters of one table's rows in the PostgreSQL statement: one list per column."""
    return {f"{table_name}_{name}": [row[n] for row in rows] for n, name in enumerate(columns)}


def _as_dicts(response_id: int, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The parameters of one table's rows in a multi-row INSERT: one dict per row."""
    return [{"response_id": response_id, **dict(zip(columns, row, strict=True))} for row in rows]


_INSERT_WHOLE_RESPONSE = _insert_whole_response_statement(_INSERT_RESPONSE)
_INSERT_WHOLE_RESPONSE_IF_OPEN = _insert_whole_response_statement(_INSERT_RESPONSE_IF_OPEN)
# Elsewhere (SQLite: no round trips to save, and no INSERT inside WITH) three statements: RETURNING makes
# SQLAlchemy send each executemany as one multi-row INSERT ("insertmanyvalues") instead of
# one statement per row; the returned keys are not needed.
_INSERT_ANSWERS = insert(Answer.__table__).returning(Answer.__table__.c.response_id)  # type: ignore[arg-type]
_INSERT_SCORES = insert(Score.__table__).returning(Score.__table__.c.response_id)  # type: ignore[arg-type]


def insert_response(
    prepared: PreparedResponse,
    *,
    group_id: int,
    meeting_date: dt.date,
    locale: str,
    token: str,
    submitted_at: dt.datetime,
    participant_hash: str | None = None,
    if_open_group_code: str | None = None,
    connection: Connection | None = None,
    submission: str | None = None,
) -> int | None:
    """Insert a prepared response with its answers and scores in the session's transaction; return its id.

    Returns None, inserting nothing, when the group's meeting on that date or the instrument
    version is not stored yet, or (with `if_open_group_code`) when the group does not have that
    code or takes no answers now. For a missing meeting or version row the caller creates it
    (get_or_create_meeting, catalog.ensure_version) and calls again. Three INSERTs (answers and
    scores as one multi-row statement each) rather than the ORM's unit of work: this is the
    participant POST's hot path, run while SQLite's write lock is held, and nothing needs the
    objects back; on PostgreSQL the three are one statement (one round trip). The statements go
    through the session's transaction, or through `connection` (database.write_connection) when
    given. The caller commits; a token already stored raises IntegrityError (unique), which the
    caller settles. `submission` is the nonce of the whole submission (default: the token), stored
    as a digest shared by its responses.
    """
    # The session's transaction (so begin_write knows it wrote), or the caller's own connection.
    executor: Connection | scoped_session[Any] = connection if connection is not None else db.session
    dialect = connection.dialect if connection is not None else db.session.get_bind().dialect
    parameters = {
        "token": token,
        "group_id": group_id,
        "meeting_date": meeting_date,
        "content_hash": prepared.instrument.content_hash,
        "locale": locale,
        "submitted_hour": hour_bucket(submitted_at),
        "participant_hash": participant_hash,
        "submission": submission_key(submission or token),
    }
    only_open_group = if_open_group_code is not None
    if only_open_group:
        parameters["group_code"] = if_open_group_code
    if dialect.name == "postgresql":
        parameters |= _as_arrays("answers", ANSWER_COLUMNS, prepared.answers)
        parameters |= _as_arrays("scores", SCORE_COLUMNS, prepared.scores)
        whole = _INSERT_WHOLE_RESPONSE_IF_OPEN if only_open_group else _INSERT_WHOLE_RESPONSE
        return executor.execute(whole, parameters).scalar_one_or_none()
    statement = _INSERT_RESPONSE_IF_OPEN if only_open_group else _INSERT_RESPONSE
    response_id: int | None = executor.execute(statement, parameters).scalar_one_or_none()
    if response_id is None:
        return None
    if prepared.answers:
        executor.execute(_INSERT_ANSWERS, _as_dicts(response_id, ANSWER_COLUMNS, prepared.answers))
    if prepared.scores:
        executor.execute(_INSERT_SCORES, _as_dicts(response_id, SCORE_COLUMNS, prepared.scores))
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
    catalog.ensure_version(instrument)
    response_id = insert_response(
        prepare_response(instrument, answers),
        group_id=meeting.group_id,
        meeting_date=meeting.local_date,
        locale=locale,
        token=token,
        submitted_at=submitted_at,
        participant_hash=participant_hash,
    )
    if response_id is None:
        raise LookupError(f"meeting {meeting.id} is not stored")
    return response_id
