"""Meeting schedules: several weekly, fortnightly and one-off meetings per group.

Revision ID: s6_meeting_schedules
Revises: h5_rescore_people
Create Date: 2026-12-02

A group's one weekly day and time (groups.meeting_weekday, groups.meeting_time) becomes one
weekly line of the new meeting_schedules table; a day without a time starts at 00:00, which
opened the same window before. A time without a day opened no window, so it has nothing to
move. Meetings and their responses are not touched: every answer keeps its meeting (the columns
are dropped in place, see below; tests/test_migration_schedules.py checks it).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "s6_meeting_schedules"
down_revision = "h5_rescore_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_meeting_schedules_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_schedules")),
    )
    with op.batch_alter_table("meeting_schedules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_schedules_group_id"), ["group_id"], unique=False)
    connection = op.get_bind()
    weekly = connection.execute(
        sa.text("SELECT id, meeting_weekday, meeting_time FROM groups WHERE meeting_weekday IS NOT NULL")
    ).all()
    schedules = sa.table(
        "meeting_schedules",
        sa.column("group_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("weekday", sa.Integer),
        sa.column("starts_at", sa.Time),
    )
    rows = [
        {"group_id": group_id, "kind": "weekly", "weekday": weekday, "starts_at": as_time(start)}
        for group_id, weekday, start in weekly
        if weekday in range(7)
    ]
    if rows:
        connection.execute(schedules.insert(), rows)
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later), never batch mode's copy of the table: on
    # SQLite, dropping the old groups table with foreign keys on would cascade to every meeting and answer.
    op.execute("ALTER TABLE groups DROP COLUMN meeting_time")
    op.execute("ALTER TABLE groups DROP COLUMN meeting_weekday")


def as_time(value: object) -> dt.time:
    """Return a stored time as a time (SQLite's text form too), 00:00 when there is none."""
    if value is None:
        return dt.time(0)
    if isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(str(value))


def downgrade() -> None:
    """Keep each group's first weekly line as its one day and time; other lines are lost."""
    op.add_column("groups", sa.Column("meeting_weekday", sa.Integer(), nullable=True))
    op.add_column("groups", sa.Column("meeting_time", sa.Time(), nullable=True))
    connection = op.get_bind()
    first = connection.execute(
        sa.text(
            "SELECT group_id, weekday, starts_at FROM meeting_schedules WHERE id IN "
            "(SELECT MIN(id) FROM meeting_schedules WHERE kind = 'weekly' GROUP BY group_id)"
        )
    ).all()
    groups = sa.table(
        "groups", sa.column("id", sa.Integer), sa.column("meeting_weekday", sa.Integer), sa.column("meeting_time", sa.Time)
    )
    for group_id, weekday, start in first:
        connection.execute(
            groups.update().where(groups.c.id == group_id).values(meeting_weekday=weekday, meeting_time=as_time(start))
        )
    with op.batch_alter_table("meeting_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_schedules_group_id"))
    op.drop_table("meeting_schedules")
