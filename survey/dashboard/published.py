"""The privacy layer's read side: the only door from the dashboard views to the answers.

Views get released cells whose hidden statistics are gone (`people_cells`, `scale_cells`,
`item_cells`), read from the decisions stored at release (survey/release); the instrument
versions answered and the statistics over all released answers that are no cells (alpha sums,
change pairs, engagement counts), read from the summaries stored at the same publication
(survey/release/summaries.py); and the few row-level reads a view needs (comments and the
admins' export), which see released answers only. Nothing else in
survey/dashboard imports queries.py, and a test checks it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from ..instruments import Instrument
from ..release import reader, summaries
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
    found = reader.count_cells(group_id, [prefix + item.id for item in instrument.items], key)  # type: ignore[arg-type]
    return {m[len(prefix) :]: cell for m, cell in sorted(found.items())}


def alpha_sums(group_id: int) -> dict[tuple[str, str], list[Any]]:
    """Return, per (instrument, scale), n and the sums Cronbach's alpha needs over the group's complete
    released responses, as stored at the last publication (n, item sums, item sums of squares, total, its square).
    """
    return summaries.per_scale(group_id, "alpha")


def change_pairs(group_id: int) -> dict[tuple[str, str], list[list[float]]]:
    """Return, per (instrument, scale), the (first, latest) scores of each participant code that answered twice,
    as stored at the last publication."""
    return summaries.per_scale(group_id, "change")


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


def questionnaires_answered(group_id: int, instrument_id: str, meetings: Sequence[dt.date], locale: str) -> int:
    """Count one instrument's released questionnaires filled in (at least one answer) at these meetings, in one
    language cell (or all, "*"), from its stored people cells: a sending holds at most one questionnaire of an
    instrument, so its people at a meeting are its questionnaires there (hidden cells keep their n)."""
    cells = reader.summary_cells(group_id, [f"people:{instrument_id}"], locale, ["meeting"])
    found = cells.get(f"people:{instrument_id}", {})
    return sum(cell.n for day in set(meetings) if (cell := found.get(("meeting", day, locale))) is not None)


def meeting_counts(group_id: int) -> list[tuple[dt.date, int]]:
    """Return each held meeting's date with its number of people (0 when nobody answered), as last published."""
    return summaries.meeting_counts(group_id)


def returning_by_month(group_id: int) -> list[summaries.MonthReturns]:
    """Return participant codes per month and how many answered again in a later month, as last published."""
    return summaries.returning_by_month(group_id)


def instruments_answered(group_id: int) -> summaries.AnsweredInstruments:
    """Map each instrument the group's released answers answered to (latest version answered, its version ids)."""
    return summaries.answered_instruments(group_id)


def export_responses(
    group_id: int, version_ids: Sequence[int], first: dt.date | None, last: dt.date | None
) -> Iterator[Any]:
    """Stream the group's responses for the admins' row-level export (rows, not aggregates; admins only)."""
    return queries.response_rows(group_id, version_ids, first, last)


def export_answers_and_scores(response_ids: Sequence[int]) -> tuple[list[Any], list[Any]]:
    """Return the answers and scores of a batch of responses for the admins' row-level export."""
    return queries.answers_and_scores(response_ids)
