"""Store one sending of the form: its responses, answers and scores, in one write.

One statement on PostgreSQL (INSERTs inside WITH, rows as unnested arrays), one transaction on
SQLite (an INSERT per table); the statements are in submission_sql.py. The write itself settles a
resent form (see `store_submission`), so nothing is read before it beyond what the caller has.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, scoped_session

from . import catalog
from . import submission_sql as sql
from .extensions import db
from .instruments import ITEM_TYPES, Instrument
from .models import Meeting, Response
from .scoring import AnswerValue, score_response
from .submission_sql import ANSWER_COLUMNS, SCORE_COLUMNS


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


AnswerRow = tuple[str, float | None, str | None]


@dataclass(frozen=True)
class PreparedResponse:
    """Everything stored for one questionnaire, worked out before the write."""

    instrument: Instrument
    answers: list[AnswerRow]  # ANSWER_COLUMNS: (item id, value_num, value_text)
    scores: list[tuple[str, float, str | None]]  # SCORE_COLUMNS: (scale id, value, band)
    alerts: tuple[str, ...] = ()  # ids of the alerts these answers raise, fixed now like the scores


def prepare_response(instrument: Instrument, answers: Mapping[str, AnswerValue]) -> PreparedResponse:
    """Score the answers and shape the rows, without touching the database.

    Scores and alerts are computed now, from the exact version answered, and stored beside the answers.
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
        alerts=tuple(result.alerts),
    )


def fingerprint_of(answers: Sequence[Sequence[AnswerRow]], participant_hash: str | None) -> str:
    """Return a digest of exactly what a submission stores: each questionnaire's answer rows, in form
    order, and the personal code's hash. Resending the same answers gives the same fingerprint."""
    shape = [[sorted(rows) for rows in answers], participant_hash]
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:24]


def encode_alerts(alerts: Sequence[str]) -> str:
    """Return how a response's raised alerts are stored (a JSON list of alert ids)."""
    return json.dumps(list(alerts))


def decode_alerts(stored: str | None) -> tuple[str, ...]:
    """Return the alert ids stored with a response (none for a response stored before alerts were kept)."""
    return tuple(json.loads(stored)) if stored else ()


def response_token(nonce: str, position: int) -> str:
    """Return the stored token of a submission's response to the questionnaire at this position."""
    return nonce if position == 0 else f"{nonce}-{position}"


@dataclass(frozen=True)
class NewSubmission:
    """One sending of the form, ready to store: the group (the token's id, the address's code), its
    meeting, the nonce, and the prepared rows."""

    group_id: int
    group_code: str
    meeting_date: dt.date
    nonce: str
    locale: str
    submitted_at: dt.datetime
    participant_hash: str | None
    responses: Sequence[PreparedResponse]

    @functools.cached_property
    def fingerprint(self) -> str:
        """The digest of what this submission stores (fingerprint_of)."""
        return fingerprint_of([prepared.answers for prepared in self.responses], self.participant_hash)

    @property
    def derived_nonce(self) -> str:
        """The nonce of these answers when a different submission already took the form's own nonce."""
        return f"{self.nonce}.{self.fingerprint[:12]}"


@dataclass(frozen=True)
class Stored:
    """What the write found: the nonce the submission is stored under, and whether it was stored by this write.

    `new` and not `stored`: a new submission that was refused (the group takes no answers). Not
    `addressed`: the token's group does not have the address's code (or does not exist); nothing
    was stored and nothing found.
    """

    nonce: str
    new: bool
    stored: bool
    addressed: bool = True


class MissingRows(LookupError):
    """The group's meeting on that date or an instrument version is not stored yet: nothing was written."""


Executor = Connection | Session | scoped_session[Any]


def _parameters(submission: NewSubmission) -> dict[str, Any]:
    """The parameters every statement of the write shares."""
    derived = submission.derived_nonce
    return {
        "nonce": submission.nonce,
        "derived": derived,
        "submission": submission_key(submission.nonce),
        "derived_submission": submission_key(derived),
        "fingerprint": submission.fingerprint,
        "group_id": submission.group_id,
        "code": submission.group_code,
        "meeting_date": submission.meeting_date,
        "locale": submission.locale,
        "submitted_hour": hour_bucket(submission.submitted_at),
        "participant_hash": submission.participant_hash,
    }


