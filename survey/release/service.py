"""Releasing a group's due answers in one write transaction: batches, their rollup cells, the audit.

Release happens lazily, at the first dashboard read after something became due, and by
`flask release run` (for cron). Two app servers releasing the same group at once are
serialized by a lock on the group's row (PostgreSQL; SQLite's BEGIN IMMEDIATE already
serializes writers), and the unique (meeting, language, seq) and the released response's
primary key stop a double count even without it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..database import begin_write
from ..extensions import db
from ..groups import GroupError
from ..models import Group, ReleaseBatch, ReleaseState, RollupCell, now_utc
from ..stats import effective_k
from . import batches, publish, rollups

if TYPE_CHECKING:
    from ..access import ReadGroup

_WAITING = "survey.release.waiting"  # request.environ: group id -> what the release check found waiting


def release_due(group: Group | ReadGroup, now: dt.datetime | None = None) -> int:
    """Release what is due for the group now and store the audit's decision; return the batches released.

    Commits its own write transaction when anything is due (the caller's read transaction ends first).
    """
    now = now or now_utc()
    found = batches.pending(group, now)
    k = effective_k(group.min_group_size)
    if not any(item.due(now, k) for item in found):
        if has_request_context():  # what waits is what this read found: the page listing it reads nothing more
            request.environ.setdefault(_WAITING, {})[group.id] = found
        return 0
    group_id = group.id
    begin_write()
    try:
        db.session.execute(select(Group.id).where(Group.id == group_id).with_for_update())
        due = batches.due_batches(group, now)
        if not due:
            db.session.rollback()
            return 0
        released = [batches.release_batch(group, item, k) for item in due]
        db.session.flush()
        rollups.write([b.id for b in released])
        publish.publish(group_id, k)
        db.session.commit()
    except IntegrityError:  # another server released the same answers first: theirs stand
        db.session.rollback()
        return 0
    return len(released)


def found_nothing_due(group: Group | ReadGroup) -> bool:
    """Tell whether this request's release check found nothing due for the group (so it released nothing and
    its published cells are as a read before the check saw them)."""
    return has_request_context() and group.id in request.environ.get(_WAITING, {})


def republish(group: Group) -> None:
    """Decide every cell again under the group's current k (after a purge or a change of k), in the caller's
    write transaction."""
    publish.publish(group.id, effective_k(group.min_group_size))


def forget_before(group: Group, before: dt.date) -> None:
    """After a retention purge: batches of meetings before the date keep only their n (no sums, no counts),
    and every cell is decided again, in the caller's write transaction.

    The purged batches stay in the audit as leaves that earlier figures held, so a period the
    purge splits (a month half purged) cannot be shown when it would give away, by
    difference from an old snapshot, a purged cell that was hidden.
    """
    ids = select(ReleaseBatch.id).where(ReleaseBatch.group_id == group.id, ReleaseBatch.meeting_date < before)
    db.session.execute(
        update(RollupCell).where(RollupCell.batch_id.in_(ids)).values(total=None, total_sq=None, counts=None)
    )
    db.session.execute(
        update(ReleaseBatch)
        .where(ReleaseBatch.group_id == group.id, ReleaseBatch.meeting_date < before)
        .values(purged=True)
    )
    republish(group)


def change_k(group: Group, old_k: int, by_admin: bool) -> None:
    """Apply an edited k (group.min_group_size already set) in the caller's write transaction: audited
    with old and new values, and every cell decided again under it.

    Rule: only an admin may set k below the highest k the group's figures were published with
    (never below 3); a group manager cannot lower it to read more and then restore it.

    :raises GroupError: when a manager tries to go below the published k.
    """
    new_k = group.min_group_size
    if new_k == old_k:
        return
    floor = published_k(group)
    if floor is not None and effective_k(new_k) < floor and not by_admin:
        raise GroupError(
            _(
                "Results were published with a minimum of %(k)s responses; only an admin can set it lower.",
                k=floor,
            ),
            "min_group_size",
        )
    audit.record("group.k", target=group.code, detail=f"minimum group size {old_k} -> {new_k}")
    republish(group)


def published_k(group: Group) -> int | None:
    """Return the highest k the group's figures were ever published with, or None if never."""
    state = db.session.get(ReleaseState, group.id)
    return None if state is None else state.max_k


def waiting(group: Group | ReadGroup, now: dt.datetime | None = None) -> list[batches.Pending]:
    """Return the answers not released yet, with when each batch may appear (for the coordinator): as the
    request's release check found them when it released nothing, else read now."""
    if now is None and has_request_context() and group.id in request.environ.get(_WAITING, {}):
        return request.environ[_WAITING][group.id]  # type: ignore[no-any-return]
    return batches.pending(group, now or now_utc())
