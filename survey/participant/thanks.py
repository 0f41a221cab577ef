"""What the thank-you page shows, computed from this submission's stored responses only.

Everything comes from one read of the stored rows, fixed when the answers were stored: the alerts
raised and the scores (the instrument gives only their wording). The page shows no
group figure at all: a live summary was a read-out of each next person's answers (issue 12).
Its address is a short-lived signed ticket carried in the query string, so the page is not a
permanent link to one person's scores and the nonce never reaches the access log, which writes
the path alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData
from jinja2.utils import htmlsafe_json_dumps
from sqlalchemy import Connection, Select, String, bindparam, column, func, literal_column, select, true
from sqlalchemy.dialects.postgresql import array

from .. import catalog, unproxied
from ..extensions import db
from ..groups import ParticipantGroup
from ..instruments import Instrument
from ..models import Group, InstrumentVersion, Response, Score
from ..signing import serializer
from ..submissions import decode_alerts, response_token
from .blank_form import PageCache
from .tokens import CLOCK_SKEW

K_FLOOR = 3
TICKET_SALT = "survey.participant.thanks-ticket"
MAX_INSTRUMENTS = 10  # a thank-you lookup considers this many responses per submission
PAGE_CACHE_KEY = "survey.thanks_pages"
# What the page's own-scores data block holds while its frame is rendered (as `tojson` writes it).
OWN_SCORES_PLACEHOLDER = "__survey_own_scores__"


class TicketExpired(ValueError):
    """The thank-you page was asked for after its short lifetime."""


class TicketInvalid(ValueError):
    """The thank-you ticket is forged or malformed."""


def ticket_minutes() -> int:
    """Return how long a thank-you page stays reachable after sending (SURVEY_THANKS_MINUTES, default 15)."""
    return int(unproxied.app().config["SURVEY_THANKS_MINUTES"])


def issue_ticket(nonce: str) -> str:
    """Return the signed, timed ticket that opens this submission's thank-you page for a short while."""
    return serializer(unproxied.app().config["SECRET_KEY"], TICKET_SALT).dumps(nonce)


def read_ticket(ticket: str) -> str:
    """Return the nonce in a thank-you ticket.

    :raises TicketExpired: when it is older than ticket_minutes().
    :raises TicketInvalid: when it is forged or malformed.
    """
    try:
        nonce, issued = serializer(unproxied.app().config["SECRET_KEY"], TICKET_SALT).loads(
            ticket, return_timestamp=True
        )
    except BadData as error:
        raise TicketInvalid() from error
    # The ticket may come from another app server whose clock runs a little ahead (the same allowance as forms).
    age = time.time() - issued.timestamp()  # time.time, as itsdangerous signs with it
    if age > ticket_minutes() * 60 or age < -CLOCK_SKEW.total_seconds():
        raise TicketExpired()
    if not isinstance(nonce, str):
        raise TicketInvalid()
    return nonce


def page_cache() -> PageCache:
    """Return this app's cache of thank-you page frames (created on first use).

    The page differs from one person to the next only by its own-scores data block once the
    language, the group and the alerts raised are the same, so the frame is rendered once per
    (address, language, group, alerts) and each request fills in its own block.
    """
    return unproxied.app().extensions.setdefault(PAGE_CACHE_KEY, PageCache(placeholder=f'"{OWN_SCORES_PLACEHOLDER}"'))  # type: ignore[no-any-return]


def own_scores_block(own: dict[str, Any]) -> str:
    """Return the own-scores data exactly as the template's `tojson` filter writes it."""
    return str(htmlsafe_json_dumps(own, dumps=unproxied.app().json.dumps))


def group_k(group: ParticipantGroup) -> int:
    """Return the smallest number of answers a group summary may describe (never below 3)."""
    return max(K_FLOOR, group.min_group_size or K_FLOOR)


@dataclass(frozen=True)
class StoredResponse:
    """What the thank-you page shows of one stored response: all of it fixed when it was stored."""

    token: str
    locale: str
    meeting_date: dt.date
    participant_hash: str | None
    alerts: tuple[str, ...]
    content_hash: str
    scores: tuple[tuple[str, float], ...]  # (scale id, value)


