"""Submissions and re-scoring: a key shared by one sending's responses, and scores derived again.

Revision ID: h5_rescore_people
Revises: d0002_dashboard_index
Create Date: 2026-12-02

1. responses.submission: the responses of one sending of the form share it (a digest of the
   form's nonce), so dashboards count people rather than questionnaires. Existing rows get it
   from their tokens: a submission stores its first response under the nonce and the others
   under "<nonce>-<position>" in the same meeting.
2. Scores are derived, answers are the source of truth: every stored score is deleted and
   computed again from the stored answers against the stored instrument version, under the
   current rules (a hidden or skipped item is missing, min_answered counts real answers, no
   answers means no score). Old scores made of when_hidden stand-ins disappear.
"""

from __future__ import annotations

import re
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "h5_rescore_people"
down_revision = "d0002_dashboard_index"
branch_labels = None
depends_on = None

_LATER_POSITION = re.compile(r"^(?P<nonce>.+)-(?P<position>[1-9][0-9]*)$")
_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    backfill_submissions(connection)
    rescore(connection)


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("submission")


def submission_of(token: str, tokens_of_meeting: set[str]) -> str:
    """Return the nonce of the submission a stored token belongs to."""
    match = _LATER_POSITION.match(token)
    if match and match["nonce"] in tokens_of_meeting:
        return match["nonce"]
    return token


def backfill_submissions(connection: sa.Connection) -> None:
    """Give every response the submission key its tokens imply."""
    from survey.submissions import submission_key

    tokens: dict[int, dict[int, str]] = defaultdict(dict)
    for response_id, meeting_id, token in connection.execute(sa.text("SELECT id, meeting_id, token FROM responses")):
        tokens[meeting_id][response_id] = token
    update = sa.text("UPDATE responses SET submission = :submission WHERE id = :id")
    rows = []
    for by_id in tokens.values():
        stored = set(by_id.values())
        rows += [{"id": rid, "submission": submission_key(submission_of(t, stored))} for rid, t in by_id.items()]
    for start in range(0, len(rows), _BATCH):
        connection.execute(update, rows[start : start + _BATCH])


def rescore(connection: sa.Connection) -> None:
    """Delete every score and compute it again from the stored answers and the stored version."""
    from survey.instruments import ITEM_TYPES, Instrument
    from survey.scoring import score_response

    versions = {}
    for version_id, definition in connection.execute(sa.text("SELECT id, definition FROM instrument_versions")):
        if isinstance(definition, str):
            import json

            definition = json.loads(definition)
        versions[version_id] = Instrument.from_definition(definition)
    answers: dict[int, dict[str, object]] = defaultdict(dict)
    version_of: dict[int, int] = {}
    for response_id, version_id in connection.execute(sa.text("SELECT id, instrument_version_id FROM responses")):
        version_of[response_id] = version_id
        answers[response_id] = {}
    query = sa.text("SELECT response_id, item_id, value_num, value_text FROM answers")
    for response_id, item_id, number, text in connection.execute(query):
        instrument = versions[version_of[response_id]]
        if not any(item.id == item_id for item in instrument.items):
            continue
        if ITEM_TYPES[instrument.item(item_id).type].numeric:
            if number is not None:
                answers[response_id][item_id] = float(number)
        elif text is not None:
            answers[response_id][item_id] = text  # not used in scales; kept for conditions on choices
    rows = []
    for response_id, given in answers.items():
        result = score_response(versions[version_of[response_id]], _choices(versions[version_of[response_id]], given))
        rows += [
            {"response_id": response_id, "scale_id": scale_id, "value": value, "band": result.bands.get(scale_id)}
            for scale_id, value in result.scores.items()
            if value is not None
        ]
    connection.execute(sa.text("DELETE FROM scores"))
    insert = sa.text(
        "INSERT INTO scores (response_id, scale_id, value, band) VALUES (:response_id, :scale_id, :value, :band)"
    )
    for start in range(0, len(rows), _BATCH):
        connection.execute(insert, rows[start : start + _BATCH])


def _choices(instrument: object, given: dict[str, object]) -> dict[str, object]:
    """Turn stored multiple-choice JSON lists back into tuples, as cleaned answers hold them."""
    import json

    result = {}
    for item_id, value in given.items():
        if isinstance(value, str) and instrument.item(item_id).type == "multiple_choice":  # type: ignore[attr-defined]
            result[item_id] = tuple(json.loads(value))
        else:
            result[item_id] = value
    return result
