"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL from TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from survey import create_app
from survey.extensions import db

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
CHROMIUM = os.environ.get("SURVEY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ON_POSTGRES = POSTGRES_URL.startswith("postgres")

BASE_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "SURVEY_PARTICIPANT_CODE_KEY": "test-participant-code-key",
    "RATELIMIT_ENABLED": False,
    "SURVEY_SQLITE_SYNCHRONOUS": "NORMAL",  # tests need speed, not power-loss durability
}
# For apps whose tests count a request's statements exactly: the look for newly uploaded instruments (one small
# query, tested in test_instrument_uploads.py) comes every 2 s by default, so on a loaded machine it could fall
# inside the request counted; here it comes at start-up only.
COUNTING_STATEMENTS: dict[str, Any] = {"SURVEY_INSTRUMENTS_RECHECK_SECONDS": 3600}


def reset_postgres(app: Flask) -> None:
    """Drop every table, the migration marker included, so upgrade starts from nothing."""
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate one database per test session: a SQLite file to copy, or the PostgreSQL database."""
    if ON_POSTGRES:
        app = create_app({**BASE_CONFIG, "DATABASE_URL": POSTGRES_URL})
        reset_postgres(app)
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    return POSTGRES_URL if ON_POSTGRES else str(path)


def empty_postgres_tables(app: Flask) -> None:
    """Remove every row from every table between tests."""
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def make_app(database_template: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build apps on this test's fresh database, with settings overridden per call."""
    if ON_POSTGRES:
        url = POSTGRES_URL
    else:
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(database_template, copy)
        url = f"sqlite:///{copy}"
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = create_app({**BASE_CONFIG, "DATABASE_URL": url, **overrides})
        if ON_POSTGRES and not apps:
            with app.app_context():
                empty_postgres_tables(app)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app with test settings."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """Run the test inside an application context."""
    with app.app_context():
        yield app


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Launch Debian's chromium once per session; fail with the fix when it is missing.

    Shared by tests/browser/ and tests/topology/: Playwright's sync API cannot run twice at once in a process.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"The browser tests need Debian's chromium at {CHROMIUM}. Install it with `make browser` "
            "(apt-get install chromium); `playwright install` cannot download browsers here.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
