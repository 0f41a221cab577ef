"""Coordinator accounts: the Flask-Login user loader (session ids carry the session version)."""

from __future__ import annotations

from flask import Flask

from .extensions import db, login_manager
from .models import User


def init_app(app: Flask) -> None:
    """Point Flask-Login at the login page and this module's loader."""
    login_manager.login_view = "auth.login"
    login_manager.user_loader(load_user)


def load_user(session_id: str) -> User | None:
    """Return the user for "id:version" only while the version matches and the account is active."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active_account:
        return None
    return user
