"""Coordinator accounts: password hashing, the Flask-Login user loader, and the session cookie.

Session ids carry the account's session version ("id:version"): bumping the version (password
change, reset, disable) ends every open session of that account at its next request.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .extensions import db, login_manager
from .models import User

MIN_PASSWORD_LENGTH = 12
# argon2id with argon2-cffi's defaults (above OWASP's minimum: 64 MiB, 3 passes).
_hasher = PasswordHasher()


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS (or the setting asks)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Return True over HTTPS or when SESSION_COOKIE_SECURE is set."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Start an empty session at once when the request carries no session cookie.

        Flask builds a signing serializer before it looks for the cookie; participants never have
        one, so their requests skip that work. The result is the same: a new, empty session.
        """
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


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


def load_user(session_id: str) -> User | None:
    """Return the user for "id:version" only while the version matches and the account is active."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active_account:
        return None
    return user


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether the password matches the hash (a missing hash still spends the same time)."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
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
    """Return why a new password is not acceptable, or None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH)
    if len(password) > 1024:
        return _("Use at most %(num)d characters.", num=1024)
    return None
