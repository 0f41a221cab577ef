"""What the thank-you page shows, computed from this submission's stored responses only.

Alerts are recomputed from the stored answers against the version answered. The page shows no
group figure at all: a live summary was a read-out of each next person's answers (issue 12).
Its address is a short-lived signed ticket carried in the query string, so the page is not a
permanent link to one person's scores and the nonce never reaches the access log, which writes
the path alone.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import time
from typing import Any

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from .. import catalog
from ..coordinator.groups import ParticipantGroup
from ..instruments import ITEM_TYPES, AnswerValue, Instrument
from ..models import Response
from ..scoring import score_response
from .tokens import CLOCK_SKEW

K_FLOOR = 3
TICKET_SALT = "survey.participant.thanks-ticket"
DEFAULT_MINUTES = 15


class TicketExpired(ValueError):
    """The thank-you page was asked for after its short lifetime."""


class TicketInvalid(ValueError):
    """The thank-you ticket is forged or malformed."""


@functools.lru_cache(maxsize=4)
def _serializer_for(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=TICKET_SALT)


def ticket_minutes() -> int:
    """Return how long a thank-you page stays reachable after sending (SURVEY_THANKS_MINUTES, default 15)."""
    return int(current_app.config.get("SURVEY_THANKS_MINUTES", DEFAULT_MINUTES))


def issue_ticket(nonce: str) -> str:
    """Return the signed, timed ticket that opens this submission's thank-you page for a short while."""
    return _serializer_for(current_app.config["SECRET_KEY"]).dumps(nonce)


def read_ticket(ticket: str) -> str:
    """Return the nonce in a thank-you ticket.

    :raises TicketExpired: when it is older than ticket_minutes().
    :raises TicketInvalid: when it is forged or malformed.
    """
    try:
        nonce, issued = _serializer_for(current_app.config["SECRET_KEY"]).loads(ticket, return_timestamp=True)
    except BadData as error:
        raise TicketInvalid() from error
    # The ticket may come from another app server whose clock runs a little ahead (the same allowance as forms).
    age = time.time() - issued.timestamp()  # time.time, as itsdangerous signs with it
    if age > ticket_minutes() * 60 or age < -CLOCK_SKEW.total_seconds():
        raise TicketExpired()
    if not isinstance(nonce, str):
        raise TicketInvalid()
    return nonce


def group_k(group: ParticipantGroup) -> int:
    """Return the smallest number of answers a group summary may describe (never below 3)."""
    return max(K_FLOOR, group.min_group_size or K_FLOOR)


def instrument_of(response: Response) -> Instrument:
    """Return the exact instrument version a stored response answered."""
    version = response.instrument_version
    return catalog.registry().by_hash(version.content_hash) or catalog.instrument_for_version(version)


def stored_answers(instrument: Instrument, response: Response) -> dict[str, AnswerValue]:
    """Rebuild the cleaned answers from the stored rows."""
    answers: dict[str, AnswerValue] = {}
    for row in response.answers:
        item = instrument.item(row.item_id)
        spec = ITEM_TYPES[item.type]  # type: ignore[attr-defined]
        if spec.numeric:
            answers[row.item_id] = float(row.value_num or 0.0)
        elif spec.multiple:
            answers[row.item_id] = tuple(json.loads(row.value_text or "[]"))
        else:
            answers[row.item_id] = row.value_text or ""
    return answers


def alert_messages(responses: list[Response], locale: str) -> list[str]:
    """Return the messages of the alerts these responses raise, in locale."""
    messages: list[str] = []
    for response in responses:
        instrument = instrument_of(response)
        raised = set(score_response(instrument, stored_answers(instrument, response)).alerts)
        messages += [instrument.text(alert.message, locale) for alert in instrument.alerts if alert.id in raised]
    return messages


def history_owner(responses: list[Response]) -> str | None:
    """Return an opaque key for this person's list on a shared phone: derived from their personal code's
    stored hash (keyed again, so it joins nothing stored), or None when they gave no code."""
    participant_hash = responses[0].participant_hash if responses else None
    if not participant_hash:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"history:" + participant_hash.encode(), hashlib.sha256).hexdigest()[:24]


def own_scores(responses: list[Response], locale: str) -> dict[str, Any]:
    """Return this submission's scores for the phone's own history (never sent back to us).

    The page keeps them only when the participant asks, and lists past ones only under the same
    `owner` (the same personal code), so the next person on a shared phone never sees them.
    """
    scores = []
    for response in responses:
        instrument = instrument_of(response)
        known = {scale.id: scale for scale in instrument.scales}
        for row in response.scores:
            scale = known.get(row.scale_id)
            if scale is None:
                continue
            low, high = instrument.scale_range(scale)
            scores.append(
                {
                    "instrument": instrument.id,
                    "scale": scale.id,
                    "label": instrument.text(scale.label, locale),
                    "value": round(row.value, 2),
                    "min": low,
                    "max": high,
                    "higher_is_better": scale.higher_is_better,
                }
            )
    meeting_date = responses[0].meeting_date.isoformat() if responses else None
    return {"meeting_date": meeting_date, "owner": history_owner(responses), "scores": scores}
