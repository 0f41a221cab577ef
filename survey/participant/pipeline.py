"""The submission pipeline: check the token, clean the answers, store everything in one write.

One path for every POST: the answers are validated once here, and `store` writes once
(submissions.store_submission: one statement on PostgreSQL, one transaction on SQLite), which also
finds the group (the token's, under the address's code, taking answers) and settles a resend of the
same answers and another person's answers on the same form page. A token already stored, even by a
request racing this one, means the submission is already safe, so it is not an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from .. import catalog, unproxied
from ..database import begin_write, write_once
from ..extensions import db
from ..instruments import AnswerValue, Instrument
from ..meetings import MeetingSlot, get_or_create_meeting
from ..models import InstrumentVersion
from ..scoring import clean_answers
from ..submissions import MissingRows, NewSubmission, Stored, prepare_response, store_submission
from . import codes
from .form import FormPlan
from .tokens import FormToken

ATTEMPTS = 3  # a race lost on PostgreSQL, then the first answer of a meeting or version, then the write


class UnknownVersion(LookupError):
    """The token names an instrument version that is neither loaded nor stored."""


@dataclass
class Cleaned:
    """A submission after validation: answers per instrument, or the problems found."""

    answers: list[dict[str, AnswerValue]]
    errors: list[dict[str, str]]
    participant_hash: str | None = None
    code_error: bool = False

    @property
    def ok(self) -> bool:
        """Return whether the submission can be stored."""
        return not self.code_error and not any(self.errors)


def instrument_by_hash(content_hash: str) -> Instrument:
    """Return the instrument version with this hash: loaded now, or rebuilt from storage.

    :raises UnknownVersion: if it is neither (a forged token or a version never answered).
    """
    loaded = catalog.registry().by_hash(content_hash)
    if loaded is not None:
        return loaded
    row = db.session.scalar(select(InstrumentVersion).filter_by(content_hash=content_hash))
    if row is None:
        raise UnknownVersion(content_hash)
    return catalog.instrument_for_version(row)


def plan_for_token(token: FormToken) -> FormPlan:
    """Return the form exactly as it was shown when the token was issued.

    :raises UnknownVersion: if one of its versions cannot be found.
    """
    return FormPlan.of([instrument_by_hash(h) for h in token.content_hashes])


def clean(plan: FormPlan, raw: Sequence[dict[str, list[str]]], typed_code: str | None) -> Cleaned:
    """Validate every instrument's answers and hash the participant code."""
    results = [clean_answers(instrument, values) for instrument, values in zip(plan.instruments, raw, strict=True)]
    cleaned = Cleaned(answers=[answers for answers, _ in results], errors=[errors for _, errors in results])
    try:
        cleaned.participant_hash = codes.hash_code(typed_code, unproxied.app().config["SURVEY_PARTICIPANT_CODE_KEY"])
    except codes.CodeError:
        cleaned.code_error = True
    return cleaned


def new_submission(
    code: str, token: FormToken, plan: FormPlan, cleaned: Cleaned, locale: str, now: dt.datetime
) -> NewSubmission:
    """Score each questionnaire's answers and shape the rows, before any write lock is taken."""
    return NewSubmission(
        group_id=token.group_id,
        group_code=code,
        meeting_date=token.meeting_date,
        nonce=token.nonce,
        locale=locale,
        submitted_at=now,
        participant_hash=cleaned.participant_hash,
        responses=[
            prepare_response(instrument, answers)
            for instrument, answers in zip(plan.instruments, cleaned.answers, strict=True)
        ],
    )


def store(
    connection: Connection,
    code: str,
    token: FormToken,
    plan: FormPlan,
    cleaned: Cleaned,
    locale: str,
    now: dt.datetime | None = None,
) -> Stored:
    """Store the submission in one write on the request's connection (database.read_connection) for the
    token's group under the address's (normalised) `code`, and say where it is stored (or that the
    group refused it, or is not the address's).

    Scores and rows are worked out before the write lock (BEGIN IMMEDIATE on SQLite) is taken, so
    the lock is held for the INSERTs and the commit alone, as in a bare one-INSERT app. The first
    answer for a meeting date or an instrument version finds nothing to join: those rows are stored
    (their own short transaction, once per meeting or version) and the write is tried again. A race
    lost on PostgreSQL (the same nonce stored a moment earlier) is tried again too, and then finds it.
    """
    submission = new_submission(code, token, plan, cleaned, locale, now or dt.datetime.now(dt.UTC))
    for _attempt in range(ATTEMPTS):
        try:
            with write_once(connection):  # Core, not the ORM session: nothing here needs it
                return store_submission(connection, submission)
        except IntegrityError:
            continue  # the nonce was taken by a racing request, whose row the next try finds
        except MissingRows:
            store_meeting_and_versions(token, plan)
    raise RuntimeError("could not store the submission after a race")


def store_meeting_and_versions(token: FormToken, plan: FormPlan) -> None:
    """Store the token's meeting and the plan's instrument versions, when they are not stored yet (the
    write found the token's group under the address's code, taking answers, before it raised MissingRows)."""
    begin_write()
    get_or_create_meeting(token.group_id, MeetingSlot(token.meeting_date, token.meeting_start))
    for instrument in plan.instruments:
        catalog.ensure_version(instrument)
    db.session.commit()
