"""The s6 migration: each group's one weekday and time becomes a weekly schedule line; answers keep their meetings."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from survey import create_app
from survey.extensions import db

from .conftest import BASE_CONFIG, ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="builds its own SQLite database at the previous revision")

GROUPS = [  # (id, code, weekday, time)
    (1, "WEEKLY1", 2, "19:30:00.000000"),
    (2, "NOTIME1", 4, None),
    (3, "NODAY01", None, "18:00:00.000000"),
    (4, "NONE001", None, None),
]


def test_weekday_and_time_move_to_the_schedule_table_and_back(tmp_path: Path) -> None:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(revision="h5_rescore_people")
        run = db.session.execute
        for group_id, code, weekday, start in GROUPS:
            run(
                text(
                    "INSERT INTO groups (id, name, code, default_locale, timezone, meeting_weekday, meeting_time,"
                    " min_group_size, is_open, created_at) VALUES (:id, :code, :code, 'en', 'UTC', :weekday, :start,"
                    " 5, 1, '2026-11-01')"
                ),
                {"id": group_id, "code": code, "weekday": weekday, "start": start},
            )
        run(text("INSERT INTO meetings (id, group_id, local_date, starts_at) VALUES (7, 1, '2026-11-04', '19:30:00')"))
        run(
            text(
                "INSERT INTO instrument_versions (id, instrument_id, content_hash, label, definition, first_used_at)"
                " VALUES (1, 'checkin', 'h', '1', '{}', '2026-11-01')"
            )
        )
        run(
            text(
                "INSERT INTO responses (id, token, meeting_id, group_id, meeting_date, instrument_version_id, locale,"
                " submitted_hour) VALUES (1, 'tokenAAAAAAAAAAAAAAAA', 7, 1, '2026-11-04', 1, 'en', '2026-11-04 20:00')"
            )
        )
        db.session.commit()
        upgrade(revision="s6_meeting_schedules")
        lines = run(
            text("SELECT group_id, kind, weekday, starts_at, on_date FROM meeting_schedules ORDER BY group_id")
        ).all()
        columns = {column["name"] for column in inspect(db.engine).get_columns("groups")}
        kept = run(text("SELECT meeting_id, meeting_date FROM responses")).all()
        db.session.rollback()  # end the read: a WAL snapshot would keep showing the old schema
        downgrade(revision="h5_rescore_people")
        back = run(text("SELECT id, meeting_weekday, meeting_time FROM groups ORDER BY id")).all()
        db.engine.dispose()
    assert [(g, kind, day, str(start)[:5], on) for g, kind, day, start, on in lines] == [
        (1, "weekly", 2, "19:30", None),
        (2, "weekly", 4, "00:00", None),  # a day without a time opened its window at midnight
    ]
    assert "meeting_weekday" not in columns and "meeting_time" not in columns
    assert kept == [(7, "2026-11-04")]
    assert [(g, day, str(start)[:5] if start else None) for g, day, start in back] == [
        (1, 2, "19:30"),
        (2, 4, "00:00"),
        (3, None, None),
        (4, None, None),
    ]
