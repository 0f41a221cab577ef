"""Demo data: two groups with a few weeks of synthetic, plausible responses."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import random
from collections.abc import Mapping

import click
from sqlalchemy import func, or_, select

from . import catalog, users
from .database import begin_write, request_reads
from .extensions import db
from .instruments import Instrument
from .models import Group, GroupInstrument, Meeting, User
from .scoring import AnswerValue, clean_answers
from .submissions import build_response

# (name, code, language, timezone, weekday of past meetings, start time). The groups themselves are
# stored without a schedule, so their survey link is open every day ("today's meeting") and the
# quick start works whatever the day; the weekday only places the seeded history.
DEMO_GROUPS = (
    ("Tuesday Evening Recovery Circle", "DEMO2TUE", "en", "America/Chicago", 1, dt.time(19, 0)),
    ("Círculo de Recuperación del Jueves", "DEMO4JUE", "es", "America/Los_Angeles", 3, dt.time(18, 30)),
)


def seed_if_empty() -> str | None:
    """Seed the demo groups when the database has no group at all."""
    if db.session.scalar(select(func.count()).select_from(Group)):
        return None
    return seed()


def seed(weeks: int = 8, rng: random.Random | None = None) -> str:
    """Create the demo groups, weekly meetings and synthetic responses; return a summary."""
    rng = rng or random.Random(20261125)  # fixed seed: the demo looks the same on every machine
    instrument = catalog.registry().get("checkin")
    if instrument is None:
        raise click.ClickException("The 'checkin' instrument is not loaded; run `flask instruments check`.")
    begin_write()
    total = 0
    for name, code, locale, timezone, weekday, start in DEMO_GROUPS:
        if db.session.scalar(select(Group).filter_by(code=code)) is not None:
            continue
        group = Group(name=name, code=code, default_locale=locale, timezone=timezone)
        group.instruments = [GroupInstrument(instrument_id=instrument.id, position=0)]
        db.session.add(group)
        db.session.flush()
        total += _seed_meetings(group, instrument, weeks, rng, weekday, start)
    accounts = _seed_accounts()
    db.session.commit()
    summary = f"{len(DEMO_GROUPS)} groups, {total} responses over {weeks} weeks"
    return summary + (f", {accounts} accounts" if accounts else "")


def _seed_meetings(
    group: Group, instrument: Instrument, weeks: int, rng: random.Random, weekday: int, start: dt.time
) -> int:
    """Add one past meeting a week on the given weekday, with 4 to 12 responses that slowly improve."""
    today = dt.date.today()
    last = today - dt.timedelta(days=(today.weekday() - weekday) % 7 or 7)
    regulars = [hashlib.sha256(f"{group.code}-{i}".encode()).hexdigest() for i in range(8)]
    count = 0
    for week in range(weeks):
        meeting = Meeting(group_id=group.id, local_date=last - dt.timedelta(weeks=weeks - 1 - week), starts_at=start)
        db.session.add(meeting)
        db.session.flush()
        wellbeing = 0.45 + 0.3 * week / max(weeks - 1, 1)
        for index in range(rng.randint(4, 12)):
            answers = synthetic_answers(instrument, wellbeing + rng.gauss(0, 0.15), rng)
            moment = dt.datetime.combine(meeting.local_date, start, dt.UTC)
            build_response(
                meeting=meeting,
                instrument=instrument,
                answers=answers,
                locale=group.default_locale,
                token=f"demo-{group.code}-{week}-{index}",
                submitted_at=moment + dt.timedelta(hours=1),
                participant_hash=regulars[index] if index < len(regulars) and rng.random() < 0.7 else None,
            )
            count += 1
    return count


def synthetic_answers(instrument: Instrument, wellbeing: float, rng: random.Random) -> Mapping[str, AnswerValue]:
    """Answer every numeric item near the given wellbeing (0 = struggling, 1 = doing well), with item noise."""
    raw: dict[str, list[str]] = {}
    better_high = item_directions(instrument)
    for item in instrument.items:
        bounds = instrument.numeric_range(item)
        if bounds is None:
            continue
        low, high = bounds
        level = wellbeing + rng.gauss(0, 0.12)  # each answer strays a little, so items are not perfectly parallel
        share = min(max(level if better_high.get(item.id, True) else 1 - level, 0.0), 1.0)
        raw[item.id] = [str(round(low + (high - low) * share))]
    answers, _errors = clean_answers(instrument, raw)
    return answers


def item_directions(instrument: Instrument) -> dict[str, bool]:
    """Map each scored item to whether a higher raw answer means doing better."""
    directions: dict[str, bool] = {}
    for scale in instrument.scales:
        for item_id in scale.items:
            reverse = bool(getattr(instrument.item(item_id), "reverse", False))
            directions[item_id] = scale.higher_is_better != reverse
    return directions


# Demo accounts, documented in the README; only ever created by `demo seed` / `setup` on an empty database.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    # (e-mail, password, role, {group code: access})
    (
        "demo-coordinator@example.org",
        "demo coordinator 2026",
        "coordinator",
        {"DEMO2TUE": "manager", "DEMO4JUE": "viewer"},
    ),
    ("demo-admin@example.org", "demo admin password 2026", "admin", {}),
)


def _seed_accounts() -> int:
    """Create the demo admin and coordinator (manager of DEMO2TUE, viewer of DEMO4JUE) when missing."""
    created = 0
    for email, password, role, access in DEMO_ACCOUNTS:
        if users.find_user(email) is not None:
            continue
        user = users.create_user(email, password, role)
        for code, level in access.items():
            group = db.session.scalar(select(Group).filter_by(code=code))
            if group is not None:
                users.add_membership(user, group, level)
        created += 1
    return created


# Built once: an admin's every page looks for open demo accounts (a statement built per call cost more than its read).
# One equality per e-mail rather than IN: an IN list's parameters are expanded into the SQL at every execution.
_OPEN_DEMO_ACCOUNTS = select(User.email, User.password_hash).where(
    or_(*(User.email == email for email, _password, _role, _access in DEMO_ACCOUNTS)), User.is_active_account.is_(True)
)


def open_demo_logins() -> list[tuple[str, str, str]]:
    """Return (e-mail, password, role) of each active demo account that still has its published password."""
    rows = request_reads().execute(_OPEN_DEMO_ACCOUNTS)
    hashes = {email: password_hash for email, password_hash in rows}
    return [
        (email, password, role)
        for email, password, role, _access in DEMO_ACCOUNTS
        if email in hashes and _is_published_password(hashes[email], password)
    ]


@functools.lru_cache(maxsize=16)
def _is_published_password(password_hash: str, password: str) -> bool:
    """Tell whether the hash is of the published password; cached per hash, since a new password is a new hash."""
    from .accounts import verify_password

    return verify_password(password_hash, password)


def print_demo_login() -> None:
    """Print the demo logins while the demo accounts exist and still have their documented passwords."""
    for email, password, role in open_demo_logins():
        click.echo(f"Demo {role} login: {email} / {password}  (log in at /login)")
