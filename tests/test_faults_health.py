"""/healthz fails when writes would fail; SQLite's WAL is bounded."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from survey.extensions import db

from .conftest import ON_POSTGRES


def test_healthz_writes(make_app) -> None:
    body = make_app().test_client().get("/healthz").get_json()
    assert body["writes"] == "ok"


@pytest.mark.skipif(ON_POSTGRES, reason="free space is checked next to the SQLite file")
def test_healthz_503_when_the_disk_has_too_little_free_space(make_app) -> None:
    app = make_app(SURVEY_MIN_FREE_BYTES=10**18)  # more than any disk has
    reply = app.test_client().get("/healthz")
    assert reply.status_code == 503
    assert reply.get_json()["writes"].startswith("failing: less than")


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite pragmas")
def test_sqlite_wal_is_bounded(make_app) -> None:
    app = make_app()
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_size_limit")).scalar() == 8 * 1024 * 1024
        db.session.rollback()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite write lock")
def test_healthz_503_when_sqlite_is_locked_for_writing(make_app) -> None:
    import sqlite3

    app = make_app(SURVEY_HEALTH_WRITE_TIMEOUT=0.2)
    with app.app_context():
        path = db.engine.url.database
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        reply = app.test_client().get("/healthz")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert reply.status_code == 503
