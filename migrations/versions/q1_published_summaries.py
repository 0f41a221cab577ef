"""Published summaries: alpha sums, change pairs and engagement counts stored when a group's cells are published.

Revision ID: q1_published_summaries
Revises: p1_fingerprints_alerts
Create Date: 2026-12-03

The table starts empty: until a group is published again (its next release, or
`flask --app survey release rebuild`, which an upgrade should run once), its dashboard shows no
reliability, reliable change or engagement figures.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "q1_published_summaries"
down_revision = "p1_fingerprints_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_summaries",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(length=160), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("published_summaries")
