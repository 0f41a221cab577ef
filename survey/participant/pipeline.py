"""The submission pipeline: check the token, clean the answers, store everything at once.

The write is one transaction (BEGIN IMMEDIATE on SQLite): one response per instrument with its
answers and scores, then commit. `store_if_open` is the fast path (no read of the group first;
it stores only the common case and otherwise stores nothing); `store` is the ordinary path, which
also creates the meeting or version row on first use and settles retries and races. A token
already stored, even by a request racing this one, means the submission is already safe, so it
is not an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from .. import catalog
from ..database import begin_write, write_connection
from ..extensions import db
from ..groups import ParticipantGroup
from ..instruments import AnswerValue, Instrument
from ..meetings import MeetingSlot, get_or_create_meeting
from ..models import InstrumentVersion, Response
from ..scoring import clean_answers
from ..submissions import PreparedResponse, answer_values, insert_response, prepare_response
from . import codes
from .form import FormPlan
from .tokens import FormToken, response_token

MAX_INSTRUMENTS = 10  # thank-you lookups consider this many responses per submission


class UnknownVersion(LookupError):
    """The token names an instrument version that is neither loaded nor stored."""


class NotAccepting(RuntimeError):
    """The group takes no new answers, and this submission is not stored already."""


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


_RESPONSE_BY_TOKEN = select(Response.id).where(Response.token == bindparam("token"))


def stored_under(nonce: str) -> bool:
    """Tell whether a submission's first response is stored under this nonce."""
    found = db.session.connection().execute(_RESPONSE_BY_TOKEN, {"token": response_token(nonce, 0)}).scalar()
    return found is not None


Fingerprint = list[object]


def fingerprint(plan: FormPlan, cleaned: Cleaned) -> Fingerprint:
    """Describe a submission by exactly what would be stored: answers per instrument and the code hash."""
    per_instrument = [
        sorted((item_id, *answer_values(instrument, item_id, value)) for item_id, value in answers.items())
        for instrument, answers in zip(plan.instruments, cleaned.answers, strict=True)
    ]
    return [per_instrument, cleaned.participant_hash]


def stored_fingerprint(nonce: str, plan: FormPlan) -> Fingerprint:
    """Describe the submission stored under this nonce the same way as `fingerprint`."""
    tokens = [response_token(nonce, position) for position in range(len(plan.instruments))]
    rows = {row.token: row for row in db.session.scalars(select(Response).where(Response.token.in_(tokens)))}
    per_instrument = [
        sorted((a.item_id, a.value_num, a.value_text) for a in rows[t].answers) if t in rows else None for t in tokens
    ]
    first = rows.get(tokens[0])
    return [per_instrument, first.participant_hash if first else None]


@dataclass(frozen=True)
class Settled:
    """Where a submission belongs: the nonce to store it under, and whether it is stored already."""

    nonce: str
    stored: bool


def settle(token: FormToken, plan: FormPlan, cleaned: Cleaned) -> Settled:
    """Decide the nonce this submission is stored under, and whether it already is.

    The form's own nonce, unless a *different* submission from the same form page is already
    stored under it: on a shared phone the next person may answer on a page restored from the
    browser's history or the offline cache, and their answers must not be taken for a retry. They
    get a nonce derived from their answers, so their own retries are still stored once.
    """
    if not stored_under(token.nonce):
        return Settled(token.nonce, stored=False)
    mine = fingerprint(plan, cleaned)
    if stored_fingerprint(token.nonce, plan) == mine:
        return Settled(token.nonce, stored=True)
    digest = hashlib.sha256(json.dumps(mine, sort_keys=True, default=str).encode()).hexdigest()
    derived = f"{token.nonce}.{digest[:12]}"
    return Settled(derived, stored=stored_under(derived))


def _prepare(plan: FormPlan, cleaned: Cleaned) -> list[PreparedResponse]:
    """Score each instrument's answers and shape its rows, before any write lock is taken."""
    return [
        prepare_response(instrument, answers)
        for instrument, answers in zip(plan.instruments, cleaned.answers, strict=True)
    ]


