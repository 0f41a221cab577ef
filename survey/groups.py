"""Groups and their meetings: codes, creation, edits, archiving, response counts."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Connection, bindparam, func, select

from . import catalog
from .extensions import db
from .instruments.length import FormLength, form_length
from .instruments.overlap import find_overlaps
from .models import Group, GroupInstrument, Meeting, Response, now_utc

# No 0/O, 1/I/L: codes are read off posters and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CUSTOM_CODE_PATTERN = re.compile(r"^[A-Z0-9]{4,16}$")
MIN_GROUP_SIZE_FLOOR = 3
DEFAULT_INSTRUMENT = "checkin"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class GroupError(ValueError):
    """A group change that cannot be made; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class GroupSettings:
    """Everything a coordinator chooses about a group (the code is chosen once, at creation)."""

    name: str
    default_locale: str = "en"
    timezone: str = "UTC"
    meeting_weekday: int | None = None
    meeting_time: dt.time | None = None
    instrument_ids: Sequence[str] = (DEFAULT_INSTRUMENT,)
    min_group_size: int = 5
    is_open: bool = True


def generate_code() -> str:
    """Return a random, unused group code of 8 characters without look-alikes."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if find_group(code) is None:
            return code


def normalise_code(code: str) -> str:
    """Return a typed code as stored: trimmed, upper-case."""
    return code.strip().upper()


@dataclass(frozen=True)
class ParticipantGroup:
    """What a participant page needs of a group, read as one plain row (no ORM object)."""

    id: int
    code: str
    name: str
    default_locale: str
    timezone: str
    meeting_weekday: int | None
    meeting_time: dt.time | None
    min_group_size: int
    is_open: bool
    archived_at: dt.datetime | None
    instrument_ids: tuple[str, ...]  # in order
    # Meetings the coordinator stored within two days of the read (local date, start time): enough
    # for any timezone's yesterday, today and tomorrow, which is what the meeting window looks at.
    nearby_meetings: tuple[tuple[dt.date, dt.time | None], ...] = ()

    @property
    def accepts_answers(self) -> bool:
        """Tell whether the group takes new answers (neither archived nor closed)."""
        return self.archived_at is None and self.is_open


# Built once: every participant request runs one, and building a statement costs more than running it.
_GROUP_BY_CODE = select(Group).where(Group.code == bindparam("code"))
_PARTICIPANT_FIELDS = [f.name for f in fields(ParticipantGroup) if f.name not in {"instrument_ids", "nearby_meetings"}]
_PARTICIPANT_GROUP_BY_CODE = (
    select(
        *[getattr(Group, name) for name in _PARTICIPANT_FIELDS],
        GroupInstrument.instrument_id,
        Meeting.local_date,
        Meeting.starts_at,
    )
    .outerjoin(GroupInstrument, GroupInstrument.group_id == Group.id)
    .outerjoin(
        Meeting,
        (Meeting.group_id == Group.id) & Meeting.local_date.between(bindparam("low"), bindparam("high")),
    )
    .where(Group.code == bindparam("code"))
    .order_by(GroupInstrument.position, Meeting.local_date)
)
NEARBY_DAYS = dt.timedelta(days=2)


def find_group(code: str) -> Group | None:
    """Return the group with this code (any case, through the unique index), or None."""
    if "\x00" in code:  # PostgreSQL refuses NUL in a parameter (a 500); no code contains one
        return None
    return db.session.scalar(_GROUP_BY_CODE, {"code": normalise_code(code)})


def find_participant_group(
    code: str, today: dt.date | None = None, connection: Connection | None = None
) -> ParticipantGroup | None:
    """Return what participant pages need of the group with this code (any case), in one read, or None.

    The one read also brings the group's stored meetings within two days of `today` (UTC today
    by default), so that the meeting window needs no second query.
    """
    if "\x00" in code:  # as in find_group
        return None
    today = today or dt.datetime.now(dt.UTC).date()
    parameters = {"code": normalise_code(code), "low": today - NEARBY_DAYS, "high": today + NEARBY_DAYS}
    rows = (connection or db.session.connection()).execute(_PARTICIPANT_GROUP_BY_CODE, parameters).all()
    if not rows:
        return None
    first = rows[0]._mapping
    # One row per instrument and nearby meeting: dict.fromkeys keeps the first-seen order of each.
    ids = tuple(dict.fromkeys(row.instrument_id for row in rows if row.instrument_id is not None))
    meetings = tuple(dict.fromkeys((row.local_date, row.starts_at) for row in rows if row.local_date is not None))
    return ParticipantGroup(
        **{name: first[name] for name in _PARTICIPANT_FIELDS}, instrument_ids=ids, nearby_meetings=meetings
    )


def all_groups(include_archived: bool = False) -> list[Group]:
    """Return every group by name (for admins and the CLI)."""
    query = select(Group).order_by(Group.name)
    if not include_archived:
        query = query.where(Group.archived_at.is_(None))
    return list(db.session.scalars(query))


def default_min_group_size() -> int:
    """Return the deployment's default k, never below the floor of 3."""
    return max(MIN_GROUP_SIZE_FLOOR, int(current_app.config["SURVEY_MIN_GROUP_SIZE"]))


