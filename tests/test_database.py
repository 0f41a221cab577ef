"""Per-connection SQLite settings, write transactions and migrations."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from survey.database import begin_write, read_connection, write_connection
from survey.extensions import db
from survey.models import Group

from .conftest import ON_POSTGRES

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite connection settings; this run is on PostgreSQL")


@sqlite_only
def test_sqlite_pragmas_are_set_per_connection(app_ctx) -> None:
    def pragma(name: str) -> object:
        return db.session.execute(text(f"PRAGMA {name}")).scalar()

    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == 30000
    assert pragma("synchronous") == 1  # NORMAL in tests (conftest); FULL (2) is the default


@sqlite_only
def test_synchronous_full_is_the_default(make_app) -> None:
    app = make_app(SURVEY_SQLITE_SYNCHRONOUS="FULL")
    with app.app_context():
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 2


@sqlite_only
def test_begin_write_takes_the_write_lock_at_once(app_ctx) -> None:
    """With BEGIN IMMEDIATE held, another connection cannot start writing."""
    begin_write()
    db.session.execute(select(Group)).all()  # a read alone would not take the lock under a deferred BEGIN
    path = db.engine.url.database
    outcome: list[str] = []

    def other_writer() -> None:
        conn = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            outcome.append("got lock")
        except sqlite3.OperationalError as error:
            outcome.append(str(error))
        finally:
            conn.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    thread.join()
    db.session.rollback()
    assert outcome == ["database is locked"]


def other_writer_outcome(path: str) -> str:
    """Try to take SQLite's write lock from another connection, without waiting."""
    conn = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return "got lock"
    except sqlite3.OperationalError as error:
        return str(error)
    finally:
        conn.close()


@sqlite_only
def test_write_connection_takes_the_write_lock_at_once_and_releases_it(app_ctx) -> None:
    path = db.engine.url.database
    with write_connection() as connection:
        connection.execute(select(Group)).all()  # a read alone would not take the lock under a deferred BEGIN
        assert other_writer_outcome(path) == "database is locked"
    assert other_writer_outcome(path) == "got lock"


def test_write_connection_commits_at_the_end_and_rolls_back_on_an_error(app_ctx) -> None:
    with write_connection() as connection:
        connection.execute(Group.__table__.insert(), {"name": "Kept", "code": "KEPT01"})
    with pytest.raises(ZeroDivisionError), write_connection() as connection:
        connection.execute(Group.__table__.insert(), {"name": "Dropped", "code": "DROP01"})
        _ = 1 / 0
    assert db.session.scalars(select(Group.code)).all() == ["KEPT01"]


@sqlite_only
def test_plain_reads_do_not_take_the_write_lock(app_ctx) -> None:
    db.session.execute(select(Group)).all()
    conn = sqlite3.connect(db.engine.url.database, timeout=0.1, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.rollback()
    conn.close()
    db.session.rollback()


def test_foreign_keys_are_enforced(app_ctx) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.execute(text("INSERT INTO meetings (group_id, local_date) VALUES (999, '2026-01-01')"))
        db.session.flush()
    db.session.rollback()


def test_migrations_match_the_models(app_ctx) -> None:
    """The migrated schema (built by `flask db upgrade` in conftest) has no drift from the models."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_migrations_created_every_table(app_ctx) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_begin_write_after_a_read_starts_a_fresh_write_transaction(app_ctx) -> None:
    db.session.execute(select(Group)).all()
    begin_write()
    db.session.add(Group(name="G", code="ABCDEFGH"))
    db.session.commit()
    assert db.session.scalar(select(Group.code)) == "ABCDEFGH"


def test_begin_write_refuses_to_drop_pending_changes(app_ctx) -> None:
    db.session.add(Group(name="G", code="ABCDEFGH"))
    db.session.flush()
    with pytest.raises(RuntimeError, match="before the first change"):
        begin_write()
    db.session.rollback()


def test_begin_write_refuses_to_drop_statement_writes(app_ctx) -> None:
    """Writes that bypass the unit of work (Core INSERTs, as the participant POST sends) count too."""
    db.session.execute(Group.__table__.insert().values(name="G", code="ABCDEFGH"))
    with pytest.raises(RuntimeError, match="before the first change"):
        begin_write()
    db.session.rollback()


def _driver_in_transaction(connection) -> bool:  # type: ignore[no-untyped-def]
    driver = connection.connection.driver_connection
    if ON_POSTGRES:
        return not driver.autocommit and driver.info.transaction_status != 0
    return bool(driver.in_transaction)


def test_read_connection_reads_outside_a_transaction_and_the_pool_gets_a_normal_connection_back(app) -> None:
    with app.app_context():
        with read_connection() as connection:
            assert connection.execute(select(Group.code)).first() is None
            assert not _driver_in_transaction(connection)  # no BEGIN was sent (PostgreSQL: autocommit; SQLite: none)
        with write_connection() as connection:  # the same pooled connection, as the next request gets it
            connection.execute(select(Group.code)).all()
            assert _driver_in_transaction(connection)


def test_a_new_sqlite_file_and_its_wal_are_private_to_the_owner(tmp_path) -> None:
    import os
    import stat

    from survey import create_app
    from survey.extensions import db as database

    old = os.umask(0o022)  # a common default: files would otherwise be created 0644
    try:
        path = tmp_path / "fresh" / "survey.sqlite3"
        path.parent.mkdir()
        app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "DATABASE_URL": f"sqlite:///{path}"})
        with app.app_context():
            with database.engine.begin() as connection:
                connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
                connection.exec_driver_sql("INSERT INTO t VALUES (1)")
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in path.parent.iterdir()}
            database.engine.dispose()
    finally:
        os.umask(old)
    assert modes["survey.sqlite3"] == 0o600
    assert all(mode == 0o600 for mode in modes.values()), modes  # -wal and -shm follow the database file


def test_the_engine_carries_no_connection_event(app) -> None:
    """An engine-wide connection event (a "begin" hook, say) would put every statement of every connection
    through SQLAlchemy's event dispatch: BEGIN is sent where a transaction starts instead."""
    with app.app_context():
        dispatch = db.engine.dispatch
        for name in ("begin", "commit", "rollback", "before_execute", "after_execute", "before_cursor_execute"):
            assert not list(getattr(dispatch, name)), name


@sqlite_only
def test_each_kind_of_transaction_sends_its_own_begin(app) -> None:
    from sqlalchemy import event

    from survey.database import request_reads, write_once

    sent: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: sent.append(a[2].strip().upper()[:15]))
        db.session.execute(select(Group.code)).all()  # the ORM session's read: a deferred BEGIN
        with db.session.begin_nested():  # a savepoint inside it: no second BEGIN
            db.session.execute(select(Group.code)).all()
        assert [s.split()[0] for s in sent if s.startswith(("BEGIN", "SAVEPOINT"))] == ["BEGIN", "SAVEPOINT"], sent
        db.session.rollback()
        sent.clear()
        begin_write()
        db.session.rollback()
        with write_connection() as connection:
            connection.execute(select(Group.code)).all()
        request_reads().execute(select(Group.code)).all()  # outside any transaction: nothing begun
        with read_connection() as connection, write_once(connection):
            connection.execute(select(Group.code)).all()
    assert [s for s in sent if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE"] * 3, sent
    assert len([s for s in sent if s.startswith("SELECT")]) == 3, sent
