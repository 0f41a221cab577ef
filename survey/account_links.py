"""Signed links that let a person set their own password: invitations (new accounts) and resets.

A link's token is signed with SECRET_KEY and carries the account id, the kind of link, when it
expires, and a keyed fingerprint of the account's password hash and session version. Setting a
password changes both, so a link works once: after use (or after any other password change, or a
disable) its fingerprint no longer matches and it is refused as used. Nothing is stored per link.
Pure functions: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from . import clock

SALT = "survey.account-link"
KINDS = ("invite", "reset")


class LinkError(ValueError):
    """A link that cannot be used: `reason` is "forged", "expired" or "used"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LinkClaims:
    """What a valid token says: whose account, which kind of link, when it expires, the fingerprint."""

    user_id: int
    kind: str
    expires_at: int
    fingerprint: str


def fingerprint(secret: str, password_hash: str, session_version: int) -> str:
    """Return a keyed digest of the account's current password state (reveals nothing about the hash)."""
    message = f"{password_hash}\n{session_version}".encode()
    return hmac.new(f"{SALT}:{secret}".encode(), message, hashlib.sha256).hexdigest()[:32]


def make_token(secret: str, user_id: int, kind: str, password_hash: str, session_version: int, hours: float) -> str:
    """Return the token of a new link for the account, valid for `hours` from now."""
    if kind not in KINDS:
        raise ValueError(f"unknown link kind {kind!r}")
    payload = {
        "u": user_id,
        "k": kind,
        "x": int(clock.now() + hours * 3600),
        "f": fingerprint(secret, password_hash, session_version),
    }
    return str(URLSafeSerializer(secret, salt=SALT).dumps(payload))


def read_token(secret: str, token: str) -> LinkClaims:
    """Return the claims of a token signed by this site.

    :raises LinkError: "forged" for a token that is damaged, truncated or not signed with this secret.
    """
    try:
        payload = URLSafeSerializer(secret, salt=SALT).loads(token)
        claims = LinkClaims(int(payload["u"]), str(payload["k"]), int(payload["x"]), str(payload["f"]))
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise LinkError("forged") from error
    if claims.kind not in KINDS:
        raise LinkError("forged")
    return claims


def check_claims(secret: str, claims: LinkClaims, password_hash: str | None, session_version: int | None) -> None:
    """Check that the link is still usable for the account as it is now (None: no such active account).

    :raises LinkError: "expired" past its time, "used" when the account's password state has changed.
    """
    if clock.now() > claims.expires_at:
        raise LinkError("expired")
    if password_hash is None or session_version is None:
        raise LinkError("used")
    if not hmac.compare_digest(claims.fingerprint, fingerprint(secret, password_hash, session_version)):
        raise LinkError("used")
