"""Dashboard index: responses by group, instrument version, meeting date and language.

Revision ID: d0002_dashboard_index
Revises: 0001
Create Date: 2026-11-25

Without it, a dashboard query filtering on one group and an instrument version picks the
instrument-version index and reads every group's responses to that version.
"""

from alembic import op

revision = "d0002_dashboard_index"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_responses_group_version_date",
            ["group_id", "instrument_version_id", "meeting_date", "locale"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index("ix_responses_group_version_date")