def default_instruments() -> list[str]:
    """Return the instruments a new group asks by default: the check-in when it is loaded."""
    loaded = [inst.id for inst in catalog.registry().all()]
    return [DEFAULT_INSTRUMENT] if DEFAULT_INSTRUMENT in loaded else loaded[:1]


def available_locales() -> list[str]:
    """Return every language some loaded instrument is written in."""
    return sorted({locale for inst in catalog.registry().all() for locale in inst.locales}) or ["en"]


def check_settings(settings: GroupSettings) -> None:
    """Check a group's settings against the rules.

    :raises GroupError: naming the field and what to do about it.
    """
    if not settings.name.strip() or len(settings.name.strip()) > 120:
        raise GroupError("Give the group a name of at most 120 characters.", "name")
    if settings.default_locale not in available_locales():
        raise GroupError(f"Choose one of: {', '.join(available_locales())}.", "default_locale")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise GroupError(
            f"Unknown time zone {settings.timezone!r}; use a name like America/Chicago.", "timezone"
        ) from None
    if settings.meeting_weekday is not None and settings.meeting_weekday not in range(7):
        raise GroupError("Choose a weekday.", "meeting_weekday")
    unknown = [i for i in settings.instrument_ids if catalog.registry().get(i) is None]
    if unknown or not settings.instrument_ids:
        raise GroupError(
            f"Choose at least one loaded questionnaire (unknown: {', '.join(unknown) or 'none'}).", "instruments"
        )
    check_no_repeats(settings.instrument_ids)
    if settings.min_group_size < MIN_GROUP_SIZE_FLOOR:
        raise GroupError(f"The minimum reporting size cannot be below {MIN_GROUP_SIZE_FLOOR}.", "min_group_size")


def check_no_repeats(instrument_ids: Sequence[str]) -> None:
    """Refuse questionnaires that ask one question with different answers (the same answers are asked once).

    :raises GroupError: naming both questionnaires and their items.
    """
    instruments = [found for i in instrument_ids if (found := catalog.registry().get(i)) is not None]
    clashes = find_overlaps(instruments)[1]
    if clashes:
        (first, first_item), (second, second_item) = clashes[0].first, clashes[0].second
        raise GroupError(
            _(
                "“%(first)s” and “%(second)s” both ask the same question (%(first_item)s and %(second_item)s) "
                "with different answers, so one form cannot ask it once for both; choose one of them.",
                first=first,
                second=second,
                first_item=f"{first}.{first_item}",
                second_item=f"{second}.{second_item}",
            ),
            "instruments",
        )


def create_group(settings: GroupSettings, code: str | None = None) -> Group:
    """Add a group with this code (or a random one).

    :raises GroupError: for invalid settings, a malformed code, or a code already in use.
    """
    check_settings(settings)
    if code:
        code = normalise_code(code)
        if not CUSTOM_CODE_PATTERN.match(code):
            raise GroupError("A code is 4 to 16 letters and digits.", "code")
        if find_group(code) is not None:
            raise GroupError(f"The code {code} is already used by another group; choose another.", "code")
    group = Group(code=code or generate_code())
    apply_settings(group, settings)
    db.session.add(group)
    db.session.flush()
    return group


