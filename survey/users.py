"""Coordinator and admin accounts: create, authenticate, change passwords, disable, assign groups.

Every function adds to the session and leaves the commit to the caller (a view or a command),
so one request stores all of its changes or none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .accounts import hash_password, needs_rehash, password_problem, unusable_password_hash, verify_password
from .extensions import db
from .models import Group, Membership, User

ROLES = ("coordinator", "admin")
ACCESS_LEVELS = ("manager", "viewer")
ROLE_NAMES = {"coordinator": _l("Coordinator"), "admin": _l("Admin")}
ACCESS_NAMES = {"manager": _l("Manager"), "viewer": _l("Viewer")}
# Deliberately simple: one @, something on each side, a dot in the domain, no spaces.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """An account change that cannot be made; the message says why, for the person acting."""


def normalise_email(email: str) -> str:
    """Return the e-mail as stored: trimmed and lower-case."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Return why an e-mail address is not usable, or None."""
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        return _("Enter an e-mail address like name@example.org.")
    return None


def find_user(email: str) -> User | None:
    """Return the account with this e-mail (any case), or None."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def all_users() -> list[User]:
    """Return every account, admins first, then by e-mail."""
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def create_user(email: str, password: str | None, role: str = "coordinator") -> User:
    """Add a new account; with no password it cannot log in until its owner sets one through an invitation link.

    :raises AccountError: for an unusable e-mail or password, an unknown role, or a taken e-mail.
    """
    email = normalise_email(email)
    problem = email_problem(email) or (password_problem(password) if password is not None else None)
    if problem:
        raise AccountError(problem)
    if role not in ROLES:
        raise AccountError(_("Role must be one of: %(roles)s.", roles=", ".join(ROLES)))
    if find_user(email) is not None:
        raise AccountError(_("An account for %(email)s already exists.", email=email))
    stored = hash_password(password) if password is not None else unusable_password_hash()
    user = User(email=email, password_hash=stored, role=role, session_version=1)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active account whose e-mail and password match, or None (never saying which part failed)."""
    user = find_user(email)
    matches = verify_password(user.password_hash if user else None, password)
    if user is None or not matches or not user.is_active_account:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(user: User, password: str) -> None:
    """Replace the password and end every open session of the account.

    :raises AccountError: when the password is too short, too long, too common, or the current one.
    """
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if verify_password(user.password_hash, password):
        raise AccountError(_("Choose a password different from the current one."))
    user.password_hash = hash_password(password)
    user.session_version += 1


def end_sessions(user: User) -> None:
    """End every open session of the account (each carries the session version it was made with)."""
    user.session_version += 1


def known_email(typed: str) -> str | None:
    """Return the typed address normalised if it belongs to an account, else None."""
    email = normalise_email(typed)[:254]
    return email if db.session.scalar(select(User.id).where(User.email == email)) is not None else None


def set_active(user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its open sessions."""
    if user.is_active_account and not active:
        user.session_version += 1
    user.is_active_account = active


def set_role(user: User, role: str) -> None:
    """Change the account's role.

    :raises AccountError: for an unknown role.
    """
    if role not in ROLES:
        raise AccountError(_("Role must be one of: %(roles)s.", roles=", ".join(ROLES)))
    user.role = role


def set_memberships(user: User, access_by_group_id: Mapping[int, str | None]) -> None:
    """Give the user manager or viewer access to each group listed (None removes access)."""
    current = {m.group_id: m for m in user.memberships}
    for group_id, access in access_by_group_id.items():
        membership = current.get(group_id)
        if access not in ACCESS_LEVELS:
            if membership is not None:
                user.memberships.remove(membership)
        elif membership is None:
            user.memberships.append(Membership(group_id=group_id, access=access))
        else:
            membership.access = access


def add_membership(user: User, group: Group, access: str = "manager") -> None:
    """Give the user access to one group (keeping the higher level when already a member)."""
    existing = {m.group_id: m for m in user.memberships}.get(group.id)
    if existing is None:
        user.memberships.append(Membership(group_id=group.id, access=access))
    elif access == "manager":
        existing.access = access


def count_admins(active_only: bool = True) -> int:
    """Return how many admin accounts exist (active ones only by default)."""
    query = select(func.count()).select_from(User).where(User.role == "admin")
    if active_only:
        query = query.where(User.is_active_account.is_(True))
    return db.session.scalar(query) or 0


def describe_memberships(user: User) -> str:
    """Return "CODE (manager), CODE (viewer)" for messages and the audit log."""
    return ", ".join(sorted(f"{m.group.code} ({m.access})" for m in user.memberships))


def users_by_email(emails: Iterable[str]) -> list[User]:
    """Return the accounts for these e-mails.

    :raises AccountError: naming the first e-mail that has no account.
    """
    users = []
    for email in emails:
        user = find_user(email)
        if user is None:
            raise AccountError(f"No account for {normalise_email(email)}; create it first with `flask users create`.")
        users.append(user)
    return users
