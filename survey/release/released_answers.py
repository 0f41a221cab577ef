"""SQL over a group's released answers that dashboards and publication share.

The clause that keeps released responses only, the date bucketing of periods (the one place SQLite
and PostgreSQL differ), people per sending, the instrument versions answered, and the statistics
over all of a group's released answers that are no cells (alpha sums, change pairs, people per
meeting, returning participant codes). survey/release/summaries.py runs the latter once, when
the group's cells are published, and stores them; no dashboard request runs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date, and_, case, cast, exists, func, literal_column, select, type_coerce
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import Answer, InstrumentVersion, Meeting, ReleaseBatch, ReleasedResponse, Response, Score

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


def group_responses(group_id: int, version_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    """Return the WHERE clauses for one group's responses, optionally to some instrument versions."""
    clauses: list[ColumnElement[bool]] = [Response.group_id == group_id]
    if version_ids is not None:
        clauses.append(Response.instrument_version_id.in_(list(version_ids)))
    return clauses


def released() -> ColumnElement[bool]:
    """Keep only responses that a release batch has released: what dashboards may use."""
    return exists().where(ReleasedResponse.response_id == Response.id)


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


def meetings_with_responses(group_id: int) -> list[Any]:
    """Return each released meeting's date with its number of people who sent the form (0 after a purge).

    Rule: a meeting counts once a batch of its answers was released, so a meeting still open
    (or waiting for its grace period) is not announced before its answers are; a purged one
    stays, with no people, as its batches do.
    """
    ever_released = select(ReleaseBatch.meeting_id).where(ReleaseBatch.group_id == group_id)
    query = (
        select(Meeting.local_date.label("day"), people().label("n"))
        .outerjoin(Response, (Response.meeting_id == Meeting.id) & released())
        .where(Meeting.group_id == group_id, Meeting.id.in_(ever_released))
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
            *group_responses(group_id, version_ids),
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
        .where(*group_responses(group_id, version_ids), released(), Score.scale_id == scale_id)
        .where(Response.participant_hash.is_not(None))
        .subquery()
    )
    first = func.max(case((ranked.c.rank_first == 1, ranked.c.value)))
    latest = func.max(case((ranked.c.rank_last == 1, ranked.c.value)))
    query = select(first, latest).where(ranked.c.answered >= 2).group_by(ranked.c.code)
    return [(float(a), float(b)) for a, b in db.session.execute(query)]
