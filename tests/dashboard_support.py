"""Shared helpers for the dashboard tests: groups, meetings with chosen scores, users and log-in."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping

from flask import Flask
from flask.testing import FlaskClient

from survey import catalog
from survey.extensions import db, login_manager
from survey.models import Group, GroupInstrument, Meeting, Membership, User
from survey.submissions import build_response

_tokens = itertools.count(1)
MONDAY = dt.date(2026, 1, 5)  # a Monday, so weeks in the tests start on meeting days


def add_group(code: str = "GRPA", k: int = 5, instruments: Iterable[str] = ("checkin",), tz: str = "UTC") -> Group:
    """Add a group asking these instruments (call inside an app context; commits)."""
    group = Group(name=f"Group {code}", code=code, timezone=tz, min_group_size=k)
    group.instruments = [GroupInstrument(instrument_id=iid, position=i) for i, iid in enumerate(instruments)]
    db.session.add(group)
    db.session.commit()
    return group


def add_responses(
    group: Group,
    day: dt.date,
    answers: Iterable[Mapping[str, object]],
    locale: str = "en",
    instrument_id: str = "checkin",
    participants: Iterable[str | None] | None = None,
) -> None:
    """Add one response per answers mapping to the group's meeting on `day` (created when missing; commits)."""
    meeting = db.session.query(Meeting).filter_by(group_id=group.id, local_date=day).one_or_none()
    if meeting is None:
        meeting = Meeting(group_id=group.id, local_date=day)
        db.session.add(meeting)
        db.session.flush()
    instrument = catalog.registry().get(instrument_id)
    assert instrument is not None
    answers = list(answers)
    codes = list(participants) if participants is not None else [None] * len(answers)
    for values, code in zip(answers, codes, strict=True):
        build_response(
            meeting=meeting,
            instrument=instrument,
            answers=dict(values),
            locale=locale,
            token=f"t-{next(_tokens)}",
            submitted_at=dt.datetime.combine(day, dt.time(20), dt.UTC),
            participant_hash=code,
        )
    db.session.commit()


def craving(values: Iterable[float]) -> list[dict[str, object]]:
    """Answers that give exactly these craving scores (a one-item scale)."""
    return [{"craving_now": float(v)} for v in values]


def add_user(role: str = "admin", groups: Mapping[Group, str] | None = None, email: str | None = None) -> User:
    """Add a user with memberships ("manager" or "viewer") in the given groups (commits)."""
    user = User(email=email or f"{role}-{next(_tokens)}@example.org", password_hash="x", role=role)
    db.session.add(user)
    db.session.flush()
    for group, access in (groups or {}).items():
        db.session.add(Membership(user_id=user.id, group_id=group.id, access=access))
    db.session.commit()
    return user


def log_in(client: FlaskClient, app: Flask, user: User) -> None:
    """Log the user in through the session, the way Flask-Login stores it.

    Works with the coordinator team's user loader; until one is registered, a loader with
    the same "id:session_version" contract is installed so these tests do not depend on it.
    """
    if login_manager._user_callback is None:  # noqa: SLF001
        from survey.accounts import load_user

        login_manager.user_loader(load_user)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def move_release_clock(monkeypatch, days: float) -> dt.datetime:  # type: ignore[no-untyped-def]
    """Make the release step see the time `days` from now (the participant side keeps the real clock)."""
    moved = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    monkeypatch.setattr("survey.release.service.now_utc", lambda: moved)
    return moved