@dataclass(frozen=True)
class ThanksGroup:
    """The group of a thank-you address, and this submission's responses in it (none when not found)."""

    code: str
    default_locale: str
    responses: tuple[StoredResponse, ...]


_groups, _responses, _scores = Group.__table__, Response.__table__, Score.__table__
_versions = InstrumentVersion.__table__
_TOKENS = [f"token_{position}" for position in range(MAX_INSTRUMENTS)]  # one bound value per possible response
_GROUP_COLUMNS = (_groups.c.id.label("group_id"), _groups.c.code, _groups.c.default_locale)
_RESPONSE_COLUMNS = ("token", "locale", "meeting_date", "participant_hash", "alerts")
# Built once: the group, and the submission's responses with their scores, in one read (LEFT JOINs, so
# a known group with nothing stored under these tokens still comes back, as one row of NULLs). The
# responses are found by their unique tokens alone and matched to the group here: joined on the group
# too, SQLite walked the group's index over every response the group ever had (a read that grew with
# the group: 0.3 ms at 500 responses, measured) instead of looking up ten tokens.
_SUBMISSION = (
    select(
        *_GROUP_COLUMNS,
        _responses.c.group_id.label("response_group_id"),
        *(_responses.c[name] for name in _RESPONSE_COLUMNS),
        _versions.c.content_hash,
        _scores.c.scale_id,
        _scores.c.value,
    )
    .select_from(_groups)
    .outerjoin(_responses, _responses.c.token.in_([bindparam(name) for name in _TOKENS]))
    .outerjoin(_versions, _versions.c.id == _responses.c.instrument_version_id)
    .outerjoin(_scores, _scores.c.response_id == _responses.c.id)
    .where(_groups.c.code == bindparam("code"))
)


def _submission_on_postgres() -> Select[Any]:
    """The same read for PostgreSQL, as one index lookup per token and one per response's scores.

    PostgreSQL plans by its statistics, and the plan psycopg prepares is kept for the connection: with
    ten tokens and a table of a few thousand responses (a new deployment, or any database not analysed
    since it grew), the plan of _SUBMISSION scanned every response and every score (0.76 ms of the
    server's CPU per thank-you page at 1,250 responses, measured, and growing with the tables). Each
    LATERAL subquery below has a LIMIT or OFFSET, which keeps the planner from merging it into the
    outer join, so each token is looked up through the unique token index and each response's scores
    through the scores' primary key, whatever the statistics say.
    """
    wanted = (
        func.unnest(array([bindparam(name, type_=String) for name in _TOKENS]))
        .table_valued(column("token", String))
        .render_derived(name="wanted")
    )
    kept = ("id", "group_id", "instrument_version_id", *_RESPONSE_COLUMNS)
    stored = (
        select(*(_responses.c[name] for name in kept))
        .where(_responses.c.token == wanted.c.token)
        .limit(literal_column("1"))
        .lateral("stored")
    )
    found = (
        select(
            stored.c.id, stored.c.group_id, *(stored.c[name] for name in _RESPONSE_COLUMNS), _versions.c.content_hash
        )
        .select_from(wanted)
        .join(stored, true())
        .join(_versions, _versions.c.id == stored.c.instrument_version_id)
        .lateral("found")
    )
    own = (
        select(_scores.c.scale_id, _scores.c.value)
        .where(_scores.c.response_id == found.c.id)
        .offset(literal_column("0"))
        .lateral("own")
    )
    return (
        select(
            *_GROUP_COLUMNS,
            found.c.group_id.label("response_group_id"),
            *(found.c[name] for name in _RESPONSE_COLUMNS),
            found.c.content_hash,
            own.c.scale_id,
            own.c.value,
        )
        .select_from(_groups)
        .outerjoin(found, true())
        .outerjoin(own, true())
        .where(_groups.c.code == bindparam("code"))
    )


_SUBMISSION_ON_POSTGRES = _submission_on_postgres()


