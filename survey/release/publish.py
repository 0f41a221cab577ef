"""Publishing: the exact audit over every cell of every measure of a group, stored with the group's ledger.

Run inside the release's write transaction, after new batches (or a purge, or a change of k).
Every cell (meeting, week, month, all time; each language and all) of every measure is
decided by one audit over all the group's measures at once (survey.stats.hierarchy.
decide_measures), so what one scale or question shows is audited against what another hides, with
the disclosure ledger as history: every leaf set ever shown seeds the published basis, every
leaf set ever hidden as small stays protected. The decisions replace the group's
published_cells rows; the ledger only grows. The same step stores the group's summaries that are
no cells (alpha sums, change pairs, engagement counts: survey/release/summaries.py), and deletes the
group's stored dashboard views, built again once the transaction commits (survey/release/stored_views.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Any

from sqlalchemy import delete, insert, select

from ..extensions import db
from ..models import DisclosureLedger, PublishedCell, ReleaseBatch, ReleaseState, now_utc
from ..stats import effective_k
from ..stats.hierarchy import ALL, Decision, MeetingMoments, Moments, decide_measures
from . import rollups, stored_views, summaries


def week_of(day: dt.date) -> dt.date:
    """Return the Monday starting the day's week (as the SQL bucketing does)."""
    return day - dt.timedelta(days=day.weekday())


def _encode(leaves: Iterable[Hashable]) -> str:
    """Write a set of batch ids as sorted, comma-separated text."""
    return ",".join(str(b) for b in sorted(int(str(leaf)) for leaf in leaves))


def _ledger(group_id: int) -> dict[tuple[str, str], set[frozenset[Hashable]]]:
    """Return the group's ledger: (measure, kind) -> leaf sets."""
    found: dict[tuple[str, str], set[frozenset[Hashable]]] = defaultdict(set)
    rows = db.session.execute(
        select(DisclosureLedger.measure, DisclosureLedger.kind, DisclosureLedger.batches).where(
            DisclosureLedger.group_id == group_id
        )
    )
    for measure, kind, batches in rows:
        found[(measure, kind)].add(frozenset(int(b) for b in batches.split(",") if b))
    return found


def publish(group_id: int, k: int) -> None:
    """Decide and store every cell of the group's released batches under k, growing the ledger, and store the
    group's summaries again."""
    batches = list(db.session.scalars(select(ReleaseBatch).where(ReleaseBatch.group_id == group_id)))
    cells = rollups.stored([b.id for b in batches])
    by_id = {b.id: b for b in batches}
    per_measure: dict[str, list[tuple[ReleaseBatch, dict[str, object]]]] = defaultdict(list)
    for (batch_id, measure), values in cells.items():
        per_measure[measure].append((by_id[batch_id], values))
    ledger = _ledger(group_id)
    db.session.execute(delete(PublishedCell).where(PublishedCell.group_id == group_id))
    stored_views.forget(group_id)  # in this transaction: no view built from the cells replaced survives them
    decisions = _decide(per_measure, k, ledger)
    new_rows: list[dict[str, object]] = []
    new_ledger: list[dict[str, object]] = []
    for measure, decision in sorted(decisions.items()):
        new_rows += _published_rows(group_id, measure, decision, per_measure[measure])
        for kind, sets in (("shown", decision.shown_leaf_sets()), ("protected", decision.protected)):
            for leaves in sets - ledger[(measure, kind)]:
                text = _encode(leaves)
                digest = hashlib.sha256(text.encode()).hexdigest()
                new_ledger.append(
                    {"group_id": group_id, "measure": measure, "kind": kind, "digest": digest, "batches": text}
                )
    if new_rows:
        db.session.execute(insert(PublishedCell), new_rows)
    if new_ledger:
        db.session.execute(insert(DisclosureLedger), new_ledger)
    summaries.write(group_id)
    _record_k(group_id, k)


def _decide(
    per_measure: dict[str, list[tuple[ReleaseBatch, dict[str, object]]]],
    k: int,
    ledger: dict[tuple[str, str], set[frozenset[Hashable]]],
) -> dict[str, Decision]:
    """Run one audit over every measure's batches at once (purged ones only as history)."""
    rows: dict[str, list[MeetingMoments]] = {}
    other_n: dict[str, dict[Hashable, int]] = {}
    for measure, found in per_measure.items():
        rows[measure], other_n[measure] = [], {}
        for batch, values in found:
            n = int(values["n"])  # type: ignore[call-overload]
            if batch.purged:
                other_n[measure][batch.id] = n
                continue
            total, total_sq = float(values.get("total") or 0.0), float(values.get("total_sq") or 0.0)  # type: ignore[arg-type]
            day = batch.meeting_date
            moments = Moments(n, total, total_sq)
            rows[measure].append(MeetingMoments(day, week_of(day), day.replace(day=1), batch.locale, moments, batch.id))
    known = {m: ledger[(m, "shown")] for m in per_measure}
    protect = {m: ledger[(m, "protected")] for m in per_measure}
    return decide_measures(rows, k, known, protect, other_n)


def _published_rows(
    group_id: int, measure: str, decision: Decision, found: list[tuple[ReleaseBatch, dict[str, object]]]
) -> list[dict[str, object]]:
    """Return the published_cells rows of one measure: figures for shown cells, n and why for hidden ones."""
    counts_of: dict[Hashable, Any] = {batch.id: values.get("counts") for batch, values in found if not batch.purged}
    rows = []
    for key, m in decision.moments.items():
        grain, period, locale = key
        reason = decision.hidden.get(key)
        row: dict[str, object] = {
            "group_id": group_id,
            "measure": measure,
            "grain": grain,
            "period": period,
            "locale": locale,
            "n": m.n,
            "hidden_because": reason,
            "total": None,
            "total_sq": None,
            "counts": None,
        }
        if reason is None and measure.startswith("scale:"):
            row.update(total=m.total, total_sq=m.total_sq)
        if reason is None and measure.startswith("item:"):
            row["counts"] = _pooled_counts(counts_of[leaf] for leaf in decision.leaves[key])
        rows.append(row)
    return rows


def _pooled_counts(parts: Iterable[dict[str, int] | None]) -> dict[str, int]:
    """Add answer counts per value over leaves."""
    total: dict[str, int] = defaultdict(int)
    for part in parts:
        for value, n in (part or {}).items():
            total[value] += n
    return dict(total)


def _record_k(group_id: int, k: int) -> None:
    """Remember the k this publication used and the highest k ever published with."""
    state = db.session.get(ReleaseState, group_id)
    if state is None:
        db.session.add(ReleaseState(group_id=group_id, k=k, max_k=k, audited_at=now_utc()))
    else:
        state.k, state.max_k, state.audited_at = k, max(state.max_k, k), now_utc()


def publish_group(group_id: int, min_group_size: int) -> None:
    """Publish a group's cells under its own k."""
    publish(group_id, effective_k(min_group_size))


__all__ = ["ALL", "publish", "publish_group", "week_of"]
