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
from .models import Group, GroupInstrument, Meeting, MeetingSchedule, Response, now_utc
from .schedule_words import ScheduleError, check_schedule
from .schedules import ONCE, ScheduleEntry

# No 0/O, 1/I/L: codes are read off posters and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CUSTOM_CODE_PATTERN = re.compile(r"^[A-Z0-9]{4,16}$")
MIN_GROUP_SIZE_FLOOR = 3
DEFAULT_INSTRUMENT = "checkin"


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
    single_language: bool = False  # participant pages open in default_locale even on phones set otherwise
    timezone: str = "UTC"
    schedule: tuple[ScheduleEntry, ...] = ()  # none: open every day, for that day's meeting
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
    min_group_size: int
    is_open: bool
    archived_at: dt.datetime | None
    instrument_ids: tuple[str, ...]  # in order
    single_language: bool = False  # open in default_locale whatever the phone's language
    # Meetings the coordinator stored within two days of the read (local date, start time): enough
    # for any timezone's yesterday, today and tomorrow, which is what the meeting window looks at.
    nearby_meetings: tuple[tuple[dt.date, dt.time | None], ...] = ()
    # The schedule: every repeating line, and the one-offs from two days before the read on.
    schedule: tuple[ScheduleEntry, ...] = ()

    @property
    def accepts_answers(self) -> bool:
        """Tell whether the group takes new answers (neither archived nor closed)."""
        return self.archived_at is None and self.is_open


# Built once: every participant request runs one, and building a statement costs more than running it.
_GROUP_BY_CODE = select(Group).where(Group.code == bindparam("code"))
_JOINED = {"instrument_ids", "nearby_meetings", "schedule"}
_PARTICIPANT_FIELDS = [f.name for f in fields(ParticipantGroup) if f.name not in _JOINED]
_PARTICIPANT_GROUP_BY_CODE = (
    select(
        *[getattr(Group, name) for name in _PARTICIPANT_FIELDS],
        GroupInstrument.instrument_id,
        Meeting.local_date,
        Meeting.starts_at,
        MeetingSchedule.kind,
        MeetingSchedule.weekday,
        MeetingSchedule.starts_at.label("schedule_starts_at"),
        MeetingSchedule.on_date,
    )
    .outerjoin(GroupInstrument, GroupInstrument.group_id == Group.id)
    .outerjoin(
        Meeting,
        (Meeting.group_id == Group.id) & Meeting.local_date.between(bindparam("low"), bindparam("high")),
    )
    .outerjoin(
        MeetingSchedule,
        (MeetingSchedule.group_id == Group.id)
        & ((MeetingSchedule.kind != ONCE) | (MeetingSchedule.on_date >= bindparam("low"))),
    )
    .where(Group.code == bindparam("code"))
    .order_by(GroupInstrument.position, Meeting.local_date, MeetingSchedule.id)
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
    by default) and its schedule (one-offs from two days before on), so that the meeting window
    needs no second query.
    """
    if "\x00" in code:  # as in find_group
        return None
    today = today or dt.datetime.now(dt.UTC).date()
    parameters = {"code": normalise_code(code), "low": today - NEARBY_DAYS, "high": today + NEARBY_DAYS}
    rows = (connection or db.session.connection()).execute(_PARTICIPANT_GROUP_BY_CODE, parameters).all()
    if not rows:
        return None
    first = rows[0]._mapping
    # One row per instrument, nearby meeting and schedule line: dict.fromkeys keeps the first-seen order of each.
    ids = tuple(dict.fromkeys(row.instrument_id for row in rows if row.instrument_id is not None))
    meetings = tuple(dict.fromkeys((row.local_date, row.starts_at) for row in rows if row.local_date is not None))
    schedule = tuple(
        dict.fromkeys(
            ScheduleEntry(row.kind, row.schedule_starts_at, row.weekday, row.on_date)
            for row in rows
            if row.kind is not None
        )
    )
    return ParticipantGroup(
        **{name: first[name] for name in _PARTICIPANT_FIELDS},
        instrument_ids=ids,
        nearby_meetings=meetings,
        schedule=schedule,
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


def check_settings(settings: GroupSettings, kept: Sequence[ScheduleEntry] = ()) -> None:
    """Check a group's settings against the rules (`kept`: schedule lines already stored, which may be past).

    :raises GroupError: naming the field and what to do about it.
    """
    if not settings.name.strip() or len(settings.name.strip()) > 120:
        raise GroupError(_("Give the group a name of at most 120 characters."), "name")
    if settings.default_locale not in available_locales():
        raise GroupError(_("Choose one of: %(choices)s.", choices=", ".join(available_locales())), "default_locale")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise GroupError(
            _("Unknown time zone %(zone)r; use a name like America/Chicago.", zone=settings.timezone), "timezone"
        ) from None
    try:
        check_schedule(settings.schedule, local_today_in(settings.timezone), kept=kept)
    except ScheduleError as error:
        raise GroupError(str(error), "schedule") from None
    unknown = [i for i in settings.instrument_ids if catalog.registry().get(i) is None]
    if unknown or not settings.instrument_ids:
        raise GroupError(
            _("Choose at least one loaded questionnaire (unknown: %(ids)s).", ids=", ".join(unknown) or _("none")),
            "instruments",
        )
    check_no_repeats(settings.instrument_ids)
    if settings.min_group_size < MIN_GROUP_SIZE_FLOOR:
        raise GroupError(
            _("The minimum reporting size cannot be below %(num)d.", num=MIN_GROUP_SIZE_FLOOR), "min_group_size"
        )


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
            raise GroupError(_("A code is 4 to 16 letters and digits."), "code")
        if find_group(code) is not None:
            raise GroupError(
                _("The code %(code)s is already used by another group; choose another.", code=code), "code"
            )
    group = Group(code=code or generate_code())
    apply_settings(group, settings)
    db.session.add(group)
    db.session.flush()
    return group


def update_group(group: Group, settings: GroupSettings) -> None:
    """Change a group's settings (the code stays, so printed posters keep working).

    :raises GroupError: for invalid settings.
    """
    check_settings(settings, kept=schedule_of(group))
    apply_settings(group, settings)


def apply_settings(group: Group, settings: GroupSettings) -> None:
    """Copy checked settings onto the group, keeping the instruments in the order given."""
    group.name = settings.name.strip()
    group.default_locale = settings.default_locale
    group.single_language = settings.single_language
    group.timezone = settings.timezone
    group.schedule = [
        MeetingSchedule(kind=entry.kind, weekday=entry.weekday, starts_at=entry.starts_at, on_date=entry.on_date)
        for entry in sorted(dict.fromkeys(settings.schedule), key=lambda entry: entry.sort_key)
    ]
    group.min_group_size = settings.min_group_size
    group.is_open = settings.is_open
    kept = {gi.instrument_id: gi for gi in group.instruments}
    group.instruments = [
        kept.get(instrument_id) or GroupInstrument(instrument_id=instrument_id)
        for instrument_id in dict.fromkeys(settings.instrument_ids)
    ]
    for position, link in enumerate(group.instruments):
        link.position = position


def schedule_of(group: Group) -> tuple[ScheduleEntry, ...]:
    """Return the group's stored schedule lines, in the order they are shown."""
    return tuple(ScheduleEntry(row.kind, row.starts_at, row.weekday, row.on_date) for row in group.schedule)


