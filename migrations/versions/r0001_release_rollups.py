"""Release and rollups: batches of released answers, their cells, the stored audit and its ledger.

Revision ID: r0001_release_rollups
Revises: a14_user_locale
Create Date: 2026-12-02

Nothing is released by the migration: the first dashboard read (or `flask release run`) after
it releases every meeting whose window and grace period have closed, in one batch each.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0001_release_rollups"
down_revision = "a14_user_locale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), nullable=False),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id", ondelete="SET NULL"), nullable=True),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("purged", sa.Boolean(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("meeting_id", "locale", "seq"),
    )
    op.create_index("ix_release_batches_group_id", "release_batches", ["group_id"])
    op.create_table(
        "released_responses",
        sa.Column(
            "response_id", sa.Integer(), sa.ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "batch_id", sa.Integer(), sa.ForeignKey("release_batches.id", ondelete="CASCADE"), nullable=False
        ),
    )
    op.create_index("ix_released_responses_batch_id", "released_responses", ["batch_id"])
    op.create_table(
        "rollup_cells",
        sa.Column(
            "batch_id", sa.Integer(), sa.ForeignKey("release_batches.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("measure", sa.String(length=160), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("total_sq", sa.Float(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
    )
    op.create_table(
        "published_cells",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), nullable=False),
        sa.Column("measure", sa.String(length=160), nullable=False),
        sa.Column("grain", sa.String(length=8), nullable=False),
        sa.Column("period", sa.Date(), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("hidden_because", sa.String(length=16), nullable=True),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("total_sq", sa.Float(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
    )
    op.create_index("ix_published_cells_group_measure", "published_cells", ["group_id", "measure"])
    op.create_table(
        "disclosure_ledger",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), nullable=False),
        sa.Column("measure", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=9), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("batches", sa.Text(), nullable=False),
        sa.UniqueConstraint("group_id", "measure", "kind", "digest"),
    )
    op.create_table(
        "release_states",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("max_k", sa.Integer(), nullable=False),
        sa.Column("audited_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "release_states",
        "disclosure_ledger",
        "published_cells",
        "rollup_cells",
        "released_responses",
        "release_batches",
    ):
        op.drop_table(table)
