"""SQL aggregates for dashboards: every function returns GROUP BY results, never raw responses.

The clauses and statistics shared with publication (released answers only, period bucketing,
instrument versions answered, the stored summaries' SQL) are in survey/release/released_answers.py.

Nothing here is safe to show as it is: these are the raw counts and moments that
survey/dashboard/published.py (the privacy layer) suppresses before any view, page or export sees them.
Every query starts from the responses of one group through the (group_id, meeting_date)
index, and joins answers and scores through their (response_id, ...) primary keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import Answer, Response, Score
from ..release.released_answers import group_responses, people, period_start, released


def _meeting_columns() -> list[Any]:
    """Return the meeting date, its week and month starts and the language: the finest dashboard cell."""
    return [
        Response.meeting_date.label("day"),
        period_start(Response.meeting_date, "week").label("week"),
        period_start(Response.meeting_date, "month").label("month"),
        Response.locale.label("locale"),
    ]


def response_counts_by_meeting(group_id: int, version_ids: Sequence[int] | None = None) -> list[Any]:
    """Count people per (meeting date, language): rows of day, week, month, locale, n.

    Rule: n is the number of submissions (sendings of the form) with a response to these
    versions, not of questionnaires; a submission lies in one meeting and one language, so
    the counts add up over meetings and languages like any other cell.
    """
    query = (
        select(*_meeting_columns(), people().label("n"))
        .where(*group_responses(group_id, version_ids))
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
        .where(*group_responses(group_id, version_ids))
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
        .where(*group_responses(group_id, version_ids), Answer.value_num.is_not(None))
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
            *group_responses(group_id, version_ids),
            *_date_range(first, last),
            *_locale(locale),
            Answer.value_num.is_not(None),
        )
        .group_by(Answer.item_id, Answer.value_num)
    )
    return list(db.session.execute(query))


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
        .where(*group_responses(group_id, version_ids), *_date_range(first, last), released())
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
