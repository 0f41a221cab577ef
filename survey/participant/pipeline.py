"""The submission pipeline: check the token, clean the answers, store everything at once.

Every step before the write raises a Rejected error that says what went wrong; the write itself
is one transaction (BEGIN IMMEDIATE on SQLite): get or create the meeting, then one response per
instrument with its answers and scores, then commit. A token already stored, even by a request
racing this one, means the submission is already safe, so it is not an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import catalog
from ..database import begin_write
from ..extensions import db
from ..instruments import AnswerValue, Instrument
from ..models import Group, InstrumentVersion, Response
from ..scoring import clean_answers
from ..submissions import build_response, find_by_token
from . import codes
from .form import FormPlan
from .tokens import FormToken
from .window import MeetingSlot, get_or_create_meeting

MAX_INSTRUMENTS = 10  # thank-you lookups consider this many responses per submission


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
        cleaned.participant_hash = codes.hash_code(typed_code, current_app.config["SURVEY_PARTICIPANT_CODE_KEY"])
    except codes.CodeError:
        cleaned.code_error = True
    return cleaned


def already_stored(token: FormToken) -> bool:
    """Tell whether this submission's first response is stored."""
    return find_by_token(token.response_token(0)) is not None


def store(
    group: Group, token: FormToken, plan: FormPlan, cleaned: Cleaned, locale: str, now: dt.datetime | None = None
) -> None:
    """Store the submission in one transaction; a duplicate token is already-stored, not an error."""
    now = now or dt.datetime.now(dt.UTC)
    begin_write()
    try:
        if not already_stored(token):
            meeting = get_or_create_meeting(group, MeetingSlot(token.meeting_date, token.meeting_start))
            for position, instrument in enumerate(plan.instruments):
                build_response(
                    meeting=meeting,
                    instrument=instrument,
                    answers=cleaned.answers[position],
                    locale=locale,
                    token=token.response_token(position),
                    submitted_at=now,
                    participant_hash=cleaned.participant_hash,
                )
        db.session.commit()
    except IntegrityError:
        # A concurrent request with the same token won the race; its response stands.
        db.session.rollback()
        if not already_stored(token):
            raise


def submission_responses(group: Group, nonce: str) -> list[Response]:
    """Return the stored responses of one submission of this group, in form order."""
    tokens = [nonce] + [f"{nonce}-{position}" for position in range(1, MAX_INSTRUMENTS)]
    rows = db.session.scalars(select(Response).where(Response.token.in_(tokens), Response.group_id == group.id))
    return sorted(rows, key=lambda row: tokens.index(row.token))
