"""The privacy layer's read side: the only door from the dashboard views to the answers.

Views get cells whose hidden statistics are gone (`people_cells`, `scale_cells`,
`item_cells`), and the few row-level reads a view needs (alpha sums, change pairs, comments,
engagement counts). Nothing else in survey/dashboard imports queries.py, and a test checks it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from ..stats import Cell, Summary
from . import queries
from .privacy import CellKey, MeetingMoments, Moments, count_rows, suppress_hierarchy

ItemCounts = dict[float, int]


def people_cells(group_id: int, version_ids: Sequence[int], k: int) -> dict[CellKey, Cell[Summary]]:
    """Return people counted per cell of the whole hierarchy, suppressed as every view shows them."""
    if not version_ids:
        return {}
    return suppress_hierarchy(count_rows(queries.response_counts_by_meeting(group_id, version_ids)), k)


def scale_cells(
    group_id: int, version_ids: Sequence[int], k: int, scale_ids: Sequence[str] | None = None
) -> dict[str, dict[CellKey, Cell[Summary]]]:
    """Return each scale's suppressed cells (scale id -> cell key -> cell)."""
    rows = queries.scale_moments_by_meeting(group_id, version_ids, scale_ids) if version_ids else []
    by_scale: dict[str, list[MeetingMoments]] = defaultdict(list)
    for r in rows:
        moments = Moments(int(r.n), float(r.total or 0.0), float(r.total_sq or 0.0))
        by_scale[r.scale_id].append(MeetingMoments(r.day, r.week, r.month, r.locale, moments))
    return {scale_id: suppress_hierarchy(found, k) for scale_id, found in by_scale.items()}


def item_cells(
    group_id: int, version_ids: Sequence[int], k: int, key: CellKey, last_day: dt.date
) -> dict[str, Cell[ItemCounts]]:
    """Return each numeric item's cell for one period: its n, and its answer counts only when shown."""
    if not version_ids:
        return {}
    by_item: dict[str, list[MeetingMoments]] = defaultdict(list)
    for r in queries.item_counts_by_meeting(group_id, version_ids):
        by_item[r.item_id].append(MeetingMoments(r.day, r.week, r.month, r.locale, Moments(int(r.n))))
    grain, first_day, locale = key
    assert first_day is not None
    counts: dict[str, ItemCounts] = defaultdict(dict)
    language = None if locale == "*" else locale
    for r in queries.item_value_counts(group_id, version_ids, first_day, last_day, language):
        counts[r.item_id][float(r.value)] = int(r.n)
    result: dict[str, Cell[ItemCounts]] = {}
    for item_id, rows in by_item.items():
        cell = suppress_hierarchy(rows, k).get(key)
        if cell is None:  # answered in other periods only: an empty cell
            result[item_id] = Cell(key=key, n=0)
            continue
        shown = None if cell.suppressed else counts.get(item_id, {})
        result[item_id] = Cell(key=cell.key, n=cell.n, stats=shown, hidden_because=cell.hidden_because)
    return result


def alpha_sums(
    group_id: int, version_ids: Sequence[int], item_ids: Sequence[str], reverse_sums: dict[str, float]
) -> Any:
    """Return n and the sums Cronbach's alpha needs over the group's complete responses."""
    return queries.item_moments_for_alpha(group_id, version_ids, item_ids, reverse_sums)


def change_pairs(group_id: int, version_ids: Sequence[int], scale_id: str) -> list[tuple[float, float]]:
    """Return (first, latest) scale scores per participant code that answered twice."""
    return queries.first_and_latest_scores(group_id, version_ids, scale_id) if version_ids else []


def comment_texts(
    group_id: int,
    item_ids: Sequence[str],
    first: dt.date,
    last: dt.date,
    shown_meetings: Sequence[dt.date],
    locale: str | None,
) -> list[tuple[dt.date, str]]:
    """Return (meeting date, text) of free-text answers from meetings whose own cell is shown."""
    if not item_ids or not shown_meetings:
        return []
    return queries.text_answers(group_id, item_ids, first, last, shown_meetings, locale)


def meeting_counts(group_id: int) -> list[tuple[dt.date, int]]:
    """Return each held meeting's date with its number of people (0 when nobody answered)."""
    return [(r.day, int(r.n)) for r in queries.meetings_with_responses(group_id)]


def returning_by_month(group_id: int) -> list[Any]:
    """Return participant codes per month and how many answered again in a later month."""
    return list(queries.returning_participants_by_month(group_id))


def versions_answered(group_ids: Sequence[int]) -> list[Any]:
    """Return the instrument versions these groups answered (what a dashboard offers)."""
    return queries.versions_answered(group_ids)


def export_responses(
    group_id: int, version_ids: Sequence[int], first: dt.date | None, last: dt.date | None
) -> Iterator[Any]:
    """Stream the group's responses for the admins' row-level export (rows, not aggregates; admins only)."""
    return queries.response_rows(group_id, version_ids, first, last)


def export_answers_and_scores(response_ids: Sequence[int]) -> tuple[list[Any], list[Any]]:
    """Return the answers and scores of a batch of responses for the admins' row-level export."""
    return queries.answers_and_scores(response_ids)
