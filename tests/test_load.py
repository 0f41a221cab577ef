"""Zero loss under load, shortened: 20 clients x 200 submissions through a real gunicorn on a SQLite
file, with retries, duplicate sends, lost answers, a SIGKILLed worker and a killed-and-restarted
server. A correctness test: it asserts what is stored, never how fast (bench/load_zero_loss.py is the
full 200 x 10,000 run on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from bench.load_zero_loss import crash_steps, plain_clients, run_load, verify
from bench.loadlib import Server, create_postgres_database, prepare_database, query_rows

from .conftest import ON_POSTGRES, POSTGRES_URL


def test_every_acknowledged_submission_is_stored_once_despite_crashes(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'load.sqlite3'}"
    prepare_database(url)
    server = Server("survey:create_app()", url, workers=2, threads=4, log_path=tmp_path / "gunicorn.log").start()
    events: list[str] = []
    try:
        tally = run_load(plain_clients(server.port), 20, 200, crash_steps(server), log=events.append)
    finally:
        server.stop()
    assert any("SIGKILL worker" in line for line in events) and any("whole server" in line for line in events)
    assert verify(url, tally) == []
    assert len(tally.acknowledged) == 200 and tally.posts > 200  # repeats and retries really happened
    assert query_rows(url, "SELECT count(*) FROM responses") == [(200,)]


@pytest.mark.skipif(not ON_POSTGRES, reason="the benchmarks' PostgreSQL set-up; this run is on SQLite")
def test_the_benchmarks_create_their_postgres_database_on_a_fresh_machine() -> None:
    base = POSTGRES_URL
    url = base.rsplit("/", 1)[0] + "/bench_created_by_test"
    admin = base.rsplit("/", 1)[0] + "/postgres"
    engine = create_engine(admin.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS bench_created_by_test"))
        create_postgres_database(url)
        create_postgres_database(url)  # a second call finds it and does nothing
        assert query_rows(url, "SELECT current_database()") == [("bench_created_by_test",)]
    finally:
        with engine.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS bench_created_by_test WITH (FORCE)"))
        engine.dispose()
