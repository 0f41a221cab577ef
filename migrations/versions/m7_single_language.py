"""A group may always open its survey in its default language (single_language).

Revision ID: m7_single_language
Revises: s6_meeting_schedules
Create Date: 2026-12-02

Existing groups keep today's behaviour (the phone's language first): the column defaults to false.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "m7_single_language"
down_revision = "s6_meeting_schedules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases (no batch copy of the groups table: its foreign keys cascade).
    op.add_column("groups", sa.Column("single_language", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("groups", "single_language")
