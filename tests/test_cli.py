"""The setup, demo and backup commands."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

from survey import create_app
from survey.extensions import db
from survey.models import Group, Response

from .conftest import BASE_CONFIG, ON_POSTGRES


def test_setup_seeds_demo_data_once(app) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["setup", "--demo"])
    assert first.exit_code == 0, first.output
    assert "Seeded demo data" in first.output
    second = runner.invoke(args=["setup", "--demo"])
    assert second.exit_code == 0 and "Seeded" not in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Group)) == 2
        assert db.session.scalar(select(func.count()).select_from(Response)) > 50


def test_demo_survey_links_in_the_readme_open_whatever_the_day(app) -> None:
    assert app.test_cli_runner().invoke(args=["demo", "seed", "--weeks", "2"]).exit_code == 0
    client = app.test_client()
    for code in ("DEMO2TUE", "DEMO4JUE"):
        assert client.get(f"/s/{code}").status_code == 200, code


def test_setup_without_demo_only_migrates(app) -> None:
    result = app.test_cli_runner().invoke(args=["setup", "--no-demo"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Group)) == 0


def test_setup_reports_an_unreachable_database_without_traceback() -> None:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"})
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 1
    assert "Cannot reach the database at postgresql+psycopg://nobody:***@127.0.0.1:1/none" in result.output
    assert "Traceback" not in result.output and "secret" not in result.output


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite online backup; PostgreSQL deployments use pg_dump")
def test_backup_restores_every_row_of_every_table(app, tmp_path) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed", "--weeks", "2"]).exit_code == 0
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        source_url = db.engine.url.database
    source, copy = sqlite3.connect(source_url), sqlite3.connect(target)
    try:
        tables = [row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert "responses" in tables
        for table in tables:
            query = f"SELECT * FROM {table} ORDER BY 1"  # noqa: S608 (names come from sqlite_master)
            assert source.execute(query).fetchall() == copy.execute(query).fetchall(), table
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        source.close()
        copy.close()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite online backup; PostgreSQL deployments use pg_dump")
def test_backup_refuses_to_overwrite(app, tmp_path) -> None:
    target = tmp_path / "exists.sqlite3"
    target.write_text("keep me")
    result = app.test_cli_runner().invoke(args=["db", "backup", str(target)])
    assert result.exit_code != 0 and "already exists" in result.output
    assert target.read_text() == "keep me"


def test_backup_on_postgres_points_to_pg_dump(tmp_path) -> None:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/none"})
    result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "x")])
    assert result.exit_code != 0 and "pg_dump" in result.output
