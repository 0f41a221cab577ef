"""Resends recognised inside the write, alerts fixed at submission.

Revision ID: p1_fingerprints_alerts
Revises: r0001_release_rollups
Create Date: 2026-12-02

1. responses.fingerprint: a digest of exactly what a submission stored (its answer rows per
   questionnaire and the personal code's hash), shared by its responses. The participant POST's one
   write compares it to tell a resend (same answers) from another person's answers on the same form
   page, without reading the answers back.
2. responses.alerts: the ids of the alerts the answers raised (JSON list), computed at submission
   like the scores, so the thank-you page recomputes nothing.

Both are backfilled for the responses whose form token can still be sent (the last 8 days: tokens
live 7 days): older ones can never be resent, and their thank-you page has long closed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "p1_fingerprints_alerts"
down_revision = "r0001_release_rollups"
branch_labels = None
depends_on = None

RESENDABLE = dt.timedelta(days=8)
_LATER_POSITION = re.compile(r"-(?P<position>[1-9][0-9]*)$")

responses = sa.table(
    "responses",
    sa.column("id", sa.Integer),
    sa.column("token", sa.String),
    sa.column("submission", sa.String),
    sa.column("participant_hash", sa.String),
    sa.column("instrument_version_id", sa.Integer),
    sa.column("submitted_hour", sa.DateTime(timezone=True)),
    sa.column("fingerprint", sa.String),
    sa.column("alerts", sa.Text),
)


def upgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("alerts", sa.Text(), nullable=True))
    backfill(op.get_bind(), dt.datetime.now(dt.UTC) - RESENDABLE)


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("alerts")
        batch_op.drop_column("fingerprint")


def position_of(token: str, tokens: set[str]) -> int:
    """Return a response's position in its submission: "<nonce>-<n>" next to "<nonce>" is position n."""
    match = _LATER_POSITION.search(token)
    if match and token[: match.start()] in tokens:
        return int(match["position"])
    return 0


def backfill(connection: sa.Connection, since: dt.datetime) -> None:
    """Give the responses stored since `since` their fingerprint and alerts, from their stored answers."""
    from survey.instruments import ITEM_TYPES, Instrument
    from survey.scoring import score_response
    from survey.submissions import encode_alerts, fingerprint_of

    query = sa.select(
        responses.c.id,
        responses.c.token,
        responses.c.submission,
        responses.c.participant_hash,
        responses.c.instrument_version_id,
    ).where(responses.c.submitted_hour >= since)
    recent = {row.id: row for row in connection.execute(query)}
    if not recent:
        return
    versions = {}
    for version_id, definition in connection.execute(sa.text("SELECT id, definition FROM instrument_versions")):
        versions[version_id] = Instrument.from_definition(
            json.loads(definition) if isinstance(definition, str) else definition
        )
    rows: dict[int, list[tuple[str, float | None, str | None]]] = defaultdict(list)
    answers = sa.text("SELECT response_id, item_id, value_num, value_text FROM answers WHERE response_id IN :ids")
    ids = list(recent)
    for start in range(0, len(ids), 500):
        batch = answers.bindparams(sa.bindparam("ids", expanding=True))
        for response_id, item_id, number, text in connection.execute(batch, {"ids": ids[start : start + 500]}):
            rows[response_id].append((item_id, number, text))
    sendings: dict[str | None, list[int]] = defaultdict(list)
    for response_id, row in recent.items():
        sendings[row.submission or row.token].append(response_id)
    update = sa.update(responses).where(responses.c.id == sa.bindparam("rid"))
    changes = []
    for members in sendings.values():
        tokens = {recent[rid].token for rid in members}
        ordered = sorted(members, key=lambda rid: position_of(recent[rid].token, tokens))
        fingerprint = fingerprint_of([rows[rid] for rid in ordered], recent[ordered[0]].participant_hash)
        for rid in members:
            instrument = versions[recent[rid].instrument_version_id]
            raised = score_response(instrument, _cleaned(instrument, rows[rid], ITEM_TYPES)).alerts
            changes.append({"rid": rid, "fingerprint": fingerprint, "alerts": encode_alerts(raised)})
    for start in range(0, len(changes), 1000):
        connection.execute(
            update.values(fingerprint=sa.bindparam("fingerprint"), alerts=sa.bindparam("alerts")),
            changes[start : start + 1000],
        )


def _cleaned(instrument: object, stored: list[tuple], item_types: dict) -> dict[str, object]:
    """Turn stored answer rows back into cleaned answers (numbers, choice tuples, text)."""
    answers: dict[str, object] = {}
    known = {item.id: item for item in instrument.items}  # type: ignore[attr-defined]
    for item_id, number, text in stored:
        item = known.get(item_id)
        if item is None:
            continue
        spec = item_types[item.type]
        if spec.numeric:
            if number is not None:
                answers[item_id] = float(number)
        elif spec.multiple:
            answers[item_id] = tuple(json.loads(text or "[]"))
        elif text is not None:
            answers[item_id] = text
    return answers
