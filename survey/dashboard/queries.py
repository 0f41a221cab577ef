"""SQL aggregates for dashboards: every function returns GROUP BY results, never raw responses.

Nothing here is safe to show as it is: these are the raw counts and moments that
survey/dashboard/published.py (the privacy layer) suppresses before any view, page or export sees them.
Every query starts from the responses of one group through the (group_id, meeting_date)
index, and joins answers and scores through their (response_id, ...) primary keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Date, and_, case, cast, exists, func, literal_column, select, type_coerce
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import Answer, InstrumentVersion, Meeting, ReleasedResponse, Response, Score

# SQLite date modifiers that move a date to the start of its period (weeks start on Monday, as ISO weeks do).
_SQLITE_MODIFIERS = {"week": ("'weekday 0'", "'-6 days'"), "month": ("'start of month'",)}


def period_start(column: Any, grain: str) -> ColumnElement[dt.date]:
    """Return the first day of the meeting/week/month holding the date in `column`, as a SQL date.

    The one place where SQLite and PostgreSQL differ: PostgreSQL truncates with date_trunc,
    SQLite moves the date with strftime-style modifiers. Weeks start on Monday on both.

    :raises ValueError: for a grain other than meeting, week or month.
    """
    if grain == "meeting":
        return column  # type: ignore[no-any-return]
    if grain not in _SQLITE_MODIFIERS:
        raise ValueError(f"unknown grain {grain!r}")
    if db.engine.dialect.name == "postgresql":
        return cast(func.date_trunc(literal_column(f"'{grain}'"), column), Date)
    return type_coerce(func.date(column, *(literal_column(m) for m in _SQLITE_MODIFIERS[grain])), Date)


def _group_responses(group_id: int, version_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    """Return the WHERE clauses for one group's responses, optionally to some instrument versions."""
    clauses: list[ColumnElement[bool]] = [Response.group_id == group_id]
    if version_ids is not None:
        clauses.append(Response.instrument_version_id.in_(list(version_ids)))
    return clauses


def released() -> ColumnElement[bool]:
    """Keep only responses that a release batch has released: what dashboards may use."""
    return exists().where(ReleasedResponse.response_id == Response.id)


def _meeting_columns() -> list[Any]:
    """Return the meeting date, its week and month starts and the language: the finest dashboard cell."""
    return [
        Response.meeting_date.label("day"),
        period_start(Response.meeting_date, "week").label("week"),
        period_start(Response.meeting_date, "month").label("month"),
        Response.locale.label("locale"),
    ]


def versions_answered(group_ids: Sequence[int]) -> list[InstrumentVersion]:
    """Return the instrument versions these groups' released responses answered, oldest first.

    Only released answers count: an instrument (or a new version of one) answered at a meeting
    still open must not appear in a dashboard before its answers do.

    Rule: per group, a loose index scan over (group_id, instrument_version_id, ...): each step
    seeks the next larger version id, so the cost grows with the number of versions, not of
    responses (a plain DISTINCT would read every response of the group).
    """
    found: set[int] = set()
    for group_id in group_ids:
        found.update(_version_ids_of_group(group_id))
    query = select(InstrumentVersion).where(InstrumentVersion.id.in_(sorted(found))).order_by(InstrumentVersion.id)
    return list(db.session.scalars(query))


def _version_ids_of_group(group_id: int) -> list[int]:
    """Return the distinct instrument version ids of one group's responses (loose index scan)."""
    first = select(func.min(Response.instrument_version_id).label("vid")).where(
        Response.group_id == group_id, released()
    )
    steps = first.cte("versions", recursive=True)
    following = (
        select(func.min(Response.instrument_version_id))
        .where(Response.group_id == group_id, Response.instrument_version_id > steps.c.vid, released())
        .scalar_subquery()
    )
    steps = steps.union_all(select(following).where(steps.c.vid.is_not(None)))
    return [vid for vid in db.session.scalars(select(steps.c.vid)) if vid is not None]


def people() -> ColumnElement[int]:
    """Count people: one per sending of the form, whatever the number of questionnaires in it."""
    return func.count(func.distinct(Response.submission))


def response_counts_by_meeting(group_id: int, version_ids: Sequence[int] | None = None) -> list[Any]:
    """Count people per (meeting date, language): rows of day, week, month, locale, n.

    Rule: n is the number of submissions (sendings of the form) with a response to these
    versions, not of questionnaires; a submission lies in one meeting and one language, so
    the counts add up over meetings and languages like any other cell.
    """
    query = (
        select(*_meeting_columns(), people().label("n"))
        .where(*_group_responses(group_id, version_ids))
        .group_by(Response.meeting_date, Response.locale)
    )
    return list(db.session.execute(query))


