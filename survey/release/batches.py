"""What is due for release, and releasing it: batches of one meeting's answers in one language.

Rule: a meeting's answers are released once its answer window has closed and the grace period
(SURVEY_RELEASE_GRACE_HOURS) has passed, in one batch per language. Answers that arrive after
that wait until at least k of them (people, per language) have gathered, so no published
figure moves by fewer than k answers; late answers to meetings older than LATE_LIMIT are never
looked for again (the form's token is valid for 7 days, so none can arrive).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import bindparam, exists, func, insert, select

from ..database import request_reads
from ..extensions import db
from ..meetings import MeetingSlot, window_closes_at
from ..models import Group, Meeting, ReleaseBatch, ReleasedResponse, Response
from ..stats import effective_k

if TYPE_CHECKING:
    from ..access import ReadGroup

LATE_LIMIT = dt.timedelta(days=10)


@dataclass(frozen=True)
class Pending:
    """Unreleased answers of one meeting in one language, and when they may be released."""

    meeting_id: int
    meeting_date: dt.date
    locale: str
    people: int
    releasable_at: dt.datetime
    late: bool  # the meeting was released already: these wait for at least k

    def due(self, now: dt.datetime, k: int) -> bool:
        """Tell whether this batch may be released now."""
        return now >= self.releasable_at and (not self.late or self.people >= k)


def grace() -> dt.timedelta:
    """Return the grace period after a window closes, for late offline sends."""
    return dt.timedelta(hours=int(current_app.config["SURVEY_RELEASE_GRACE_HOURS"]))


def _not_released() -> object:
    """Return the clause keeping responses that no batch released yet."""
    return ~exists().where(ReleasedResponse.response_id == Response.id)


def _pending_query() -> Any:
    """Build the query of unreleased answers per meeting and language, with what their due time needs (once:
    only its parameters change)."""
    group_id: Any = bindparam("group_id")
    released = select(ReleaseBatch.meeting_id).where(ReleaseBatch.group_id == group_id).distinct()
    # The meetings to look at (recent ones, and any never released), found through the meetings table so that
    # only their answers are read (by the responses' meeting index), never all of a large group's answers.
    looked_at = select(Meeting.id).where(
        Meeting.group_id == group_id, (Meeting.local_date >= bindparam("recent")) | Meeting.id.not_in(released)
    )
    done = exists().where(ReleaseBatch.meeting_id == Response.meeting_id)  # the meeting was released already
    return (
        select(
            Response.meeting_id,
            Response.meeting_date,
            Response.locale,
            func.count(func.distinct(Response.submission)),
            Meeting.local_date,
            Meeting.starts_at,
            done.label("done"),
        )
        .join(Meeting, Meeting.id == Response.meeting_id)
        .where(Response.group_id == group_id, _not_released())  # type: ignore[arg-type]
        .where(Response.meeting_id.in_(looked_at))
        .group_by(Response.meeting_id, Response.meeting_date, Response.locale, Meeting.local_date, Meeting.starts_at)
        .order_by(Response.meeting_date, Response.locale)
    )


_PENDING = _pending_query()


def pending(group: Group | ReadGroup, now: dt.datetime) -> list[Pending]:
    """Return the group's unreleased answers per meeting and language, oldest first, in one read.

    Only meetings never released and meetings from the last LATE_LIMIT are looked at, so the
    check costs little for a group with years of answers (a dashboard request makes it each time).
    """
    rows = request_reads().execute(_PENDING, {"group_id": group.id, "recent": now.date() - LATE_LIMIT})
    wait = grace()
    return [
        Pending(mid, day, locale, int(people), window_closes_at(group, MeetingSlot(local_date, starts)) + wait, done)
        for mid, day, locale, people, local_date, starts, done in rows
    ]


def release_batch(group: Group | ReadGroup, item: Pending, k: int) -> ReleaseBatch:
    """Mark one meeting's unreleased answers in one language as a new batch (in the caller's write transaction).

    Two servers releasing at once collide on the unique (meeting, language, seq) and on the
    released response's primary key, so the loser's transaction fails and nothing is counted twice.
    """
    seq = db.session.scalar(
        select(func.coalesce(func.max(ReleaseBatch.seq) + 1, 0)).where(
            ReleaseBatch.meeting_id == item.meeting_id, ReleaseBatch.locale == item.locale
        )
    )
    batch = ReleaseBatch(
        group_id=group.id,
        meeting_id=item.meeting_id,
        meeting_date=item.meeting_date,
        locale=item.locale,
        seq=int(seq or 0),
        people=item.people,
        k=k,
    )
    db.session.add(batch)
    db.session.flush()
    chosen = select(Response.id, db.literal(batch.id)).where(
        Response.meeting_id == item.meeting_id,
        Response.locale == item.locale,
        _not_released(),  # type: ignore[arg-type]
    )
    db.session.execute(insert(ReleasedResponse).from_select(["response_id", "batch_id"], chosen))
    return batch


def due_batches(group: Group | ReadGroup, now: dt.datetime) -> list[Pending]:
    """Return the pending batches that may be released now."""
    k = effective_k(group.min_group_size)
    return [item for item in pending(group, now) if item.due(now, k)]