def _as_arrays(prefix: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """The parameters of one table's rows in the PostgreSQL statement: one list per column."""
    return {f"{prefix}_{name}": [row[n] for row in rows] for n, name in enumerate(columns)}


def _suffixed(submission: NewSubmission, pick: str) -> list[tuple[Any, ...]]:
    """Every answer or score row of the submission, each led by its response's token suffix."""
    return [
        (response_token("", position), *row)
        for position, prepared in enumerate(submission.responses)
        for row in getattr(prepared, pick)
    ]


Outcome = tuple[str, int, int, int, int]  # nonce chosen, new, responses inserted, addressed, accepting


def _store_on_postgres(executor: Executor, submission: NewSubmission, shared: dict[str, Any]) -> Outcome:
    """Run the one statement; return what it found (Outcome)."""
    positions = [
        (response_token("", position), prepared.instrument.content_hash, encode_alerts(prepared.alerts))
        for position, prepared in enumerate(submission.responses)
    ]
    parameters = shared | _as_arrays("responses", ("suffix", "content_hash", "alerts"), positions)
    parameters |= _as_arrays("answers", ("suffix", *ANSWER_COLUMNS), _suffixed(submission, "answers"))
    parameters |= _as_arrays("scores", ("suffix", *SCORE_COLUMNS), _suffixed(submission, "scores"))
    nonce, new, inserted, addressed, accepting = executor.execute(sql.INSERT_WHOLE_SUBMISSION, parameters).one()
    return nonce, new, inserted, addressed, accepting


def _store_on_sqlite(executor: Executor, submission: NewSubmission, shared: dict[str, Any]) -> Outcome:
    """Insert response by response (the first one decides the nonce and checks the group); return what it found."""
    nonce, key = "", ""
    for position, prepared in enumerate(submission.responses):
        parameters = shared | {
            "content_hash": prepared.instrument.content_hash,
            "alerts": encode_alerts(prepared.alerts),
        }
        if position == 0:
            row = executor.execute(sql.INSERT_FIRST_RESPONSE, parameters).first()
        else:
            parameters |= {"token": response_token(nonce, position), "submission": key}
            row = executor.execute(sql.INSERT_RESPONSE, parameters).first()
        if row is None and position == 0:
            chosen, _key, new, addressed, accepting = executor.execute(sql.CHOSEN, shared).one()
            return chosen, new, 0, addressed, accepting
        if row is None:
            return nonce, 1, position, 1, 1
        response_id = row[0]
        if position == 0:
            nonce = row[1]
            key = submission_key(nonce)
        if prepared.answers:
            executor.execute(sql.INSERT_ANSWERS, _as_dicts(response_id, ANSWER_COLUMNS, prepared.answers))
        if prepared.scores:
            executor.execute(sql.INSERT_SCORES, _as_dicts(response_id, SCORE_COLUMNS, prepared.scores))
    return nonce, 1, len(submission.responses), 1, 1


def _as_dicts(response_id: int, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The parameters of one table's rows in one executemany: one dict per row."""
    return [{"response_id": response_id, **dict(zip(columns, row, strict=True))} for row in rows]


def store_submission(executor: Executor, submission: NewSubmission) -> Stored:
    """Store a submission in the caller's write transaction, once per nonce and answers; say what happened.

    The write finds the group itself, by the token's id and the address's code (nothing is read
    before it): when they do not match, nothing is stored or found (`addressed` false). A resend
    (same form nonce, same answers) stores nothing and is found under its nonce; different answers
    from the same form page are stored under the nonce derived from them. A new submission to a group
    that takes no answers is refused, storing nothing; a resend of one stored before the group closed
    is still found. On PostgreSQL all of it is one statement; on SQLite one INSERT per table inside
    the caller's BEGIN IMMEDIATE (plus one read when nothing was inserted).
    Two sends racing on PostgreSQL: the loser's statement fails on the unique token (IntegrityError);
    the caller rolls back and calls again, and the winner's row is then found.

    :raises MissingRows: when the meeting or a version is not stored; the caller rolls back, stores them, retries.
    """
    shared = _parameters(submission)
    dialect = executor.dialect if isinstance(executor, Connection) else executor.get_bind().dialect
    store = _store_on_postgres if dialect.name == "postgresql" else _store_on_sqlite
    nonce, new, inserted, addressed, accepting = store(executor, submission, shared)
    if not addressed:
        return Stored(nonce, new=bool(new), stored=False, addressed=False)
    if not new or not accepting:
        return Stored(nonce, new=bool(new), stored=False)
    if inserted < len(submission.responses):
        raise MissingRows(f"meeting of group {submission.group_id} on {submission.meeting_date} or a version")
    return Stored(nonce, new=True, stored=True)


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
    """Store one response to this (flushed) meeting in the session's transaction and return its id (demo
    data, tests; the caller commits): the participant POST's own write, the version stored first when new."""
    catalog.ensure_version(instrument)
    submission = NewSubmission(
        group_id=meeting.group_id,
        group_code=meeting.group.code,
        meeting_date=meeting.local_date,
        nonce=token,
        locale=locale,
        submitted_at=submitted_at,
        participant_hash=participant_hash,
        responses=[prepare_response(instrument, answers)],
    )
    if not store_submission(db.session, submission).stored:
        raise LookupError(f"token {token} is stored already")
    return db.session.execute(select(Response.id).where(Response.token == token)).scalar_one()
