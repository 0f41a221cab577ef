"""Small factories shared by the coordinator tests: accounts, groups, and logging a test client in."""

from __future__ import annotations

import datetime as dt
from functools import cache

from flask import Flask
from flask.testing import FlaskClient

from survey.accounts import hash_password
from survey.extensions import db
from survey.models import Group, GroupInstrument, Meeting, Membership, User

PASSWORD = "correct horse battery"


@cache
def password_hash() -> str:
    """Hash the shared test password once (argon2 is deliberately slow)."""
    return hash_password(PASSWORD)


def add_user(
    app: Flask, email: str, role: str = "coordinator", groups: dict[str, str] | None = None, active: bool = True
) -> int:
    """Create an account with the test password and access to the groups given as {code: access}; return its id."""
    with app.app_context():
        user = User(email=email, password_hash=password_hash(), role=role, is_active_account=active, session_version=1)
        db.session.add(user)
        db.session.flush()
        for code, access in (groups or {}).items():
            group = db.session.scalar(db.select(Group).filter_by(code=code))
            assert group is not None, code
            db.session.add(Membership(user_id=user.id, group_id=group.id, access=access))
        db.session.commit()
        return user.id


def add_group(app: Flask, code: str, name: str | None = None, timezone: str = "UTC", **fields: object) -> int:
    """Create a group asking the check-in; return its id."""
    with app.app_context():
        group = Group(name=name or f"Group {code}", code=code, timezone=timezone, **fields)
        group.instruments = [GroupInstrument(instrument_id="checkin", position=0)]
        db.session.add(group)
        db.session.commit()
        return group.id


def add_meeting(app: Flask, group_id: int, day: dt.date) -> int:
    """Create a meeting of the group on a local date; return its id."""
    with app.app_context():
        meeting = Meeting(group_id=group_id, local_date=day, starts_at=dt.time(19))
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


def log_in_as(client: FlaskClient, app: Flask, user_id: int) -> None:
    """Put the account's session id in the client's session, as a successful login does."""
    with app.app_context():
        session_id = db.session.get(User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True


def log_in_with_form(client: FlaskClient, email: str, password: str = PASSWORD, next_url: str | None = None):  # type: ignore[no-untyped-def]
    """Post the login form (CSRF must be off for this client's app)."""
    url = "/login" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(url, data={"email": email, "password": password})
