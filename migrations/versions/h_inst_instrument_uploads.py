"""Instruments uploaded in the browser: one append-only row per upload, served by every app server.

Revision ID: h_inst_instrument_uploads
Revises: m7_single_language
Create Date: 2026-12-02

Stored answers keep pointing at instrument_versions (written on first use, by content hash), so
a later upload of the same id never changes what an earlier answer means.
"""

import sqlalchemy as sa
from alembic import op

revision = "h_inst_instrument_uploads"
down_revision = "m7_single_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instrument_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_instrument_uploads_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_uploads")),
    )
    with op.batch_alter_table("instrument_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instrument_uploads_instrument_id"), ["instrument_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("instrument_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instrument_uploads_instrument_id"))
    op.drop_table("instrument_uploads")
