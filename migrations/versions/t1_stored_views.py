"""Default dashboard views stored at publication, shared by every app server and surviving restarts.

Revision ID: t1_stored_views
Revises: q2_published_cell_index
Create Date: 2026-12-04

What a request would keep in its process memo for a group's default views (the pages without a query
string and the JSON they load, in each interface language) is built once after the group's cells are
published and stored here; a request whose memo entry is missing reads it by the memo key's digest.
Every publication deletes the group's rows in its own write transaction.
"""

import sqlalchemy as sa
from alembic import op

revision = "t1_stored_views"
down_revision = "q2_published_cell_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_views",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("group_id", sa.Integer, sa.ForeignKey("groups.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_stored_views_group_id", "stored_views", ["group_id"])


def downgrade() -> None:
    op.drop_index("ix_stored_views_group_id", table_name="stored_views")
    op.drop_table("stored_views")
