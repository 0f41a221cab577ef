"""Coordinator accounts: password hashing, the Flask-Login user loader, and the session cookie.

Session ids carry the account's session version ("id:version"): bumping the version (password
change, reset, disable) ends every open session of that account at its next request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Request, Response, abort, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user
from itsdangerous import BadSignature
from sqlalchemy import bindparam, select

from .bounded_store import Store
from .common_passwords import is_common
from .database import request_reads
from .extensions import db, login_manager
from .models import User

MIN_PASSWORD_LENGTH = 12
HOST_PREFIX = "__Host-"
VERIFIED_KEY = "survey.verified_sessions"
VERIFIED_ENTRIES = 1024  # session cookies verified per process (a few hundred bytes each)
PLAIN = (str, int, float, bool, type(None))
# argon2id with argon2-cffi's defaults (above OWASP's minimum: 64 MiB, 3 passes).
_hasher = PasswordHasher()


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS (or the setting asks)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Return True over HTTPS or when SESSION_COOKIE_SECURE is set."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def get_cookie_name(self, app: Flask) -> str:
        """Return `__Host-session` whenever the cookie is Secure, the plain name otherwise.

        A `__Host-` cookie is accepted by browsers only when Secure, for the path /, without a domain:
        nothing on a sibling subdomain or a plain-HTTP page can plant or overwrite it. Browsers refuse
        Secure cookies from plain http://127.0.0.1 (`make run`), so development keeps the plain name.
        """
        name = super().get_cookie_name(app)
        return HOST_PREFIX + name if self.get_cookie_secure(app) else name

    def get_cookie_path(self, app: Flask) -> str:
        """Return / for a `__Host-` cookie (browsers drop one with any other path)."""
        return "/" if self.get_cookie_secure(app) else super().get_cookie_path(app)

    def get_cookie_domain(self, app: Flask) -> str | None:
        """Return no domain for a `__Host-` cookie (browsers drop one that names a domain)."""
        return None if self.get_cookie_secure(app) else super().get_cookie_domain(app)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Open the session as Flask does: empty without a cookie, else what the verified cookie holds.

        Flask builds a signing serializer before it looks for the cookie; participants never have
        one, so their requests skip that work. The result is the same: a new, empty session. A
        request without any Cookie header (every participant's) does not even parse the cookies.
        """
        if not app.secret_key:
            return super().open_session(app, request)
        value = request.cookies.get(self.get_cookie_name(app)) if "HTTP_COOKIE" in request.environ else None
        if not value:
            return self.session_class()
        return self.session_class(self.verified(app, value))

    def verified(self, app: Flask, value: str) -> dict[str, Any]:
        """Return what a session cookie holds (empty when forged or older than the session lifetime).

        A coordinator's browser sends the same cookie with every request until the session changes, so
        each process keeps the last cookies it verified with what they hold and when they were signed:
        the same bytes under the same key verify the same way, and the age is checked every time. Only
        sessions of plain values are kept (a list, such as flashed messages, could be changed in place).
        """
        kept: Store | None = app.extensions.get(VERIFIED_KEY)
        if kept is None:
            kept = app.extensions.setdefault(VERIFIED_KEY, Store(VERIFIED_ENTRIES))
        found = kept.get((app.secret_key, value))
        max_age = int(app.permanent_session_lifetime.total_seconds())
        if isinstance(found, tuple) and 0 <= int(time.time()) - found[1] <= max_age:  # itsdangerous's age rule
            return dict(found[0])
        try:
            data, signed = self.get_signing_serializer(app).loads(  # type: ignore[union-attr]
                value, max_age=max_age, return_timestamp=True
            )
        except BadSignature:  # forged, or expired (SignatureExpired): a new, empty session, as Flask does
            return {}
        if all(type(item) in PLAIN for item in data.values()):
            kept.put((app.secret_key, value), (tuple(data.items()), int(signed.timestamp())))
        return dict(data)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save as Flask does, deciding first, for a session nobody changed, that there is nothing to set.

        Flask works out all seven cookie attributes before it finds that such a session (every
        participant's, and a coordinator's between the once-a-minute stamps of session_lifetime) sets
        no cookie; the headers are the same either way (`Vary: Cookie` when read). Flask sets the cookie
        again only when the session changed or is permanent with SESSION_REFRESH_EACH_REQUEST.
        """
        if not self.should_set_cookie(app, session):
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Point Flask-Login at the login page and this module's loader; harden the session cookie."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.localize_callback = str  # the lazy message, in the locale of the request that flashes it
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.session_interface = HttpsAwareSessionInterface()


@dataclass(frozen=True)
class Reader(UserMixin):
    """The signed-in account as this request read it (one plain row): who is asking, not the row to change.

    Views that change the account (its language, password or groups) read it with `signed_in_account()`.
    """

    id: int
    email: str
    role: str
    session_version: int
    locale: str | None

    def get_id(self) -> str:
        """Session id that changes with session_version (as User.get_id)."""
        return f"{self.id}:{self.session_version}"


_users = User.__table__
_READER = select(
    _users.c.id,
    _users.c.email,
    _users.c.role,
    _users.c.session_version,
    _users.c.locale,
    _users.c.is_active_account,
).where(_users.c.id == bindparam("user_id"))


def load_user(session_id: str) -> Reader | None:
    """Return the reader for "id:version" only while the version matches and the account is active (every request)."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    row = request_reads().execute(_READER, {"user_id": int(user_id)}).first()
    if row is None or row.session_version != int(version) or not row.is_active_account:
        return None
    return Reader(row.id, row.email, row.role, row.session_version, row.locale)


def signed_in_account() -> User:
    """Return the signed-in reader's account row, to change it in the caller's transaction.

    :raises NotFound: when the account is gone since the request began.
    """
    account = db.session.get(User, current_user.id)
    if account is None:
        abort(404)
    return account


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether the password matches the hash (a missing or unusable hash still spends the same time).

    An unknown e-mail and an invited account that has not chosen its password yet must not answer
    faster than a wrong password, or the time would tell which accounts exist.
    """
    usable = bool(password_hash) and str(password_hash).startswith("$argon2")
    try:
        return _hasher.verify(password_hash if usable else _dummy_hash(), password) and usable  # type: ignore[arg-type]
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """Return a hash to verify against when the e-mail is unknown, so failures take the same time."""
    return _hasher.hash("not a real password, only used to spend the same time")


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a stored hash uses weaker parameters than today's and should be redone."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problem(password: str) -> str | None:
    """Return why a new password is not acceptable (in the interface language), or None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
    if len(password) > 1024:
        return _("Use at most %(count)d characters.", count=1024)
    if is_common(password):
        return _(
            "This password is one of the most common ones, which attackers try first. "
            "Choose another, for example a few unrelated words."
        )
    return None


def unusable_password_hash() -> str:
    """Return a stored hash that no password matches (an invited account before it sets its own)."""
    return "!unset"
