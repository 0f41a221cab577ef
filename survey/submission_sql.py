"""The statements of a submission's one write (built once: building a statement costs more than running it).

The response rows find their meeting and instrument-version ids inside the INSERT, by the meeting's
(group, date) and the version's content hash, and their group by the token's id *and* the address's
code, inserting only while it takes answers, so nothing is read before the write; and the rule
that tells a resend from another person's answers on the same form page (`chosen`) is SQL too, so
it runs under the write itself. submissions.store_submission sends them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Float,
    Insert,
    Integer,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    insert,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY

from .database import WRITES
from .models import Answer, Group, InstrumentVersion, Meeting, Response, Score

ANSWER_COLUMNS = ("item_id", "value_num", "value_text")  # a PreparedResponse's answer rows, in this order
SCORE_COLUMNS = ("scale_id", "value", "band")  # and its score rows


_responses = Response.__table__


def _chosen_select() -> Select[Any]:
    """Where a submission belongs, decided from the stored tokens alone (one row, always).

    The form's own nonce when it is free or holds these very answers (a resend); otherwise, when a
    *different* submission from the same form page took it (the next person on a shared phone, a page
    restored from history), the nonce derived from these answers. `new` is 0 when the submission is
    stored already under the nonce chosen. `addressed` is 1 when the token's group has the address's
    code, and `accepting` when that group also takes answers (neither archived nor closed).
    """
    first, derived = _responses.alias("form_nonce"), _responses.alias("answers_nonce")
    target = Group.__table__.alias("target")
    accepting = and_(target.c.id.is_not(None), target.c.archived_at.is_(None), target.c.is_open == true())
    fingerprint = bindparam("fingerprint", type_=String)
    own = or_(first.c.id.is_(None), first.c.fingerprint == fingerprint)
    here = select(literal(1).label("here")).subquery("here")
    return select(
        case((own, bindparam("nonce", type_=String)), else_=bindparam("derived", type_=String)).label("nonce"),
        case((own, bindparam("submission", type_=String)), else_=bindparam("derived_submission", type_=String)).label(
            "submission"
        ),
        case(
            (first.c.id.is_(None), 1), (first.c.fingerprint == fingerprint, 0), (derived.c.id.is_(None), 1), else_=0
        ).label("new"),
        case((target.c.id.is_(None), 0), else_=1).label("addressed"),
        case((accepting, 1), else_=0).label("accepting"),
    ).select_from(
        here.outerjoin(first, first.c.token == bindparam("nonce"))
        .outerjoin(derived, derived.c.token == bindparam("derived"))
        .outerjoin(target, and_(target.c.id == bindparam("group_id"), target.c.code == bindparam("code")))
    )


_RESPONSE_COLUMNS = ["token", "meeting_id", "group_id", "meeting_date", "instrument_version_id", "locale"]
_RESPONSE_COLUMNS += ["submitted_hour", "participant_hash", "submission", "fingerprint", "alerts"]


def _insert_response_statement(*, chosen: bool) -> Insert:
    """INSERT ... SELECT of one response, finding its meeting and version ids by their keys.

    No row (rather than an error) while the meeting or the version is not stored. With `chosen`,
    the token and key come from _chosen_select and nothing is inserted for a resend, nor unless the
    token's group has the address's code and takes answers (the later responses follow the first).
    """
    decided = _chosen_select().subquery("chosen")
    token = decided.c.nonce if chosen else bindparam("token", type_=_responses.c.token.type)
    key = decided.c.submission if chosen else bindparam("submission", type_=_responses.c.submission.type)
    rows = select(
        token,
        Meeting.id,
        Meeting.group_id,
        Meeting.local_date,
        InstrumentVersion.id,
        bindparam("locale", type_=_responses.c.locale.type),
        bindparam("submitted_hour", type_=_responses.c.submitted_hour.type),
        bindparam("participant_hash", type_=_responses.c.participant_hash.type),
        key,
        bindparam("fingerprint", type_=String),
        bindparam("alerts", type_=Text),
    ).where(
        Meeting.group_id == bindparam("group_id"),
        Meeting.local_date == bindparam("meeting_date"),
        InstrumentVersion.content_hash == bindparam("content_hash"),
    )
    if chosen:
        rows = (
            rows.select_from(decided)
            .join(Meeting, true())
            .join(InstrumentVersion, true())
            .where(decided.c.new == 1, decided.c.accepting == 1)
        )
    else:
        rows = rows.select_from(Meeting).join(InstrumentVersion, true())
    return (
        insert(_responses)  # type: ignore[arg-type]
        .from_select([_responses.c[name] for name in _RESPONSE_COLUMNS], rows)
        .returning(_responses.c.id, _responses.c.token)
    )


def _unnested(prefix: str, columns: dict[str, Any]) -> Any:
    """One array parameter per column, unnested into rows (the statement's text is the same for any count)."""
    arrays = [cast(bindparam(f"{prefix}_{name}"), ARRAY(kind)) for name, kind in columns.items()]
    names = [column(name, kind) for name, kind in columns.items()]
    return func.unnest(*arrays).table_valued(*names).render_derived(name=f"new_{prefix}_rows")


def _insert_whole_submission_statement() -> Select[Any]:
    """PostgreSQL: every response of the submission, its answers and its scores in one statement, which
    is atomic on its own (database.write_once sends it in autocommit).

    Returns one row: the nonce chosen (_chosen_select), whether the submission is new, how many
    responses were inserted (fewer than the questionnaires when the meeting or a version is missing,
    none when the group is not the address's or takes no answers), and the group's `addressed` and
    `accepting`.
    """
    decided = _chosen_select().cte("chosen")
    positions = _unnested("responses", {"suffix": String, "content_hash": String, "alerts": Text})
    # All or nothing without a transaction around it: no response at all while one version is missing.
    hashes = cast(bindparam("responses_content_hash"), ARRAY(String))
    stored_versions = select(func.count()).where(InstrumentVersion.content_hash == func.any(hashes))
    every_version_stored = stored_versions.scalar_subquery() == func.cardinality(hashes)
    rows = (
        select(
            decided.c.nonce.concat(positions.c.suffix),
            Meeting.id,
            Meeting.group_id,
            Meeting.local_date,
            InstrumentVersion.id,
            bindparam("locale", type_=_responses.c.locale.type),
            bindparam("submitted_hour", type_=_responses.c.submitted_hour.type),
            bindparam("participant_hash", type_=_responses.c.participant_hash.type),
            decided.c.submission,
            bindparam("fingerprint", type_=String),
            positions.c.alerts,
        )
        .select_from(decided)
        .join(Meeting, true())
        .join(positions, true())
        .join(InstrumentVersion, InstrumentVersion.content_hash == positions.c.content_hash)
        .where(
            decided.c.new == 1,
            decided.c.accepting == 1,
            Meeting.group_id == bindparam("group_id"),
            Meeting.local_date == bindparam("meeting_date"),
            every_version_stored,
        )
    )
    new = (
        insert(_responses)  # type: ignore[arg-type]
        .from_select([_responses.c[name] for name in _RESPONSE_COLUMNS], rows)
        .returning(_responses.c.id, _responses.c.token)
        .cte("new_responses")
    )

    def children(table: Any, columns: dict[str, Any]) -> Any:
        unnested = _unnested(table.name, {"suffix": String, **columns})
        picked = (
            select(new.c.id, *(unnested.c[name] for name in columns))
            .select_from(new)
            .join(decided, true())
            .join(unnested, new.c.token == decided.c.nonce.concat(unnested.c.suffix))
        )
        return insert(table).from_select(["response_id", *columns], picked).cte(f"new_{table.name}")

    answers = children(Answer.__table__, dict(zip(ANSWER_COLUMNS, (String, Float, Text), strict=True)))
    scores = children(Score.__table__, dict(zip(SCORE_COLUMNS, (String, Float, String), strict=True)))
    inserted = select(func.count()).select_from(new).scalar_subquery()
    return (
        select(decided.c.nonce, decided.c.new, cast(inserted, Integer), decided.c.addressed, decided.c.accepting)
        .add_cte(answers, scores)
        .execution_options(**{WRITES: True})
    )


# Built once (the participant POST runs them; building a statement costs more than running it).
CHOSEN = _chosen_select()
INSERT_FIRST_RESPONSE = _insert_response_statement(chosen=True)
INSERT_RESPONSE = _insert_response_statement(chosen=False)
INSERT_WHOLE_SUBMISSION = _insert_whole_submission_statement()
# SQLite (no INSERT inside WITH): each table's rows go to the driver's executemany, one prepared statement
# stepped once per row inside sqlite3 itself. With RETURNING, SQLAlchemy instead wrote a multi-row INSERT
# ("insertmanyvalues") per call and read back keys nobody needed: 0.1 to 0.2 ms more per POST, measured.
INSERT_ANSWERS = insert(Answer.__table__)  # type: ignore[arg-type]
INSERT_SCORES = insert(Score.__table__)  # type: ignore[arg-type]
