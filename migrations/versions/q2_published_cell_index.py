"""Published cells indexed by group, measure, language, grain and period: a view reads only the cells it shows.

Revision ID: q2_published_cell_index
Revises: q1_published_summaries
Create Date: 2026-12-03

The (group_id, measure) index made every dashboard read of stored cells walk all of a measure's
cells (every grain and language, about 700 for two years of weekly meetings) to keep the hundred
a trend shows, or the one cell per question the questions page shows.
"""

from alembic import op

revision = "q2_published_cell_index"
down_revision = "q1_published_summaries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_published_cells_group_measure", table_name="published_cells")
    op.create_index("ix_published_cells_cell", "published_cells", ["group_id", "measure", "locale", "grain", "period"])


def downgrade() -> None:
    op.drop_index("ix_published_cells_cell", table_name="published_cells")
    op.create_index("ix_published_cells_group_measure", "published_cells", ["group_id", "measure"])
