"""The privacy layer's read side: the only door from the dashboard views to the answers.

Views get released cells whose hidden statistics are gone (`people_cells`, `scale_cells`,
`item_cells`), read from the decisions stored at release (survey/release), and the few
row-level reads a view needs (alpha sums, change pairs, comments, engagement counts), which
see released answers only. Nothing else in survey/dashboard imports queries.py, and a test
checks it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from ..instruments import Instrument
from ..release import reader
from ..stats import Cell, Summary
from ..stats.hierarchy import CellKey
from . import queries

ItemCounts = dict[float, int]


def people_cells(group_id: int, instrument_id: str | None, locale: str) -> dict[CellKey, Cell[Summary]]:
    """Return people counted per released cell of one language (of one instrument, or all), as the audit decided."""
    measure = "people" if instrument_id is None else f"people:{instrument_id}"
    return reader.summary_cells(group_id, [measure], locale).get(measure, {})  # type: ignore[return-value]


def scale_cells(
    group_id: int,
    instrument: Instrument,
    scale_ids: Sequence[str] | None = None,
    locale: str | None = None,
    grains: Sequence[str] | None = None,
) -> dict[str, dict[CellKey, Cell[Summary]]]:
    """Return each scale's released cells as the stored audit decided (scale id -> cell key -> cell), of one
    language and some grains when asked (a trend reads its grain and all time, not every cell)."""
    wanted = [s.id for s in instrument.scales] if scale_ids is None else list(scale_ids)
    measures = {f"scale:{instrument.id}:{scale_id}": scale_id for scale_id in wanted}
    found = reader.summary_cells(group_id, list(measures), locale, grains)
    return {measures[m]: cells for m, cells in found.items()}  # type: ignore[misc]


def item_cells(group_id: int, instrument: Instrument, key: CellKey) -> dict[str, Cell[ItemCounts]]:
    """Return each numeric item's cell for one period: its n, and its answer counts only when shown.

    An item answered in other periods only gets an empty cell.
    """
    prefix = f"item:{instrument.id}:"
    measures = reader.measures_of(group_id, prefix)
    found = reader.count_cells(group_id, measures, key)  # type: ignore[arg-type]
    return {m[len(prefix) :]: found.get(m) or Cell(key=key, n=0) for m in measures}


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


def questionnaires_answered(
    group_id: int, version_ids: Sequence[int], meetings: Sequence[dt.date], locale: str | None = None
) -> int:
    """Count the released questionnaires (with at least one answer) of these versions at these shown meetings."""
    return queries.questionnaires_answered(group_id, version_ids, meetings, locale)


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
