"""Published summaries: a group's statistics over all its released answers that are no cells, stored at publication.

The instrument versions answered (what a dashboard offers), reliability (the sums Cronbach's
alpha needs, per scale), reliable change (first and latest score per participant code, per scale)
and engagement (people per released meeting, participant codes per month and how many came back)
are computed by the SQL in released_answers.py every time the group's cells are published
(survey/release/publish.py: a release, `flask release rebuild`, a purge, a change of k) and
replace the group's published_summaries rows; a dashboard request reads those rows and runs none
of that SQL.

Why recomputed whole, and alpha's sums not kept as rollup cells per batch: only they add up per
batch, and even they follow the latest instrument version answered (its scale's items and reverse
keying apply to the answers of every version), so a new version would invalidate every batch's
sums; change pairs and returns per month do not add up at all. Computing everything again from
the released answers at each publication stays right after a late batch, a purge (publication
runs after the responses are deleted), a new instrument version or a change of k, at the cost of
that SQL once per publication (seconds for 100,000 answers) instead of once per request. Only
released answers are read, so nothing stored here moves before a release.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import delete, insert, select

from .. import catalog
from ..database import request_reads
from ..extensions import db
from ..instruments import Instrument, Scale
from ..models import InstrumentVersion, PublishedSummary
from . import released_answers

AnsweredInstruments = dict[str, tuple[Instrument, list[int]]]
_VERSIONS_KEY = "survey.instrument_versions_read"


class MonthReturns(NamedTuple):
    """Participant codes that answered in a month, and how many of them answered again in a later month."""

    month: dt.date
    n: int
    returned: int


def answered_instruments(group_id: int) -> AnsweredInstruments:
    """Map each instrument the group's released answers answered to (latest version answered, its version ids),
    from the version ids stored at the last publication."""
    ids = sorted(stored(group_id, "versions").get("versions", []))
    known = _versions_read()
    missing = [i for i in ids if i not in known]
    if missing:
        query = select(InstrumentVersion).where(InstrumentVersion.id.in_(missing))
        known.update(
            {row.id: (row.instrument_id, catalog.instrument_for_version(row)) for row in db.session.scalars(query)}
        )
    return _by_instrument((i, *known[i]) for i in ids if i in known)


def _versions_read() -> dict[int, tuple[str, Instrument]]:
    """Return this app's instrument versions read so far: id -> (instrument id, definition).

    Version rows are written once and never changed or deleted (a changed file is a new version), so
    what a row holds can be kept for the app's life instead of being read on every first request.
    """
    kept: dict[int, tuple[str, Instrument]] = current_app.extensions.setdefault(_VERSIONS_KEY, {})
    return kept


def _by_instrument(versions: Iterable[tuple[int, str, Instrument]]) -> AnsweredInstruments:
    """Group instrument versions (id, instrument id, definition; oldest first) by instrument, each with the
    definition of its latest version."""
    found: AnsweredInstruments = {}
    for version_id, instrument_id, instrument in versions:
        ids = found[instrument_id][1] if instrument_id in found else []
        found[instrument_id] = (instrument, [*ids, version_id])
    return found


def reverse_sums(instrument: Instrument, scale: Scale) -> dict[str, float]:
    """Map each reverse-keyed item of the scale to low + high of its range (an answer x enters as low + high - x)."""
    found = {}
    for item_id in scale.items:
        bounds = instrument.numeric_range(item_id)
        if instrument.item(item_id).reverse and bounds:
            found[item_id] = bounds[0] + bounds[1]
    return found


def compute(group_id: int) -> dict[str, list[Any]]:
    """Return every summary of the group from its released answers: name -> JSON value."""
    values: dict[str, list[Any]] = {
        "meetings": [[r.day.isoformat(), int(r.n)] for r in released_answers.meetings_with_responses(group_id)],
        "returning": [
            [r.month.isoformat(), int(r.n), int(r.returned or 0)]
            for r in released_answers.returning_participants_by_month(group_id)
        ],
    }
    versions = released_answers.versions_answered([group_id])
    values["versions"] = [row.id for row in versions]
    rows = ((row.id, row.instrument_id, catalog.instrument_for_version(row)) for row in versions)
    for instrument_id, (instrument, ids) in _by_instrument(rows).items():
        for scale in instrument.scales:
            pairs = released_answers.first_and_latest_scores(group_id, ids, scale.id)
            values[f"change:{instrument_id}:{scale.id}"] = [list(pair) for pair in pairs]
            if len(scale.items) >= 2:
                reverse = reverse_sums(instrument, scale)
                row = released_answers.item_moments_for_alpha(group_id, ids, scale.items, reverse)
                values[f"alpha:{instrument_id}:{scale.id}"] = [int(row[0]), *(float(v or 0.0) for v in row[1:])]
    return values


def write(group_id: int) -> None:
    """Replace the group's stored summaries with ones computed now (in the caller's write transaction)."""
    db.session.execute(delete(PublishedSummary).where(PublishedSummary.group_id == group_id))
    rows = [{"group_id": group_id, "name": name, "value": value} for name, value in compute(group_id).items()]
    db.session.execute(insert(PublishedSummary), rows)


def stored(group_id: int, kind: str) -> dict[str, list[Any]]:
    """Return the group's stored summaries of one kind (versions, alpha, change, meetings, returning): name -> value."""
    query = select(PublishedSummary.name, PublishedSummary.value).where(
        PublishedSummary.group_id == group_id, PublishedSummary.name.startswith(kind, autoescape=True)
    )
    return {name: value for name, value in request_reads().execute(query).all()}  # Core: no ORM steps


def per_scale(group_id: int, kind: str) -> dict[tuple[str, str], list[Any]]:
    """Return the stored alpha or change summaries of the group by (instrument id, scale id)."""
    found = {}
    for name, value in stored(group_id, f"{kind}:").items():
        _kind, instrument_id, scale_id = name.split(":", 2)
        found[(instrument_id, scale_id)] = value
    return found


def meeting_counts(group_id: int) -> list[tuple[dt.date, int]]:
    """Return each held meeting's date with its number of people (0 when nobody answered), as last published."""
    rows = stored(group_id, "meetings").get("meetings", [])
    return [(dt.date.fromisoformat(day), int(n)) for day, n in rows]


def returning_by_month(group_id: int) -> list[MonthReturns]:
    """Return participant codes per month and how many answered again later, as last published."""
    rows = stored(group_id, "returning").get("returning", [])
    return [MonthReturns(dt.date.fromisoformat(month), int(n), int(back)) for month, n, back in rows]
