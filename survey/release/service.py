"""Releasing a group's due answers in one write transaction: batches, their rollup cells, the audit.

Release happens lazily, at the first dashboard read after something became due, and by
`flask release run` (for cron). Two app servers releasing the same group at once are
serialized by a lock on the group's row (PostgreSQL; SQLite's BEGIN IMMEDIATE already
serializes writers), and the unique (meeting, language, seq) and the released response's
primary key stop a double count even without it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..database import begin_write
from ..extensions import db
from ..models import Group, ReleaseState, now_utc
from ..stats import effective_k
from . import batches, publish, rollups


def release_due(group: Group, now: dt.datetime | None = None) -> int:
    """Release what is due for the group now and store the audit's decision; return the batches released.

    Commits its own write transaction when anything is due (the caller's read transaction ends first).
    """
    now = now or now_utc()
    if not batches.due_batches(group, now):
        return 0
    group_id = group.id
    begin_write()
    try:
        db.session.execute(select(Group.id).where(Group.id == group_id).with_for_update())
        due = batches.due_batches(group, now)
        if not due:
            db.session.rollback()
            return 0
        k = effective_k(group.min_group_size)
        released = [batches.release_batch(group, item, k) for item in due]
        db.session.flush()
        rollups.write([b.id for b in released])
        publish.publish(group_id, k)
        db.session.commit()
    except IntegrityError:  # another server released the same answers first: theirs stand
        db.session.rollback()
        return 0
    return len(released)


def republish(group: Group) -> None:
    """Decide every cell again under the group's current k (after a purge or a change of k), in the caller's
    write transaction."""
    publish.publish(group.id, effective_k(group.min_group_size))


def published_k(group: Group) -> int | None:
    """Return the highest k the group's figures were ever published with, or None if never."""
    state = db.session.get(ReleaseState, group.id)
    return None if state is None else state.max_k


def waiting(group: Group, now: dt.datetime | None = None) -> list[batches.Pending]:
    """Return the answers not released yet, with when each batch may appear (for the coordinator)."""
    return batches.pending(group, now or now_utc())
