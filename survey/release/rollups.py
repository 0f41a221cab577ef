"""Rollup cells: each released batch's measures, summed once from the raw answers.

Measures: "people" (sendings of the form), "people:<instrument>" (sendings that answered at least
one of its questions), "scale:<instrument>:<scale>" (n, sum, sum of squares of the scores) and
"item:<instrument>:<item>" (numeric answers: n and a count per value). Answers stay the source of
truth: `rebuild` writes every batch's cells again from them, and must give what release wrote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, exists, func, insert, select

from ..extensions import db
from ..models import Answer, InstrumentVersion, ReleaseBatch, ReleasedResponse, Response, RollupCell, Score

CellValues = dict[str, Any]


def _released(batch_ids: Sequence[int]) -> Any:
    """Return responses joined to the batch that released them, for these batches."""
    return (
        select()
        .select_from(ReleasedResponse)
        .join(Response, Response.id == ReleasedResponse.response_id)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(ReleasedResponse.batch_id.in_(list(batch_ids)))
    )


def compute(batch_ids: Sequence[int]) -> dict[tuple[int, str], CellValues]:
    """Return every measure of these batches from the raw answers: (batch id, measure) -> values."""
    cells: dict[tuple[int, str], CellValues] = {}
    if not batch_ids:
        return cells
    base = _released(batch_ids)
    people = func.count(func.distinct(Response.submission))
    batch = ReleasedResponse.batch_id
    for b, n in db.session.execute(base.add_columns(batch, people).group_by(batch)):
        cells[(b, "people")] = {"n": int(n)}
    # A questionnaire's people are those who answered at least one of its questions: a form holds a
    # response for every questionnaire on it, also one whose questions were all left empty.
    answered = exists().where(Answer.response_id == Response.id)
    by_instrument = base.add_columns(batch, InstrumentVersion.instrument_id, people).where(answered)
    for b, iid, n in db.session.execute(by_instrument.group_by(batch, InstrumentVersion.instrument_id)):
        cells[(b, f"people:{iid}")] = {"n": int(n)}
    scales = base.join(Score, Score.response_id == Response.id).add_columns(
        batch,
        InstrumentVersion.instrument_id,
        Score.scale_id,
        func.count(Score.value),
        func.sum(Score.value),
        func.sum(Score.value * Score.value),
    )
    for b, iid, sid, n, total, total_sq in db.session.execute(
        scales.group_by(batch, InstrumentVersion.instrument_id, Score.scale_id)
    ):
        cells[(b, f"scale:{iid}:{sid}")] = {"n": int(n), "total": float(total or 0), "total_sq": float(total_sq or 0)}
    answers = (
        base.join(Answer, Answer.response_id == Response.id)
        .where(Answer.value_num.is_not(None))
        .add_columns(batch, InstrumentVersion.instrument_id, Answer.item_id, Answer.value_num, func.count())
        .group_by(batch, InstrumentVersion.instrument_id, Answer.item_id, Answer.value_num)
    )
    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for b, iid, item_id, value, n in db.session.execute(answers):
        counts[(b, f"item:{iid}:{item_id}")][value_key(value)] = int(n)
    for key, found in counts.items():
        cells[key] = {"n": sum(found.values()), "counts": found}
    return cells


def value_key(value: float) -> str:
    """Write an answer value as a JSON key (2.0 -> "2.0"), read back with float()."""
    return repr(float(value))


def write(batch_ids: Sequence[int]) -> None:
    """Write the rollup cells of newly released batches (in the caller's write transaction)."""
    rows = [{"batch_id": b, "measure": m, **values} for (b, m), values in compute(batch_ids).items()]
    if rows:
        db.session.execute(insert(RollupCell), rows)


def stored(batch_ids: Sequence[int]) -> dict[tuple[int, str], CellValues]:
    """Return the stored rollup cells of these batches, in the form compute() returns."""
    cells: dict[tuple[int, str], CellValues] = {}
    for row in db.session.scalars(select(RollupCell).where(RollupCell.batch_id.in_(list(batch_ids)))):
        values: CellValues = {"n": row.n}
        if row.total is not None or row.total_sq is not None:
            values.update(total=row.total, total_sq=row.total_sq)
        if row.counts is not None:
            values["counts"] = dict(row.counts)
        cells[(row.batch_id, row.measure)] = values
    return cells


def rebuild(group_id: int) -> int:
    """Write the rollup cells of every released, unpurged batch of a group again from the raw answers.

    Returns the number of batches rebuilt. Purged batches keep their stored n only.
    """
    ids = list(
        db.session.scalars(select(ReleaseBatch.id).where(ReleaseBatch.group_id == group_id, ~ReleaseBatch.purged))
    )
    if ids:
        db.session.execute(delete(RollupCell).where(RollupCell.batch_id.in_(ids)))
        write(ids)
    return len(ids)