def current_schedule(group: Group, now: dt.datetime | None = None) -> tuple[ScheduleEntry, ...]:
    """Return the group's schedule without the one-offs whose answer window has closed (they are history)."""
    yesterday = local_today(group, now) - dt.timedelta(days=1)
    # A one-off of yesterday may still be open (its window lasts STAYS_OPEN, a day); older ones never are.
    return tuple(
        entry for entry in schedule_of(group) if entry.kind != ONCE or (entry.on_date or dt.date.min) >= yesterday
    )


def settings_of(group: Group) -> GroupSettings:
    """Return a group's current settings (to prefill the edit form)."""
    return GroupSettings(
        name=group.name,
        default_locale=group.default_locale,
        single_language=group.single_language,
        timezone=group.timezone,
        schedule=current_schedule(group),
        instrument_ids=tuple(group.instrument_ids),
        min_group_size=group.min_group_size,
        is_open=group.is_open,
    )


def set_archived(group: Group, archived: bool) -> None:
    """Archive a group (hidden from lists, closed to responses) or bring it back."""
    group.archived_at = now_utc() if archived else None
    if archived:
        group.is_open = False


def group_languages(group: Group) -> list[str]:
    """Return the languages the group's questionnaires offer, the group's default first (alone if single-language)."""
    locales: dict[str, None] = {group.default_locale: None}
    if group.single_language:
        return list(locales)
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
    return local_today_in(group.timezone, now)


def local_today_in(timezone: str, now: dt.datetime | None = None) -> dt.date:
    """Return today's date in this time zone (UTC's when the name is unknown)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return (now or now_utc()).astimezone(zone).date()


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