def stored_submission(code: str, nonce: str, connection: Connection) -> ThanksGroup | None:
    """Return the group with this (normalised) code and its responses stored under this nonce, in form order,
    in one read; None when there is no such group. An empty nonce finds no response."""
    tokens = [response_token(nonce, position) if nonce else "" for position in range(MAX_INSTRUMENTS)]
    statement = _SUBMISSION_ON_POSTGRES if connection.dialect.name == "postgresql" else _SUBMISSION
    rows = connection.execute(statement, {"code": code, **dict(zip(_TOKENS, tokens, strict=True))}).all()
    if not rows:
        return None
    scores: dict[str, list[tuple[str, float]]] = {}
    firsts: dict[str, Any] = {}
    for row in rows:
        if row.token is None or row.response_group_id != row.group_id:
            continue  # nothing stored under these tokens, or stored for another group
        firsts.setdefault(row.token, row)
        if row.scale_id is not None:
            scores.setdefault(row.token, []).append((row.scale_id, row.value))
    responses = tuple(
        StoredResponse(
            token=token,
            locale=row.locale,
            meeting_date=row.meeting_date,
            participant_hash=row.participant_hash,
            alerts=decode_alerts(row.alerts),
            content_hash=row.content_hash,
            scores=tuple(scores.get(token, ())),
        )
        for token, row in sorted(firsts.items(), key=lambda pair: tokens.index(pair[0]))
    )
    return ThanksGroup(code=rows[0].code, default_locale=rows[0].default_locale, responses=responses)


def instrument_of(response: StoredResponse) -> Instrument:
    """Return the exact instrument version a stored response answered (loaded, or rebuilt from storage:
    a second read, only when the file changed since the answers were sent)."""
    loaded = catalog.registry().by_hash(response.content_hash)
    if loaded is not None:
        return loaded
    row = db.session.scalar(select(InstrumentVersion).filter_by(content_hash=response.content_hash))
    if row is None:
        raise LookupError(response.content_hash)
    return catalog.instrument_for_version(row)


def alert_messages(responses: Sequence[StoredResponse], locale: str) -> list[str]:
    """Return the messages of the alerts stored with these responses, in locale, each paragraph once.

    Two questionnaires of one form may raise the same alert from one shared answer (a strong
    urge asked once, scored in both); the person reads its message once.
    """
    messages: list[str] = []
    for response in responses:
        instrument = instrument_of(response)
        raised = set(response.alerts)
        messages += [instrument.text(alert.message, locale) for alert in instrument.alerts if alert.id in raised]
    return list(dict.fromkeys(messages))


def history_owner(responses: Sequence[StoredResponse]) -> str | None:
    """Return an opaque key for this person's list on a shared phone: derived from their personal code's
    stored hash (keyed again, so it joins nothing stored), or None when they gave no code."""
    participant_hash = responses[0].participant_hash if responses else None
    if not participant_hash:
        return None
    key = unproxied.app().config["SECRET_KEY"].encode()
    return hmac.new(key, b"history:" + participant_hash.encode(), hashlib.sha256).hexdigest()[:24]


def own_scores(responses: Sequence[StoredResponse], locale: str) -> dict[str, Any]:
    """Return this submission's scores for the phone's own history (never sent back to us).

    The page keeps them only when the participant asks, and lists past ones only under the same
    `owner` (the same personal code), so the next person on a shared phone never sees them.
    """
    scores = []
    for response in responses:
        instrument = instrument_of(response)
        known = {scale.id: scale for scale in instrument.scales}
        for scale_id, value in response.scores:
            scale = known.get(scale_id)
            if scale is None:
                continue
            low, high = instrument.scale_range(scale)
            scores.append(
                {
                    "instrument": instrument.id,
                    "scale": scale.id,
                    "label": instrument.text(scale.label, locale),
                    "value": round(value, 2),
                    "min": low,
                    "max": high,
                    "higher_is_better": scale.higher_is_better,
                }
            )
    meeting_date = responses[0].meeting_date.isoformat() if responses else None
    return {"meeting_date": meeting_date, "owner": history_owner(responses), "scores": scores}