def store(
    group: ParticipantGroup,
    token: FormToken,
    plan: FormPlan,
    cleaned: Cleaned,
    locale: str,
    now: dt.datetime | None = None,
) -> str:
    """Store the submission in one transaction and return the nonce it is stored under.

    Scores and rows are worked out before the write lock (BEGIN IMMEDIATE on SQLite) is taken,
    and each response row finds its meeting and version ids inside its own INSERT, so the lock is
    held for the INSERTs and the commit alone, as in a bare one-INSERT app. The first answer for a
    meeting date or an instrument version creates that row inside the same transaction. The first
    try stores under the form's own nonce; the unique token refuses it when that nonce is already
    taken (a retry, or a racing request), and the nonce is then settled under the lock: a retry of
    the same answers is thanked (even if the group closed since), different answers get the
    derived nonce.

    :raises NotAccepting: for a new submission when the group was closed or archived.
    """
    now = now or dt.datetime.now(dt.UTC)
    group_id, is_accepting = group.id, group.accepts_answers
    slot = MeetingSlot(token.meeting_date, token.meeting_start)
    prepared = _prepare(plan, cleaned)
    nonce, settled_under_lock = token.nonce, False
    for _attempt in range(3):
        begin_write()
        if settled_under_lock or not is_accepting:
            settled = settle(token, plan, cleaned)
            if settled.stored:
                db.session.rollback()
                return settled.nonce
            if not is_accepting:
                db.session.rollback()
                raise NotAccepting(group_id)
            nonce, settled_under_lock = settled.nonce, True
        try:
            for position, rows in enumerate(prepared):
                _insert(rows, group_id, slot, locale, nonce, position, now, cleaned.participant_hash)
            db.session.commit()
            return nonce
        except IntegrityError:
            db.session.rollback()  # the nonce is taken (a retry or a racing request): settle under the lock
            settled_under_lock = True
    raise RuntimeError("could not settle the submission's nonce after a race")


def _insert(
    rows: PreparedResponse,
    group_id: int,
    slot: MeetingSlot,
    locale: str,
    nonce: str,
    position: int,
    now: dt.datetime,
    participant_hash: str | None,
) -> None:
    """Insert one response; on the first answer for a meeting or a version, store that row first."""

    def attempt() -> int | None:
        return insert_response(
            rows,
            group_id=group_id,
            meeting_date=slot.local_date,
            locale=locale,
            token=response_token(nonce, position),
            submitted_at=now,
            participant_hash=participant_hash,
            submission=nonce,
        )

    if attempt() is None:
        get_or_create_meeting(group_id, slot)
        catalog.ensure_version(rows.instrument)
        if attempt() is None:
            raise RuntimeError("the meeting or the instrument version vanished inside the write transaction")


class _NotTheCommonCase(Exception):
    """store_if_open found nothing to join: closed or unknown group, another group's token, or a
    meeting or version not stored yet."""


def store_if_open(
    group_code: str, token: FormToken, plan: FormPlan, cleaned: Cleaned, locale: str, now: dt.datetime | None = None
) -> str | None:
    """Store a new submission without reading its group first; return its nonce, or None.

    The common case, in one write transaction on a Core connection of its own (no ORM session;
    per instrument three INSERTs on SQLite, one statement on PostgreSQL): the group of the token's
    id has this code and takes answers, its meeting and the instrument versions are stored, and
    the form's nonce is not taken. Anything else (a closed or unknown group, another group's token,
    a first answer for a meeting or version, a retry) stores nothing and returns None, and the
    caller goes the ordinary way (read the group, `store`), which settles each of those cases.
    """
    now = now or dt.datetime.now(dt.UTC)
    prepared = _prepare(plan, cleaned)
    try:
        with write_connection() as connection:  # Core, not the ORM session: nothing here needs it
            for position, rows in enumerate(prepared):
                response_id = insert_response(
                    rows,
                    group_id=token.group_id,
                    meeting_date=token.meeting_date,
                    locale=locale,
                    token=response_token(token.nonce, position),
                    submitted_at=now,
                    participant_hash=cleaned.participant_hash,
                    if_open_group_code=group_code,
                    connection=connection,
                    submission=token.nonce,
                )
                if response_id is None:
                    raise _NotTheCommonCase  # rolls the transaction back
    except (_NotTheCommonCase, IntegrityError):  # IntegrityError: the nonce is taken (a retry, or a second person)
        return None
    return token.nonce


def submission_responses(group: ParticipantGroup, nonce: str) -> list[Response]:
    """Return the stored responses of one submission of this group, in form order."""
    tokens = [response_token(nonce, position) for position in range(MAX_INSTRUMENTS)]
    rows = db.session.scalars(select(Response).where(Response.token.in_(tokens), Response.group_id == group.id))
    return sorted(rows, key=lambda row: tokens.index(row.token))