def update_group(group: Group, settings: GroupSettings) -> None:
    """Change a group's settings (the code stays, so printed posters keep working).

    :raises GroupError: for invalid settings.
    """
    check_settings(settings)
    apply_settings(group, settings)


def apply_settings(group: Group, settings: GroupSettings) -> None:
    """Copy checked settings onto the group, keeping the instruments in the order given."""
    group.name = settings.name.strip()
    group.default_locale = settings.default_locale
    group.timezone = settings.timezone
    group.meeting_weekday = settings.meeting_weekday
    group.meeting_time = settings.meeting_time
    group.min_group_size = settings.min_group_size
    group.is_open = settings.is_open
    kept = {gi.instrument_id: gi for gi in group.instruments}
    group.instruments = [
        kept.get(instrument_id) or GroupInstrument(instrument_id=instrument_id)
        for instrument_id in dict.fromkeys(settings.instrument_ids)
    ]
    for position, link in enumerate(group.instruments):
        link.position = position


def settings_of(group: Group) -> GroupSettings:
    """Return a group's current settings (to prefill the edit form)."""
    return GroupSettings(
        name=group.name,
        default_locale=group.default_locale,
        timezone=group.timezone,
        meeting_weekday=group.meeting_weekday,
        meeting_time=group.meeting_time,
        instrument_ids=tuple(group.instrument_ids),
        min_group_size=group.min_group_size,
        is_open=group.is_open,
    )


def set_archived(group: Group, archived: bool) -> None:
    """Archive a group (hidden from lists, closed to responses) or bring it back."""
    group.archived_at = now_utc() if archived else None
    if archived:
        group.is_open = False


def schedule_text(group: Group) -> str:
    """Describe the meeting schedule, e.g. "Tuesdays at 19:00", or "No fixed schedule"."""
    if group.meeting_weekday is None:
        return "No fixed schedule" if group.meeting_time is None else f"At {group.meeting_time:%H:%M}"
    day = WEEKDAYS[group.meeting_weekday] + "s"
    return f"{day} at {group.meeting_time:%H:%M}" if group.meeting_time else day


def group_languages(group: Group) -> list[str]:
    """Return the languages the group's questionnaires offer, the group's default first."""
    locales: dict[str, None] = {group.default_locale: None}
    for instrument_id in group.instrument_ids:
        instrument = catalog.registry().get(instrument_id)
        for locale in instrument.locales if instrument else ():
            locales.setdefault(locale, None)
    return list(locales)


@dataclass(frozen=True)
class MeetingCount:
    """One meeting and how many people sent the form for it (one per submission, not per questionnaire)."""

    local_date: dt.date
    starts_at: dt.time | None
    responses: int


def meetings_with_counts(group: Group, limit: int = 200) -> list[MeetingCount]:
    """Return the group's meetings, newest first, each with its number of people (one GROUP BY)."""
    query = (
        select(Meeting.local_date, Meeting.starts_at, func.count(func.distinct(Response.submission)))
        .outerjoin(Response, Response.meeting_id == Meeting.id)
        .where(Meeting.group_id == group.id)
        .group_by(Meeting.id, Meeting.local_date, Meeting.starts_at)
        .order_by(Meeting.local_date.desc())
        .limit(limit)
    )
    return [MeetingCount(day, start, count) for day, start, count in db.session.execute(query)]


def local_today(group: Group, now: dt.datetime | None = None) -> dt.date:
    """Return today's date where the group meets."""
    return (now or now_utc()).astimezone(ZoneInfo(group.timezone)).date()


def responses_on(group: Group, day: dt.date) -> int:
    """Return how many people sent the form for the group's meeting on this local date (a count only)."""
    query = select(func.count(func.distinct(Response.submission))).where(
        Response.group_id == group.id, Response.meeting_date == day
    )
    return db.session.scalar(query) or 0


def group_form_length(group: Group) -> FormLength:
    """Estimate the group's participant form: its loaded questionnaires, in order (see instruments/length.py)."""
    loaded = [catalog.registry().get(instrument_id) for instrument_id in group.instrument_ids]
    return form_length(instrument for instrument in loaded if instrument is not None)
