"""The signed form token: which group, which instrument versions, which meeting, and a nonce.

The nonce is the idempotency key of the submission: a double tap, a browser resubmit or a late
send from the offline queue carries the same nonce, so the response is stored once. The token
is signed with SECRET_KEY (itsdangerous's format, survey/signing.py) and accepted for a week, so a
form opened hours ago or queued on a phone overnight still counts; it replaces Flask-WTF's session-bound CSRF token on
this one anonymous endpoint, which must not set a cookie.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from itsdangerous import BadData

from .. import unproxied
from ..signing import CompactSerializer, serializer
from ..submissions import response_token as response_token  # a submission's stored tokens

SALT = "survey.participant.form-token"
MAX_AGE = dt.timedelta(days=7)
# App servers' clocks differ by a few seconds: a token another server issued "in the future" is accepted
# within this margin (itsdangerous alone refuses any negative age).
CLOCK_SKEW = dt.timedelta(seconds=30)
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,40}$")
# A submission is stored under its form's nonce, or under nonce.<answers digest> when a different
# submission from the same form page took the nonce first (see submissions.store_submission).
STORED_NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,40}(\.[0-9a-f]{12})?$")


class TokenError(ValueError):
    """The form token is missing, forged, malformed or too old."""


@dataclass(frozen=True)
class FormToken:
    """What the server promised when it rendered the form."""

    group_id: int
    content_hashes: tuple[str, ...]  # the instrument versions shown, in order
    meeting_date: dt.date  # the meeting whose window was open when the form was rendered
    meeting_start: dt.time | None
    nonce: str


def _serializer() -> CompactSerializer:
    return serializer(unproxied.app().config["SECRET_KEY"], SALT)


def new_nonce() -> str:
    """Return a random, unguessable idempotency key (also the thank-you page's address)."""
    return secrets.token_urlsafe(16)


def issue(
    group_id: int,
    content_hashes: tuple[str, ...],
    meeting_date: dt.date,
    meeting_start: dt.time | None,
    nonce: str | None = None,
) -> str:
    """Return a signed token for a form rendered now."""
    payload = {
        "g": group_id,
        "h": list(content_hashes),
        "d": meeting_date.isoformat(),
        "t": meeting_start.strftime("%H:%M") if meeting_start else None,
        "n": nonce or new_nonce(),
    }
    return _serializer().dumps(payload)


def read(signed: str) -> FormToken:
    """Return the token's content.

    :raises TokenError: if it is forged, malformed, older than MAX_AGE or issued later than CLOCK_SKEW from now.
    """
    try:
        payload, issued = _serializer().loads(signed, return_timestamp=True)
        age = dt.datetime.now(dt.UTC) - issued
        if age > MAX_AGE or age < -CLOCK_SKEW:
            raise TokenError(f"token age {age} outside -{CLOCK_SKEW}..{MAX_AGE}")
        token = FormToken(
            group_id=int(payload["g"]),
            content_hashes=tuple(str(h) for h in payload["h"]),
            meeting_date=dt.date.fromisoformat(payload["d"]),
            meeting_start=dt.time.fromisoformat(payload["t"]) if payload["t"] else None,
            nonce=str(payload["n"]),
        )
    except (BadData, KeyError, TypeError, ValueError) as error:
        raise TokenError(str(error)) from None
    if not NONCE_PATTERN.match(token.nonce) or not token.content_hashes:
        raise TokenError("malformed token")
    return token