def scale_moments_by_meeting(
    group_id: int, version_ids: Sequence[int], scale_ids: Sequence[str] | None = None
) -> list[Any]:
    """Sum each scale's scores per (scale, meeting date, language): n, SUM(x) and SUM(x*x).

    Rule: only scores of these instrument versions count; a response without a score for a
    scale (too few items answered) adds nothing to that scale's n.
    """
    query = (
        select(
            Score.scale_id,
            *_meeting_columns(),
            func.count(Score.value).label("n"),
            func.sum(Score.value).label("total"),
            func.sum(Score.value * Score.value).label("total_sq"),
        )
        .select_from(Response)
        .join(Score, Score.response_id == Response.id)
        .where(*_group_responses(group_id, version_ids))
        .where(*([] if scale_ids is None else [Score.scale_id.in_(list(scale_ids))]))
        .group_by(Score.scale_id, Response.meeting_date, Response.locale)
    )
    return list(db.session.execute(query))


def item_counts_by_meeting(group_id: int, version_ids: Sequence[int]) -> list[Any]:
    """Count numeric answers per (item, meeting date, language): rows of item_id, day, week, month, locale, n."""
    query = (
        select(Answer.item_id, *_meeting_columns(), func.count(Answer.value_num).label("n"))
        .select_from(Response)
        .join(Answer, Answer.response_id == Response.id)
        .where(*_group_responses(group_id, version_ids), Answer.value_num.is_not(None))
        .group_by(Answer.item_id, Response.meeting_date, Response.locale)
    )
    return list(db.session.execute(query))


def _date_range(first: dt.date | None, last: dt.date | None) -> list[ColumnElement[bool]]:
    """Return clauses keeping meeting dates between first and last (inclusive)."""
    clauses: list[ColumnElement[bool]] = []
    if first is not None:
        clauses.append(Response.meeting_date >= first)
    if last is not None:
        clauses.append(Response.meeting_date <= last)
    return clauses


def _locale(locale: str | None) -> list[ColumnElement[bool]]:
    """Return a clause for one language, or none for all languages."""
    return [] if locale is None else [Response.locale == locale]


def item_value_counts(
    group_id: int, version_ids: Sequence[int], first: dt.date, last: dt.date, locale: str | None
) -> list[Any]:
    """Count answers per (item, value) over meeting dates first..last: rows of item_id, value, n."""
    query = (
        select(Answer.item_id, Answer.value_num.label("value"), func.count().label("n"))
        .select_from(Response)
        .join(Answer, Answer.response_id == Response.id)
        .where(
            *_group_responses(group_id, version_ids),
            *_date_range(first, last),
            *_locale(locale),
            Answer.value_num.is_not(None),
        )
        .group_by(Answer.item_id, Answer.value_num)
    )
    return list(db.session.execute(query))


def meetings_with_responses(group_id: int) -> list[Any]:
    """Return each held meeting's date with its number of people who sent the form (0 when nobody did)."""
    query = (
        select(Meeting.local_date.label("day"), people().label("n"))
        .outerjoin(Response, (Response.meeting_id == Meeting.id) & released())
        .where(Meeting.group_id == group_id)
        .group_by(Meeting.local_date)
        .order_by(Meeting.local_date)
    )
    return list(db.session.execute(query))


def returning_participants_by_month(group_id: int) -> list[Any]:
    """For each month: how many participant codes answered, and how many of them answered again later.

    Rule: only responses with a participant code count; a code counts once per month; "came
    back" means the same code answered in any later month. No code leaves the database.
    """
    month = period_start(Response.meeting_date, "month")
    active = (
        select(Response.participant_hash.label("code"), month.label("month"))
        .where(Response.group_id == group_id, Response.participant_hash.is_not(None), released())
        .distinct()
        .cte("active")
    )
    later = aliased(active)
    came_back = exists().where(and_(later.c.code == active.c.code, later.c.month > active.c.month))
    query = (
        select(
            active.c.month,
            func.count().label("n"),
            func.sum(case((came_back, 1), else_=0)).label("returned"),
        )
        .group_by(active.c.month)
        .order_by(active.c.month)
    )
    return list(db.session.execute(query))


def item_moments_for_alpha(
    group_id: int, version_ids: Sequence[int], item_ids: Sequence[str], reverse_sums: dict[str, float]
) -> Any:
    """Return n, SUM and SUM of squares of each item and of the row total over responses answering every item.

    Rule: listwise deletion (a response counts only when every item of the scale has a
    number); a reverse-keyed item enters as (low + high - value), with reverse_sums mapping
    its id to low + high, so the total is the scale's direction of scoring.
    """
    columns = []
    for index, item_id in enumerate(item_ids):
        value: ColumnElement[Any] = func.max(case((Answer.item_id == item_id, Answer.value_num)))
        if item_id in reverse_sums:
            value = reverse_sums[item_id] - value
        columns.append(value.label(f"x{index}"))
    per_response = (
        select(*columns)
        .select_from(Response)
        .join(Answer, Answer.response_id == Response.id)
        .where(
            *_group_responses(group_id, version_ids),
            released(),
            Answer.item_id.in_(list(item_ids)),
            Answer.value_num.is_not(None),
        )
        .group_by(Answer.response_id)
        .having(func.count() == len(item_ids))
        .subquery()
    )
    xs = [per_response.c[f"x{index}"] for index in range(len(item_ids))]
    row_total = sum(xs[1:], xs[0])
    sums = [func.sum(x) for x in xs] + [func.sum(x * x) for x in xs]
    query = select(func.count(), *sums, func.sum(row_total), func.sum(row_total * row_total))
    return db.session.execute(query).one()


def first_and_latest_scores(group_id: int, version_ids: Sequence[int], scale_id: str) -> list[tuple[float, float]]:
    """Return (first score, latest score) per participant code with at least two scored responses.

    Rule: first and latest by meeting date, then by response id; the codes themselves are
    not returned, only the pairs the reliable change index needs.
    """
    order_first = (Response.meeting_date, Response.id)
    ranked = (
        select(
            Score.value,
            func.row_number().over(partition_by=Response.participant_hash, order_by=order_first).label("rank_first"),
            func.row_number()
            .over(partition_by=Response.participant_hash, order_by=[c.desc() for c in order_first])
            .label("rank_last"),
            func.count().over(partition_by=Response.participant_hash).label("answered"),
            Response.participant_hash.label("code"),
        )
        .select_from(Response)
        .join(Score, Score.response_id == Response.id)
        .where(*_group_responses(group_id, version_ids), released(), Score.scale_id == scale_id)
        .where(Response.participant_hash.is_not(None))
        .subquery()
    )
    first = func.max(case((ranked.c.rank_first == 1, ranked.c.value)))
    latest = func.max(case((ranked.c.rank_last == 1, ranked.c.value)))
    query = select(first, latest).where(ranked.c.answered >= 2).group_by(ranked.c.code)
    return [(float(a), float(b)) for a, b in db.session.execute(query)]


def text_answers(
    group_id: int,
    item_ids: Sequence[str],
    first: dt.date | None,
    last: dt.date | None,
    meetings: Sequence[dt.date] = (),
    locale: str | None = None,
) -> list[tuple[dt.date, str]]:
    """Return (meeting date, text) of free-text answers from these meetings, in this language (None: all),
    newest meeting first.

    Rule: within a meeting, answers are ordered by their text, so the order never tells who
    wrote what from the order people submitted in.
    """
    language = [Response.locale == locale] if locale is not None else []
    query = (
        select(Response.meeting_date, Answer.value_text)
        .select_from(Response)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.group_id == group_id, Answer.item_id.in_(list(item_ids)), *_date_range(first, last))
        .where(Response.meeting_date.in_(list(meetings)), released(), *language)
        .where(Answer.value_text.is_not(None), Answer.value_text != "")
        .order_by(Response.meeting_date.desc(), Answer.value_text)
    )
    return [(day, text or "") for day, text in db.session.execute(query)]


def response_rows(
    group_id: int, version_ids: Sequence[int], first: dt.date | None, last: dt.date | None
) -> Iterator[Any]:
    """Stream the released responses of a group (for the admin's response-level export), oldest first."""
    query = (
        select(Response)
        .where(*_group_responses(group_id, version_ids), *_date_range(first, last), released())
        .order_by(Response.meeting_date, Response.id)
        .execution_options(yield_per=500)
    )
    yield from db.session.scalars(query)


def answers_and_scores(response_ids: Sequence[int]) -> tuple[list[Any], list[Any]]:
    """Return the answers and scores of a batch of responses (for the admin's response-level export)."""
    ids = list(response_ids)
    answers = db.session.execute(
        select(Answer.response_id, Answer.item_id, Answer.value_num, Answer.value_text).where(
            Answer.response_id.in_(ids)
        )
    )
    scores = db.session.execute(
        select(Score.response_id, Score.scale_id, Score.value).where(Score.response_id.in_(ids))
    )
    return list(answers), list(scores)


def questionnaires_answered(
    group_id: int, version_ids: Sequence[int], meetings: Sequence[dt.date], locale: str | None = None
) -> int:
    """Count the questionnaires of these versions filled in at these meetings, in this language (None: all).

    Rule: a questionnaire counts when its response holds at least one answer, so a questionnaire
    someone skipped in a form of several is not counted; one person may fill in several.
    """
    if not version_ids or not meetings:
        return 0
    answered = exists().where(Answer.response_id == Response.id)
    query = (
        select(func.count(Response.id))
        .where(
            *_group_responses(group_id, version_ids), Response.meeting_date.in_(list(meetings)), answered, released()
        )
        .where(*_locale(locale))
    )
    return int(db.session.execute(query).scalar() or 0)
